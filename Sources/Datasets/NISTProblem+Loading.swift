import Foundation
import FormulaModels
import LinearAlgebra
import MessageText

extension NISTProblem {
    /// Loads a NIST StRD nonlinear regression file (`Misra1a.dat`, …) as distributed.
    ///
    /// Reads the header's line ranges ("Starting Values (lines 41 to 42)", "Certified
    /// Values (lines 41 to 47)", "Data (lines 61 to 74)"), the model formula below
    /// "Model:" (several lines allowed, auxiliary constants such as `pi = 3.14…E0` before
    /// it, transformed responses such as `log[y]`, the trailing `+ e` error term), the
    /// Start 1 / Start 2 / certified / standard-deviation table, the certified summary
    /// (residual sum of squares, residual standard deviation, degrees of freedom, number of
    /// observations) and the data block, whose column header (`Data:  y  x1  x2`) names
    /// the response and the predictors. Every count is cross-checked.
    ///
    /// - Throws: ``NISTFormatError`` naming the file and line.
    public static func load(contentsOf path: String) throws(NISTFormatError) -> NISTProblem {
        let data: Data
        do throws(InputFileError) {
            data = try InputFile.read(path)
        } catch {
            throw NISTFormatError(file: path, line: 0, message: "cannot read the file: it " + error.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw NISTFormatError(file: path, line: 0, message: "the file is not valid UTF-8 (or ASCII) text")
        }
        return try parse(text, file: path)
    }

    /// Parses the text of a NIST StRD file; `file` is used in errors.
    ///
    /// - Throws: ``NISTFormatError`` naming the file and line.
    public static func parse(_ text: String, file: String) throws(NISTFormatError) -> NISTProblem {
        var reader = NISTFileReader(text: text, file: file)
        return try reader.read()
    }
}

/// The line-oriented reader behind ``NISTProblem/parse(_:file:)``. Lines are 1-based.
struct NISTFileReader {
    let file: String
    let lines: [String]

    init(text: String, file: String) {
        self.file = file
        // "\r\n" is one Character in Swift, so split on newline characters, not on "\n".
        var split = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        if split.last == "" { split.removeLast() }
        lines = split
    }

    func line(_ number: Int) -> String { lines[number - 1] }

    func failure(_ line: Int, _ message: String, column: Int? = nil) -> NISTFormatError {
        NISTFormatError(file: file, line: line, column: column, message: message)
    }

    /// A header line range such as `Data (lines 61 to 74)`.
    struct LineRange {
        var first: Int
        var last: Int
        var declaredOn: Int
    }

    func findRange(_ label: String) throws(NISTFormatError) -> LineRange {
        for number in 1...min(lines.count, 20) {
            let text = line(number)
            guard let labelRange = text.range(of: label + " "), text.contains("(lines") else { continue }
            let rest = text[labelRange.upperBound...]
            let digits = rest.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            guard digits.count == 2, rest.contains(" to ") else {
                throw failure(number, "cannot read the line range of '\(label)': expected '(lines N to M)'")
            }
            let range = LineRange(first: digits[0], last: digits[1], declaredOn: number)
            guard range.first >= 1, range.first <= range.last, range.last <= lines.count else {
                throw failure(number, "\(label) (lines \(range.first) to \(range.last)) does not fit a file of \(lines.count) lines")
            }
            return range
        }
        throw failure(1, "missing '\(label) (lines N to M)' in the file header (is this a NIST StRD nonlinear regression file?)")
    }

    /// Splits a line into whitespace-separated fields with their 1-based columns.
    func fields(_ text: String) -> [(text: Substring, column: Int)] {
        var result: [(Substring, Int)] = []
        var index = text.startIndex, column = 1
        while index < text.endIndex {
            if text[index] == " " || text[index] == "\t" {
                index = text.index(after: index)
                column += 1
                continue
            }
            let start = index, startColumn = column
            while index < text.endIndex, text[index] != " ", text[index] != "\t" {
                index = text.index(after: index)
                column += 1
            }
            result.append((text[start..<index], startColumn))
        }
        return result
    }

    func number(_ field: (text: Substring, column: Int), line: Int, what: String) throws(NISTFormatError) -> Double {
        guard let value = Double(field.text), value.isFinite else {
            throw failure(line, "\(what): \(QuotedText.quoted(field.text)) is not a finite number", column: field.column)
        }
        return value
    }

    func labelledValue(_ label: String, in range: ClosedRange<Int>, certified: LineRange) throws(NISTFormatError) -> (Double, Int) {
        for number in range where line(number).trimmingCharacters(in: .whitespaces).hasPrefix(label) {
            let text = line(number)
            guard let colon = text.firstIndex(of: ":") else { continue }
            let valueText = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard let value = Double(valueText), value.isFinite else {
                throw failure(number, "\(label): '\(valueText)' is not a finite number")
            }
            return (value, number)
        }
        throw failure(certified.declaredOn, "the certified values (lines \(certified.first) to \(certified.last)) contain no '\(label):' line")
    }

    mutating func read() throws(NISTFormatError) -> NISTProblem {
        guard !lines.isEmpty else { throw failure(0, "the file is empty") }
        let starting = try findRange("Starting Values")
        let certified = try findRange("Certified Values")
        let dataRange = try findRange("Data")
        guard certified.first == starting.first, certified.last > starting.last else {
            throw failure(certified.declaredOn, "Certified Values (lines \(certified.first) to \(certified.last)) must start with the parameter rows of Starting Values (lines \(starting.first) to \(starting.last)) and continue with the certified summary")
        }
        guard dataRange.first > certified.last else {
            throw failure(dataRange.declaredOn, "Data (lines \(dataRange.first) to \(dataRange.last)) must follow the certified values (which end on line \(certified.last))")
        }

        // Name and difficulty.
        var name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var difficulty: String?
        for number in 1..<starting.first {
            let text = line(number)
            if let range = text.range(of: "Dataset Name:") {
                if let first = text[range.upperBound...].split(separator: " ").first { name = String(first) }
            }
            if let range = text.range(of: " Level of Difficulty") {
                difficulty = text[..<range.lowerBound].split(separator: " ").last.map(String.init)
            }
        }

        // Parameter table.
        var parameterNames: [String] = []
        var starts: [[Double]] = [[], []]
        var certifiedParameters: [Double] = []
        var standardDeviations: [Double] = []
        for number in starting.first...starting.last {
            let text = line(number)
            guard let equals = text.firstIndex(of: "=") else {
                throw failure(number, "starting-value row must read 'b1 = start1 start2 certified stddev' (line range from the header: \(starting.first) to \(starting.last))")
            }
            let parameter = text[..<equals].trimmingCharacters(in: .whitespaces)
            let prefixColumns = text.distance(from: text.startIndex, to: equals) + 1
            let row = fields(String(text[text.index(after: equals)...])).map { ($0.text, $0.column + prefixColumns) }
            guard !parameter.isEmpty, parameter.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), row.count == 4 else {
                throw failure(number, "starting-value row must read 'b1 = start1 start2 certified stddev', found \(row.count) value(s)")
            }
            parameterNames.append(parameter)
            starts[0].append(try self.number(row[0], line: number, what: "Start 1 of \(parameter)"))
            starts[1].append(try self.number(row[1], line: number, what: "Start 2 of \(parameter)"))
            certifiedParameters.append(try self.number(row[2], line: number, what: "certified value of \(parameter)"))
            standardDeviations.append(try self.number(row[3], line: number, what: "standard deviation of \(parameter)"))
        }
        if let duplicate = Dictionary(grouping: parameterNames, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw failure(starting.first, "parameter '\(duplicate)' appears twice in the starting values")
        }

        // Certified summary.
        let summary = (starting.last + 1)...certified.last
        let (rss, _) = try labelledValue("Residual Sum of Squares", in: summary, certified: certified)
        let (rsd, _) = try labelledValue("Residual Standard Deviation", in: summary, certified: certified)
        let (dofValue, dofLine) = try labelledValue("Degrees of Freedom", in: summary, certified: certified)
        let (observationValue, observationLine) = try labelledValue("Number of Observations", in: summary, certified: certified)
        guard let degreesOfFreedom = Int(exactly: dofValue), let observationCount = Int(exactly: observationValue) else {
            throw failure(dofLine, "degrees of freedom and number of observations must be integers")
        }

        // Model.
        guard let modelLine = (1..<starting.first).first(where: { line($0).hasPrefix("Model:") }) else {
            throw failure(starting.first, "no 'Model:' section before the starting values")
        }
        guard let countLine = (modelLine..<starting.first).first(where: { line($0).contains("Parameter") && line($0).contains("(") }) else {
            throw failure(modelLine, "the model section does not say how many parameters it has ('N Parameters (b1 to bN)')")
        }
        let declaredCount = line(countLine).split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) }
        guard let declaredCount, declaredCount == parameterNames.count else {
            throw failure(countLine, "the model declares \(declaredCount.map(String.init) ?? "no") parameter(s) but the starting values (lines \(starting.first) to \(starting.last)) list \(parameterNames.count)")
        }
        let tableHeading = ((countLine + 1)..<starting.first).first { number in
            let lowered = line(number).lowercased()
            return lowered.contains("starting values") || lowered.contains("start 1") || lowered.contains("certified values")
        } ?? starting.first
        let formulaLines = (countLine + 1)..<tableHeading
        guard formulaLines.contains(where: { !line($0).trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw failure(countLine, "no model formula between the parameter count and the starting values")
        }

        // Data header and rows.
        let headerLine = dataRange.first - 1
        let header = fields(line(headerLine))
        guard header.first?.text == "Data:", header.count >= 3 else {
            throw failure(headerLine, "expected the data column header, e.g. 'Data:   y   x', on the line before the data (line \(dataRange.first))")
        }
        let columnNames = header.dropFirst().map { String($0.text) }
        let sampleCount = dataRange.last - dataRange.first + 1
        guard sampleCount == observationCount else {
            throw failure(dataRange.declaredOn, "Data (lines \(dataRange.first) to \(dataRange.last)) has \(sampleCount) rows but the certified values say \(observationCount) observations (line \(observationLine))")
        }
        guard degreesOfFreedom == observationCount - parameterNames.count else {
            throw failure(dofLine, "degrees of freedom \(degreesOfFreedom) ≠ observations \(observationCount) − parameters \(parameterNames.count)")
        }
        let predictorCount = columnNames.count - 1
        var inputs = Matrix(rows: sampleCount, columns: predictorCount)
        var responses = Matrix(rows: sampleCount, columns: 1)
        for (row, number) in (dataRange.first...dataRange.last).enumerated() {
            let values = fields(line(number))
            guard values.count == columnNames.count else {
                throw failure(number, "data row has \(values.count) value(s) but the header (line \(headerLine)) names \(columnNames.count) columns: \(columnNames.joined(separator: " "))", column: values.count > columnNames.count ? values[columnNames.count].column : nil)
            }
            responses[row, 0] = try self.number(values[0], line: number, what: "column \(columnNames[0])")
            for j in 0..<predictorCount {
                inputs[row, j] = try self.number(values[j + 1], line: number, what: "column \(columnNames[j + 1])")
            }
        }

        // The formula, parsed with the names the file declares.
        let formulaText = formulaLines.map { line($0) }.joined(separator: "\n")
        let declarations = FormulaDeclarations(parameterNames: parameterNames, predictorNames: Array(columnNames.dropFirst()))
        let model: FormulaModel
        do {
            model = try FormulaModel(formulaText, declarations: declarations, file: file, firstLine: formulaLines.lowerBound)
        } catch {
            throw NISTFormatError(file: file, line: error.line, column: error.column, message: error.message, formulaError: error)
        }
        let formulaStart = formulaLines.first { !line($0).trimmingCharacters(in: .whitespaces).isEmpty } ?? formulaLines.lowerBound
        guard model.responseName == columnNames[0] else {
            throw failure(formulaStart, "the formula's response is '\(model.responseName)' but the data's first column is '\(columnNames[0])'")
        }
        let unused = parameterNames.indices.filter { !model.definition.referencedParameters.contains($0) }
        guard unused.isEmpty else {
            let names = unused.map { parameterNames[$0] }.joined(separator: ", ")
            throw failure(formulaStart, "parameter(s) \(names) listed in the starting values (lines \(starting.first) to \(starting.last)) do not occur in the formula")
        }

        let dataset = Dataset(inputs: inputs, targets: responses, inputNames: Array(columnNames.dropFirst()), targetNames: [columnNames[0]])
        return NISTProblem(
            name: name, file: file, model: model, dataset: dataset, starts: starts,
            certifiedParameters: certifiedParameters, certifiedStandardDeviations: standardDeviations,
            residualSumOfSquares: rss, residualStandardDeviation: rsd,
            degreesOfFreedom: degreesOfFreedom, observationCount: observationCount, difficulty: difficulty)
    }
}
