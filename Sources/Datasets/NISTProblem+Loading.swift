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

    /// The header's three line ranges, checked against each other.
    struct Sections {
        /// "Starting Values (lines a to b)".
        var starting: LineRange
        /// "Certified Values (lines a to c)": the parameter rows, then the summary.
        var certified: LineRange
        /// "Data (lines d to e)".
        var data: LineRange
    }

    /// The parameter table: names, both starts, certified values and standard deviations.
    struct ParameterTable {
        var names: [String] = []
        var starts: [[Double]] = [[], []]
        var certified: [Double] = []
        var standardDeviations: [Double] = []
    }

    /// The certified summary below the parameter table.
    struct CertifiedSummary {
        var residualSumOfSquares: Double
        var residualStandardDeviation: Double
        var degreesOfFreedom: Int
        var degreesOfFreedomLine: Int
        var observationCount: Int
        var observationLine: Int
    }

    /// The data block: column names from its header line, the responses and the predictors.
    struct DataBlock {
        var headerLine: Int
        var columnNames: [String]
        var inputs: Matrix
        var responses: Matrix
        /// Every row's fields as written (response first), for extended-precision evaluation.
        var text: [[String]]
    }

    /// Reads the file section by section (each step below checks its own part and names the
    /// line of any problem).
    mutating func read() throws(NISTFormatError) -> NISTProblem {
        guard !lines.isEmpty else { throw failure(0, "the file is empty") }
        let sections = try readSections()
        let (name, difficulty) = readIdentity(before: sections.starting.first)
        let table = try readParameterTable(sections.starting)
        let summary = try readCertifiedSummary(sections)
        let formulaLines = try readModelSection(sections, parameterCount: table.names.count)
        let data = try readData(sections, summary: summary, parameterCount: table.names.count)
        let model = try compileFormula(formulaLines, table: table, data: data, sections: sections)
        let dataset = Dataset(
            inputs: data.inputs, targets: data.responses, inputNames: Array(data.columnNames.dropFirst()), targetNames: [data.columnNames[0]])
        return NISTProblem(
            name: name, file: file, model: model, dataset: dataset, starts: table.starts,
            certifiedParameters: table.certified, certifiedStandardDeviations: table.standardDeviations,
            residualSumOfSquares: summary.residualSumOfSquares, residualStandardDeviation: summary.residualStandardDeviation,
            degreesOfFreedom: summary.observationCount - table.names.count, declaredDegreesOfFreedom: summary.degreesOfFreedom,
            headerWarnings: headerWarnings(summary, parameterCount: table.names.count),
            observationCount: summary.observationCount, difficulty: difficulty, dataText: data.text)
    }
}
