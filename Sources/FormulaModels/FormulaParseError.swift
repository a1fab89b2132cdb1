/// A formula that could not be parsed or resolved, located at the offending character.
///
/// The description names `file:line:column` when the text came from a file, then
/// repeats the source line with a caret under the column:
///
///     Misra1a.dat:36:22: expected ')' to close '(' opened at column 14
///         y = b1*(1-exp[-b2*x]  +  e
///                              ^
public struct FormulaParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, phrased so that the user can fix it.
    public var message: String
    /// The file the text came from, if any.
    public var file: String?
    /// 1-based line (in the file when `file` is set, otherwise in the formula text).
    public var line: Int
    /// 1-based column of the offending character.
    public var column: Int
    /// The full source line containing the error (without its newline).
    public var sourceLine: String

    /// Creates the error.
    public init(message: String, file: String?, line: Int, column: Int, sourceLine: String) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
    }

    /// Characters of the source line shown on each side of the column; a longer line is cut.
    public static let shownContext = 60

    /// The location prefix followed by the message, the source line (cut to a window around
    /// the column when long) and a caret line.
    public var description: String {
        let location = file.map { "\($0):\(line):\(column)" } ?? "formula line \(line), column \(column)"
        let characters = Array(sourceLine)
        let context = FormulaParseError.shownContext
        let from = max(0, min(column - 1, characters.count) - context)
        let to = min(characters.count, max(0, column - 1) + context)
        let shown = (from > 0 ? "…" : "") + String(characters[from..<to]) + (to < characters.count ? "…" : "")
        let caretColumn = max(0, column - 1) - from + (from > 0 ? 1 : 0)
        let caret = String(repeating: " ", count: caretColumn) + "^"
        return "\(location): \(message)\n    \(shown)\n    \(caret)"
    }
}
