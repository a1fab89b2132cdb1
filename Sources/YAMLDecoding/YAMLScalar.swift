/// A scalar as written in the YAML source: its text, how it was written, and where.
///
/// The text is not interpreted here; `YAMLScalar+CoreSchema.swift` resolves plain scalars
/// by the YAML 1.2 core schema (null, bool, int, float, else string). Quoted and block
/// scalars are always strings.
public struct YAMLScalar: Sendable, Hashable {
    /// How a scalar was written.
    public enum Style: Sendable, Hashable {
        /// Unquoted: `42`, `tanh`, `.inf`, `~`, or nothing at all.
        case plain
        /// `'text'`.
        case singleQuoted
        /// `"text"`.
        case doubleQuoted
        /// `|` block.
        case literal
        /// `>` block.
        case folded
    }

    /// The scalar's text after YAML unescaping and folding.
    public var value: String
    /// How the scalar was written.
    public var style: Style
    /// The explicit tag (`tag:yaml.org,2002:str` for `!!str`), when one was written.
    public var tag: String?
    /// Where the scalar starts (its first character, or the opening quote).
    public var location: SourceLocation

    /// Creates a scalar.
    public init(value: String, style: Style = .plain, tag: String? = nil, location: SourceLocation) {
        self.value = value
        self.style = style
        self.tag = tag
        self.location = location
    }

    /// True when the scalar was written quoted or as a block (`|`, `>`), or tagged `!!str`:
    /// such a scalar is always a string, never a number, bool or null.
    public var isQuoted: Bool { style != .plain || tag == YAMLScalar.stringTag }

    /// The YAML tag for strings.
    static let stringTag = "tag:yaml.org,2002:str"
}
