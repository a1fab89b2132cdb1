import MessageText

/// A data file (CSV) that cannot be turned into a ``Dataset``, located as precisely as possible.
///
/// Description: `data/train.csv:7: column 'x2' (field 3): 'abc' is not a number`.
public struct DataFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public var file: String
    /// 1-based line in the file (the header is line 1), or `nil` for the whole file.
    public var line: Int?
    /// The column's name when the problem is in one column.
    public var column: String?
    /// 1-based field index of that column.
    public var field: Int?
    /// What is wrong.
    public var message: String

    /// Creates the error.
    public init(file: String, line: Int? = nil, column: String? = nil, field: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `file[:line]: [column 'name' (field k): ]message`; a column name that does not read
    /// as one (``QuotedText/isPlainName(_:)``: the "header" of a file that is not CSV) is
    /// never shown, only its field number.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let column, QuotedText.isPlainName(column) {
            text += "column '\(column)'"
            if let field { text += " (field \(field))" }
            text += ": "
        } else if column != nil, let field {
            text += "field \(field): "
        }
        return text + message
    }
}
