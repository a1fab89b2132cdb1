/// A YAML document as a tree in which every node carries where it was written.
///
/// Aliases are already expanded (an alias is a copy of its anchored node, locations
/// included); merge keys (`<<`) are already merged. Mapping order is the document order.
public indirect enum YAMLNode: Sendable, Hashable {
    /// A scalar (string, number, bool or null as written).
    case scalar(YAMLScalar)
    /// A sequence and the location of its first item (block) or `[` (flow).
    case sequence([YAMLNode], SourceLocation)
    /// A mapping, entries in document order, and the location of its first key (block) or `{` (flow).
    case mapping([YAMLMappingEntry], SourceLocation)

    /// Where the node starts.
    public var location: SourceLocation {
        switch self {
        case .scalar(let scalar): scalar.location
        case .sequence(_, let location), .mapping(_, let location): location
        }
    }

    /// The entry value for `key` when this is a mapping that has it; nil otherwise.
    public subscript(key: String) -> YAMLNode? {
        guard case .mapping(let entries, _) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// True for a plain `null`, `Null`, `NULL`, `~` or empty scalar (the YAML 1.2 core-schema nulls).
    public var isNull: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.resolved == .null
    }

    /// A short phrase for messages: `a mapping`, `a sequence`, `null`, or the quoted scalar text.
    public var summary: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .scalar(let scalar):
            if scalar.resolved == .null { return "null" }
            let text = scalar.value.count > 40 ? String(scalar.value.prefix(40)) + "…" : scalar.value
            return scalar.isQuoted ? "string '\(text)'" : "'\(text)'"
        }
    }
}

/// One `key: value` pair of a mapping; keys are scalars and kept exactly as written.
public struct YAMLMappingEntry: Sendable, Hashable {
    /// The key text exactly as written (manifest keys are kebab-case).
    public var key: String
    /// Where the key starts.
    public var keyLocation: SourceLocation
    /// The value.
    public var value: YAMLNode

    /// Creates an entry.
    public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}
