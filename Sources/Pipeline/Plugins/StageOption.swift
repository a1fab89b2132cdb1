/// One option of a stage plugin: its manifest key, default and meaning.
///
/// A plugin's `options` table is the single place its defaults live: the registry inserts
/// every missing defaulted key into the manifest section before decoding (so configuration
/// types decode non-optional fields and `resolved.json` shows what ran), and
/// `jacobench list` prints the same table.
public struct StageOption: Sendable, Equatable {
    /// The kebab-case manifest key.
    public var key: String
    /// The default as YAML text (`200`, `tanh`, `[5, 9, 3]`), or nil when the option is required.
    public var defaultValue: String?
    /// One line: what it means, with its unit.
    public var summary: String
    /// Whether a manifest must give it (false for an option with a default, or one that is
    /// simply unset when absent).
    public var isRequired: Bool = true

    /// A required option.
    public static func required(_ key: String, _ summary: String) -> StageOption {
        StageOption(key: key, defaultValue: nil, summary: summary)
    }

    /// An option with a default (YAML text).
    public static func optional(_ key: String, default value: String, _ summary: String) -> StageOption {
        StageOption(key: key, defaultValue: value, summary: summary, isRequired: false)
    }

    /// An option that is unset when absent (no default is filled in, so adding it changes no
    /// existing section, nor the case seeds hashed from it).
    public static func unset(_ key: String, _ summary: String) -> StageOption {
        StageOption(key: key, defaultValue: nil, summary: summary, isRequired: false)
    }
}

/// A stage's typed configuration: decoded from its manifest section after defaults are filled in.
public protocol StageConfiguration: Decodable, Sendable {
    /// Every key the configuration reads, with defaults; see ``StageOption``.
    static var options: [StageOption] { get }
}
