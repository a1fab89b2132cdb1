
/// A stage configuration whose options are declared once: each option is a stored property
/// whose initial value is its default, plus one ``DeclaredOption`` row naming its manifest key
/// and help. Decoding (every declared key, unknown keys refused by the decoder), the defaults
/// the registry fills in before decoding (and `resolved.json` shows), the allowed values of a
/// choice and `jacobench list` are all derived from the rows:
///
/// ```swift
/// public struct Configuration: DeclaredStageConfiguration {
///     public var layers: [Int] = []                 // required: the value is never used
///     public var activation: Activation = .tanh      // the default
///     public init() {}
///     public static let declarations: [DeclaredOption<Self>] = [
///         .required("layers", \.layers, "widths [d, w1, …, p]"),
///         .choice("activation", \.activation, "hidden activation"),
///     ]
/// }
/// ```
public protocol DeclaredStageConfiguration: StageConfiguration {
    /// Every option at its default (required options at a placeholder the decoder replaces).
    init()
    /// The options, in the order `jacobench list` shows them.
    static var declarations: [DeclaredOption<Self>] { get }
}

extension DeclaredStageConfiguration {
    /// The rows as ``StageOption``s: key, default as YAML text (nil when required), help (with
    /// the allowed values of a choice).
    public static var options: [StageOption] {
        let defaults = Self()
        return declarations.map { $0.stageOption(defaults) }
    }

    /// Starts from the defaults and reads every declared key present in the section.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: OptionKey.self)
        for declaration in Self.declarations { try declaration.read(&self, container) }
    }
}

/// A manifest key as a coding key.
public struct OptionKey: CodingKey, Sendable {
    /// The kebab-case key.
    public var stringValue: String
    /// Not used.
    public var intValue: Int? { nil }
    /// The key `stringValue`.
    public init(stringValue: String) { self.stringValue = stringValue }
    /// Not used.
    public init?(intValue: Int) { nil }
}

/// One option of a ``DeclaredStageConfiguration``: its key, the property it sets, whether it
/// is required, and its help.
public struct DeclaredOption<Configuration: DeclaredStageConfiguration>: Sendable {
    /// The kebab-case manifest key.
    public let key: String
    /// One line: what it means, with its unit.
    public let summary: String
    /// The default as YAML text, from the configuration's defaults; nil when required or unset.
    let defaultText: @Sendable (Configuration) -> String?
    /// Whether the manifest must give it.
    var isRequired = false
    /// Reads the key into the configuration when present (a required key must be present).
    let read: @Sendable (inout Configuration, KeyedDecodingContainer<OptionKey>) throws -> Void

    /// The row `jacobench list` shows and the registry fills defaults from.
    func stageOption(_ defaults: Configuration) -> StageOption {
        StageOption(key: key, defaultValue: defaultText(defaults), summary: summary, isRequired: isRequired)
    }

    /// A required option of any decodable type.
    public static func required<Value: Decodable & Sendable>(
        _ key: String, _ property: WritableKeyPath<Configuration, Value> & Sendable, _ summary: String
    ) -> Self {
        DeclaredOption(key: key, summary: summary, defaultText: { _ in nil }, isRequired: true) { configuration, container in
            configuration[keyPath: property] = try container.decode(Value.self, forKey: OptionKey(stringValue: key))
        }
    }

    /// An option that is nil unless the manifest gives it; nothing is filled in when absent, so
    /// adding such an option changes no existing manifest's sections or case seeds.
    public static func unset<Value: Decodable & Sendable>(
        _ key: String, _ property: WritableKeyPath<Configuration, Value?> & Sendable, _ summary: String
    ) -> Self {
        DeclaredOption(key: key, summary: summary, defaultText: { _ in nil }) { configuration, container in
            if let value = try container.decodeIfPresent(Value.self, forKey: OptionKey(stringValue: key)) {
                configuration[keyPath: property] = value
            }
        }
    }

    /// An option whose default is the property's initial value.
    public static func optional<Value: StageOptionValue>(
        _ key: String, _ property: WritableKeyPath<Configuration, Value> & Sendable, _ summary: String
    ) -> Self {
        DeclaredOption(key: key, summary: summary, defaultText: { $0[keyPath: property].yamlText }) { configuration, container in
            if let value = try container.decodeIfPresent(Value.self, forKey: OptionKey(stringValue: key)) {
                configuration[keyPath: property] = value
            }
        }
    }

    /// An option taking one of a fixed set of names (``StageOptionChoice``), default the
    /// property's initial value; the help and the error for another name list the choices.
    public static func choice<Value: StageOptionChoice>(
        _ key: String, _ property: WritableKeyPath<Configuration, Value> & Sendable, _ summary: String
    ) -> Self {
        DeclaredOption(
            key: key, summary: "\(summary): \(Value.choiceNames.joined(separator: ", "))",
            defaultText: { $0[keyPath: property].choiceName }
        ) { configuration, container in
            let codingKey = OptionKey(stringValue: key)
            guard let name = try container.decodeIfPresent(String.self, forKey: codingKey) else { return }
            guard let value = Value(choiceName: name) else {
                throw DecodingError.dataCorruptedError(
                    forKey: codingKey, in: container,
                    debugDescription: "not a known \(Value.choiceKind); known: \(Value.choiceNames.joined(separator: ", "))")
            }
            configuration[keyPath: property] = value
        }
    }
}

/// A value an optional stage option can hold, with its YAML text for defaults.
public protocol StageOptionValue: Decodable, Sendable {
    /// The value as YAML flow text (`20`, `2.0`, `tanh`, `'1'`, `[5, 9, 3]`, `null`, `{}`).
    var yamlText: String { get }
}

/// A value named from a fixed set (an activation, an initialization, a strategy).
public protocol StageOptionChoice: Sendable {
    /// What the names name, for errors ("activation").
    static var choiceKind: String { get }
    /// The canonical names, in the order help lists them.
    static var choiceNames: [String] { get }
    /// The value called `choiceName` (aliases allowed), or nil.
    init?(choiceName: String)
    /// This value's canonical name.
    var choiceName: String { get }
}

extension Int: StageOptionValue {
    /// Decimal.
    public var yamlText: String { String(self) }
}

extension Double: StageOptionValue {
    /// An integral value as an integer (`0`, `11`: the text the data and model sections are
    /// hashed with for the case seeds, so it must not change between versions), else Swift's
    /// shortest round-tripping form (`0.5`, `1e-06`).
    public var yamlText: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int(self)) }
        return String(self)
    }
}

extension Bool: StageOptionValue {
    /// `true` or `false`.
    public var yamlText: String { self ? "true" : "false" }
}

extension String: StageOptionValue {
    /// Plain when it reads back as this string, else single-quoted.
    public var yamlText: String {
        let plain = !isEmpty && allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
            && Double(self) == nil && !["null", "true", "false", "yes", "no", "on", "off", "~"].contains(lowercased())
        return plain ? self : "'" + replacingOccurrences(of: "'", with: "''") + "'"
    }
}

extension Optional: StageOptionValue where Wrapped: StageOptionValue {
    /// `null` or the value's text.
    public var yamlText: String { map(\.yamlText) ?? "null" }
}

extension Array: StageOptionValue where Element: StageOptionValue {
    /// `[a, b, c]`.
    public var yamlText: String { "[" + map(\.yamlText).joined(separator: ", ") + "]" }
}

extension Dictionary: StageOptionValue where Key == String, Value: StageOptionValue {
    /// `{a: 1, b: 2}` in key order.
    public var yamlText: String {
        "{" + sorted { $0.key < $1.key }.map { "\($0.key.yamlText): \($0.value.yamlText)" }.joined(separator: ", ") + "}"
    }
}
