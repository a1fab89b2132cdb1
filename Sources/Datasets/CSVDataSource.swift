import Foundation
import LinearAlgebra
import MessageText

/// Reads a ``Dataset`` from comma-separated text with a header row.
///
/// Fields follow RFC 4180 (double quotes around fields that contain commas, quotes or
/// newlines; `""` inside quotes is a literal quote); spaces around unquoted fields are
/// ignored; `\n` and `\r\n` line ends are both accepted. Every named input and target
/// column must exist; every cell in those columns must be a finite number. Other columns
/// are ignored (they may hold text).
public struct CSVDataSource: Sendable, Equatable {
    /// Names of the input columns, in the order of the dataset's input columns.
    public var inputColumns: [String]
    /// Names of the target columns, in order.
    public var targetColumns: [String]

    /// Creates a source reading the named columns.
    /// The column holding each row's σ (curve_fit's `sigma`), when the observations are weighted.
    public var sigmaColumn: String?

    /// Creates a source; `sigmaColumn` names the column of standard deviations, if any.
    public init(inputColumns: [String], targetColumns: [String], sigmaColumn: String? = nil) {
        self.inputColumns = inputColumns
        self.targetColumns = targetColumns
        self.sigmaColumn = sigmaColumn
    }

    /// Loads the file at `path`.
    ///
    /// - Throws: ``DataFileError`` naming the file, line and column.
    public func load(contentsOf path: String) throws(DataFileError) -> Dataset {
        let data: Data
        do throws(InputFileError) {
            data = try InputFile.read(path)
        } catch {
            throw DataFileError(file: path, message: "cannot read the file: it " + error.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataFileError(file: path, line: Self.lineOfFirstInvalidUTF8(data), message: "the file is not valid UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Parses CSV text; `file` is used in errors.
    ///
    /// - Throws: ``DataFileError`` naming the file, line and column.
    public func parse(_ text: String, file: String) throws(DataFileError) -> Dataset {
        var records = try Self.records(text, file: file)
        while let last = records.last, last.fields.count == 1, last.fields[0].trimmingCharacters(in: .whitespaces).isEmpty {
            records.removeLast()  // trailing blank lines
        }
        guard let header = records.first else {
            throw DataFileError(file: file, message: "the file is empty; expected a header row naming the columns")
        }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var indexOfName: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            if name.isEmpty {
                throw DataFileError(file: file, line: header.line, field: index + 1, message: "header field \(index + 1) is empty; every column needs a name")
            }
            if let previous = indexOfName[name] {
                throw DataFileError(file: file, line: header.line, column: name, field: index + 1, message: "duplicate column name (also field \(previous + 1))")
            }
            indexOfName[name] = index
        }
        guard !inputColumns.isEmpty || !targetColumns.isEmpty else {
            throw DataFileError(file: file, message: "no input or target columns were requested")
        }
        if let both = Set(inputColumns).intersection(targetColumns).first {
            throw DataFileError(file: file, column: both, message: "requested both as an input and as a target")
        }
        func resolve(_ requested: [String], role: String) throws(DataFileError) -> [Int] {
            var result: [Int] = []
            for name in requested {
                guard let index = indexOfName[name] else {
                    throw DataFileError(file: file, line: header.line, column: name, message: "no such \(role) column in the header\(Self.describeHeader(names))")
                }
                result.append(index)
            }
            return result
        }
        let inputIndices = try resolve(inputColumns, role: "input")
        let targetIndices = try resolve(targetColumns, role: "target")
        let sigmaIndex = try sigmaColumn.map { name throws(DataFileError) in try resolve([name], role: "sigma")[0] }
        let rows = records.dropFirst()
        guard !rows.isEmpty else {
            throw DataFileError(file: file, line: header.line, message: "the file has a header but no data rows")
        }
        var inputs = Matrix(rows: rows.count, columns: inputIndices.count)
        var targets = Matrix(rows: rows.count, columns: targetIndices.count)
        var sigma: [Double] = []
        for (row, record) in rows.enumerated() {
            guard record.fields.count == names.count else {
                throw DataFileError(file: file, line: record.line, message: "row has \(record.fields.count) field(s) but the header has \(names.count)")
            }
            for (j, index) in inputIndices.enumerated() {
                inputs[row, j] = try Self.number(record.fields[index], file: file, line: record.line, column: names[index], field: index + 1)
            }
            for (j, index) in targetIndices.enumerated() {
                targets[row, j] = try Self.number(record.fields[index], file: file, line: record.line, column: names[index], field: index + 1)
            }
            if let index = sigmaIndex {
                let value = try Self.number(record.fields[index], file: file, line: record.line, column: names[index], field: index + 1)
                guard value > 0 else {
                    throw DataFileError(file: file, line: record.line, column: names[index], message: "a standard deviation must be > 0, got \(value)")
                }
                sigma.append(value)
            }
        }
        var dataset = Dataset(inputs: inputs, targets: targets, inputNames: inputColumns, targetNames: targetColumns)
        if sigmaIndex != nil { dataset.sigma = sigma }
        return dataset
    }

    /// " (columns: a, b, c)" when every name reads as a column name (at most 50 of them), else
    /// ": the first line is not a CSV header (not shown)" — a message never echoes a line of
    /// another kind of file.
    static func describeHeader(_ names: [String]) -> String {
        guard names.count <= 50, names.allSatisfy({ QuotedText.isPlainName($0) }) else {
            return ": the first line is not a CSV header (not shown)"
        }
        return " (columns: " + names.joined(separator: ", ") + ")"
    }

    static func number(_ text: String, file: String, line: Int, column: String, field: Int) throws(DataFileError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw DataFileError(file: file, line: line, column: column, field: field, message: "empty cell; expected a number")
        }
        guard let value = Double(trimmed) else {
            throw DataFileError(file: file, line: line, column: column, field: field, message: "\(QuotedText.quoted(trimmed)) is not a number")
        }
        guard value.isFinite else {
            throw DataFileError(file: file, line: line, column: column, field: field, message: "'\(trimmed)' is not a finite number (NaN and infinity are not allowed)")
        }
        return value
    }

    /// One CSV record with the file line it starts on.
    struct Record {
        var line: Int
        var fields: [String]
    }

    /// Splits text into records (RFC 4180 quoting; a quoted field may span lines).
    static func records(_ text: String, file: String) throws(DataFileError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1, recordLine = 1
        var inQuotes = false, wasQuoted = false
        var quoteLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endField() {
            fields.append(field)
            field = ""
            wasQuoted = false
        }
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        pending = next
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                endField()
            case "\"":
                if field.trimmingCharacters(in: .whitespaces).isEmpty && !wasQuoted {
                    field = ""
                    inQuotes = true
                    wasQuoted = true
                    quoteLine = line
                } else {
                    throw DataFileError(file: file, line: line, field: fields.count + 1, message: "stray '\"' inside an unquoted field (quote the whole field and double inner quotes)")
                }
            case "\r":
                let next = iterator.next()
                if next != "\n" { pending = next }
                fallthrough
            case "\n":
                endField()
                records.append(Record(line: recordLine, fields: fields))
                fields = []
                line += 1
                recordLine = line
            default:
                if wasQuoted && scalar != " " && scalar != "\t" {
                    throw DataFileError(file: file, line: line, field: fields.count + 1, message: "text after a closing quote")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes {
            throw DataFileError(file: file, line: quoteLine, field: fields.count + 1, message: "quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty || wasQuoted {
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }

    /// The 1-based line containing the first byte that is not valid UTF-8.
    static func lineOfFirstInvalidUTF8(_ data: Data) -> Int {
        var line = 1
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return line
            }
            if index + length > data.endIndex { return line }
            if length > 1 {
                for offset in 1..<length where data[index + offset] & 0xC0 != 0x80 { return line }
                if String(data: data[index..<(index + length)], encoding: .utf8) == nil { return line }
            }
            if byte == 0x0A { line += 1 }
            index += length
        }
        return line
    }
}
