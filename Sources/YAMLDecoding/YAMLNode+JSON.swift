import JSONDocuments
/// The tree as JSON, scalars resolved by the YAML 1.2 core schema (see `YAMLResolvedScalar`).
extension YAMLNode {
    /// Mappings become objects, sequences arrays; plain null/bool scalars become JSON
    /// null/true/false; plain numbers keep their written text made JSON-valid (`+1` → `1`,
    /// `.5` → `0.5`, `1_000` → `1000`, `0x1F` → `31`); `.nan`/`.inf`/`-.inf` become the strings
    /// `"NaN"`, `"Infinity"`, `"-Infinity"`; everything else, and every quoted scalar, is a string.
    var jsonTree: JSONValue {
        switch self {
        case .mapping(let entries, _):
            var members: [String: JSONValue] = [:]
            for entry in entries { members[entry.key] = entry.value.jsonTree }
            return .object(members)
        case .sequence(let items, _):
            return .array(items.map(\.jsonTree))
        case .scalar(let scalar):
            switch scalar.resolved {
            case .null: return .null
            case .bool(let value): return .bool(value)
            case .integer(let text): return YAMLNode.jsonInteger(text)
            case .float(let value):
                guard value.isFinite else { return .number(value) }
                return .number(YAMLNode.jsonDecimal(scalar.value))
            case .string: return .string(scalar.value)
            }
        }
    }

    /// The tree as JSON text with sorted keys (two-space indent and a final newline, or
    /// compact when `pretty` is false). Plain numbers keep their written text made JSON-valid
    /// (`+1` → `1`, `.5` → `0.5`, `1_000` → `1000`, `0x1F` → `31`); `.nan`, `.inf`, `-.inf`
    /// become the strings `"NaN"`, `"Infinity"`, `"-Infinity"`; plain `true`/`false`/null
    /// become JSON literals; every other scalar, and every quoted one, is a string.
    /// Cost: O(size of the tree).
    public func jsonText(pretty: Bool = true) -> String { jsonTree.text(pretty: pretty) }

    /// Normalised integer text: decimal digits without leading zeros; hex and octal in
    /// decimal (kept as the written text in a string when wider than 64 bits).
    private static func jsonInteger(_ text: String) -> JSONValue {
        for (prefix, radix) in [("0x", 16), ("0o", 8)] where text.hasPrefix(prefix) {
            guard let value = UInt64(text.dropFirst(2), radix: radix) else { return .string(text) }
            return .number(String(value))
        }
        let negative = text.hasPrefix("-")
        let digits = text.drop { $0 == "-" || $0 == "0" }
        if digits.isEmpty { return .number("0") }
        return .number((negative ? "-" : "") + digits)
    }

    /// Decimal float text in JSON's grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`.
    private static func jsonDecimal(_ written: String) -> String {
        var text = Substring(written.filter { $0 != "_" })
        var sign = ""
        if text.hasPrefix("-") { sign = "-" }
        if text.hasPrefix("-") || text.hasPrefix("+") { text = text.dropFirst() }
        var exponent = ""
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = "e" + text[text.index(after: e)...]
            text = text[..<e]
        }
        var whole = text, fraction: Substring = ""
        if let dot = text.firstIndex(of: ".") {
            whole = text[..<dot]
            fraction = text[text.index(after: dot)...]
        }
        let wholeDigits = whole.drop { $0 == "0" }
        return sign + (wholeDigits.isEmpty ? "0" : String(wholeDigits)) + (fraction.isEmpty ? "" : "." + fraction) + exponent
    }
}
