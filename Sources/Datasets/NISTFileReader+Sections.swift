import Foundation
import FormulaModels
import LinearAlgebra

/// The steps of ``NISTFileReader/read()``, one per part of the file.
extension NISTFileReader {
    /// The header's line ranges: the certified values begin with the starting values' rows
    /// and continue past them; the data follows.
    func readSections() throws(NISTFormatError) -> Sections {
        let starting = try findRange("Starting Values")
        let certified = try findRange("Certified Values")
        let dataRange = try findRange("Data")
        guard certified.first == starting.first, certified.last > starting.last else {
            throw failure(certified.declaredOn, "Certified Values (lines \(certified.first) to \(certified.last)) must start with the parameter rows of Starting Values (lines \(starting.first) to \(starting.last)) and continue with the certified summary")
        }
        guard dataRange.first > certified.last else {
            throw failure(dataRange.declaredOn, "Data (lines \(dataRange.first) to \(dataRange.last)) must follow the certified values (which end on line \(certified.last))")
        }
        return Sections(starting: starting, certified: certified, data: dataRange)
    }

    /// The dataset name ("Dataset Name:", else the file's name) and the level of difficulty.
    func readIdentity(before firstTableLine: Int) -> (name: String, difficulty: String?) {
        var name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        var difficulty: String?
        for number in 1..<firstTableLine {
            let text = line(number)
            if let range = text.range(of: "Dataset Name:") {
                if let first = text[range.upperBound...].split(separator: " ").first { name = String(first) }
            }
            if let range = text.range(of: " Level of Difficulty") {
                difficulty = text[..<range.lowerBound].split(separator: " ").last.map(String.init)
            }
        }
        return (name, difficulty)
    }

    /// One row `b1 = start1 start2 certified stddev` per parameter; names unique.
    func readParameterTable(_ starting: LineRange) throws(NISTFormatError) -> ParameterTable {
        var table = ParameterTable()
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
            table.names.append(parameter)
            table.starts[0].append(try self.number(row[0], line: number, what: "Start 1 of \(parameter)"))
            table.starts[1].append(try self.number(row[1], line: number, what: "Start 2 of \(parameter)"))
            table.certified.append(try self.number(row[2], line: number, what: "certified value of \(parameter)"))
            table.standardDeviations.append(try self.number(row[3], line: number, what: "standard deviation of \(parameter)"))
        }
        if let duplicate = Dictionary(grouping: table.names, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw failure(starting.first, "parameter '\(duplicate)' appears twice in the starting values")
        }
        return table
    }

    /// The residual sum of squares, residual standard deviation, degrees of freedom and
    /// number of observations below the parameter rows.
    func readCertifiedSummary(_ sections: Sections) throws(NISTFormatError) -> CertifiedSummary {
        let summary = (sections.starting.last + 1)...sections.certified.last
        let (rss, _) = try labelledValue("Residual Sum of Squares", in: summary, certified: sections.certified)
        let (rsd, _) = try labelledValue("Residual Standard Deviation", in: summary, certified: sections.certified)
        let (dofValue, dofLine) = try labelledValue("Degrees of Freedom", in: summary, certified: sections.certified)
        let (observationValue, observationLine) = try labelledValue("Number of Observations", in: summary, certified: sections.certified)
        guard let degreesOfFreedom = Int(exactly: dofValue), let observationCount = Int(exactly: observationValue) else {
            throw failure(dofLine, "degrees of freedom and number of observations must be integers")
        }
        return CertifiedSummary(
            residualSumOfSquares: rss, residualStandardDeviation: rsd, degreesOfFreedom: degreesOfFreedom, degreesOfFreedomLine: dofLine,
            observationCount: observationCount, observationLine: observationLine)
    }

    /// The lines of the model formula: after "Model:" and its "N Parameters (b1 to bN)" line
    /// (which must agree with the table), up to the table's heading.
    func readModelSection(_ sections: Sections, parameterCount: Int) throws(NISTFormatError) -> Range<Int> {
        let starting = sections.starting
        guard let modelLine = (1..<starting.first).first(where: { line($0).hasPrefix("Model:") }) else {
            throw failure(starting.first, "no 'Model:' section before the starting values")
        }
        guard let countLine = (modelLine..<starting.first).first(where: { line($0).contains("Parameter") && line($0).contains("(") }) else {
            throw failure(modelLine, "the model section does not say how many parameters it has ('N Parameters (b1 to bN)')")
        }
        let declaredCount = line(countLine).split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) }
        guard let declaredCount, declaredCount == parameterCount else {
            throw failure(countLine, "the model declares \(declaredCount.map(String.init) ?? "no") parameter(s) but the starting values (lines \(starting.first) to \(starting.last)) list \(parameterCount)")
        }
        let tableHeading = ((countLine + 1)..<starting.first).first { number in
            let lowered = line(number).lowercased()
            return lowered.contains("starting values") || lowered.contains("start 1") || lowered.contains("certified values")
        } ?? starting.first
        let formulaLines = (countLine + 1)..<tableHeading
        guard formulaLines.contains(where: { !line($0).trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw failure(countLine, "no model formula between the parameter count and the starting values")
        }
        return formulaLines
    }

    /// The data block under its column header (`Data:  y  x1  x2`): as many rows as the
    /// certified observations, every row as many numbers as the header names.
    func readData(_ sections: Sections, summary: CertifiedSummary, parameterCount: Int) throws(NISTFormatError) -> DataBlock {
        let dataRange = sections.data
        let headerLine = dataRange.first - 1
        let header = fields(line(headerLine))
        guard header.first?.text == "Data:", header.count >= 3 else {
            throw failure(headerLine, "expected the data column header, e.g. 'Data:   y   x', on the line before the data (line \(dataRange.first))")
        }
        let columnNames = header.dropFirst().map { String($0.text) }
        let sampleCount = dataRange.last - dataRange.first + 1
        guard sampleCount == summary.observationCount else {
            throw failure(dataRange.declaredOn, "Data (lines \(dataRange.first) to \(dataRange.last)) has \(sampleCount) rows but the certified values say \(summary.observationCount) observations (line \(summary.observationLine))")
        }
        let predictorCount = columnNames.count - 1
        var inputs = Matrix(rows: sampleCount, columns: predictorCount)
        var responses = Matrix(rows: sampleCount, columns: 1)
        var text: [[String]] = []
        text.reserveCapacity(sampleCount)
        for (row, number) in (dataRange.first...dataRange.last).enumerated() {
            let values = fields(line(number))
            guard values.count == columnNames.count else {
                throw failure(number, "data row has \(values.count) value(s) but the header (line \(headerLine)) names \(columnNames.count) columns: \(columnNames.joined(separator: " "))", column: values.count > columnNames.count ? values[columnNames.count].column : nil)
            }
            responses[row, 0] = try self.number(values[0], line: number, what: "column \(columnNames[0])")
            for j in 0..<predictorCount {
                inputs[row, j] = try self.number(values[j + 1], line: number, what: "column \(columnNames[j + 1])")
            }
            text.append(values.map { String($0.text) })
        }
        return DataBlock(headerLine: headerLine, columnNames: columnNames, inputs: inputs, responses: responses, text: text)
    }

    /// Bookkeeping of the header that disagrees with the data but does not stop the fit: a
    /// stated degrees of freedom other than observations − parameters (NIST's Rat43.dat says
    /// 9 for 15 − 4). The statistics use N − p.
    func headerWarnings(_ summary: CertifiedSummary, parameterCount: Int) -> [String] {
        let expected = summary.observationCount - parameterCount
        guard summary.degreesOfFreedom != expected else { return [] }
        return ["\(file):\(summary.degreesOfFreedomLine): the file states \(summary.degreesOfFreedom) degrees of freedom but observations \(summary.observationCount) − parameters \(parameterCount) = \(expected); the statistics use \(expected)"]
    }

    /// The formula, parsed with the names the file declares: its response must be the data's
    /// first column, and it must use every parameter of the table.
    func compileFormula(_ formulaLines: Range<Int>, table: ParameterTable, data: DataBlock, sections: Sections) throws(NISTFormatError) -> FormulaModel {
        let formulaText = formulaLines.map { line($0) }.joined(separator: "\n")
        let declarations = FormulaDeclarations(parameterNames: table.names, predictorNames: Array(data.columnNames.dropFirst()))
        let model: FormulaModel
        do {
            model = try FormulaModel(formulaText, declarations: declarations, file: file, firstLine: formulaLines.lowerBound)
        } catch {
            throw NISTFormatError(file: file, line: error.line, column: error.column, message: error.message, formulaError: error)
        }
        let formulaStart = formulaLines.first { !line($0).trimmingCharacters(in: .whitespaces).isEmpty } ?? formulaLines.lowerBound
        guard model.responseName == data.columnNames[0] else {
            throw failure(formulaStart, "the formula's response is '\(model.responseName)' but the data's first column is '\(data.columnNames[0])'")
        }
        let unused = table.names.indices.filter { !model.definition.referencedParameters.contains($0) }
        guard unused.isEmpty else {
            let names = unused.map { table.names[$0] }.joined(separator: ", ")
            throw failure(formulaStart, "parameter(s) \(names) listed in the starting values (lines \(sections.starting.first) to \(sections.starting.last)) do not occur in the formula")
        }
        return model
    }
}
