import FormulaModels

/// A NIST StRD file that does not follow the format, located at the offending line.
///
/// Description: `Misra1a.dat:41: starting-value row must read 'b1 = start1 start2 certified stddev'`,
/// or, for a formula that does not parse, the formula error with its caret.
public struct NISTFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file.
    public var file: String
    /// 1-based line, 0 when the problem concerns the whole file (e.g. not readable).
    public var line: Int
    /// 1-based column when known.
    public var column: Int?
    /// What is wrong.
    public var message: String
    /// The formula error when the model text did not parse.
    public var formulaError: FormulaParseError?

    /// Creates the error.
    public init(file: String, line: Int, column: Int? = nil, message: String, formulaError: FormulaParseError? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.formulaError = formulaError
    }

    /// `file:line[:column]: message`, or the formula error's own description.
    public var description: String {
        if let formulaError { return formulaError.description }
        var location = file
        if line > 0 { location += ":\(line)" }
        if let column { location += ":\(column)" }
        return "\(location): \(message)"
    }
}
