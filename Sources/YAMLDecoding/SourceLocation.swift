/// A position in a YAML source: the file name as given and a 1-based line and column.
///
/// Columns count Unicode scalars (libyaml's convention), not bytes.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The file name as the caller passed it to the parser (used verbatim in messages).
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column number.
    public var column: Int

    /// Creates a location; `line` and `column` are 1-based.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, the form editors and compilers use.
    public var description: String { "\(file):\(line):\(column)" }
}
