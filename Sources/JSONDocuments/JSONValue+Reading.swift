
/// Reading values back out of bundles (summary.json, status.json) and building them.
extension JSONValue {
    /// A JSON integer.
    public static func integer(_ value: Int) -> JSONValue { .number(String(value)) }

    /// The member `key` of an object, nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The value as a double: numbers, and the explicit strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public var numberValue: Double? {
        switch self {
        case .number(let text): return Double(text)
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        default: return nil
        }
    }

    /// The string of a `.string`, nil otherwise.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer of a number written without fraction or exponent, nil otherwise.
    public var integerValue: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    /// The elements of an `.array`, nil otherwise.
    public var arrayValue: [JSONValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    /// The members of an `.object`, nil otherwise.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Compact one-line text with sorted keys (used for hashing and matching cases).
    public var canonicalText: String { text(pretty: false) }
}
