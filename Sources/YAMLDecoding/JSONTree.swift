/// The JSON form behind `YAMLNode.jsonText` (internal: the Pipeline module has its own public
/// `JSONValue` for result bundles). Objects print with sorted keys,
/// numbers keep the text they were written with, and NaN and infinities are explicit
/// strings (`"NaN"`, `"Infinity"`, `"-Infinity"`) because JSON has no literal for them.
enum JSONTree: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` / `false`.
    case bool(Bool)
    /// A number, as valid JSON number text (`42`, `-0.5`, `1e-3`).
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONTree])
    /// An object; printed with keys in ascending order.
    case object([String: JSONTree])

    /// A number from a `Double`: shortest round-trip text; NaN and ±∞ become the strings
    /// `"NaN"`, `"Infinity"`, `"-Infinity"`.
    static func number(_ value: Double) -> JSONTree {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        return .number("\(value)")
    }

    /// JSON text with sorted keys: pretty (two-space indent, a newline at the end) or compact.
    /// Cost: O(size); key sorting O(k log k) per object.
    func text(pretty: Bool = true) -> String {
        var output = ""
        write(to: &output, indent: pretty ? 0 : nil)
        if pretty { output += "\n" }
        return output
    }

    private func write(to output: inout String, indent: Int?) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): JSONTree.writeQuoted(text, to: &output)
        case .array(let items):
            guard !items.isEmpty else { output += "[]"; return }
            output += "["
            for (position, item) in items.enumerated() {
                if position > 0 { output += "," }
                JSONTree.newline(&output, indent.map { $0 + 1 })
                item.write(to: &output, indent: indent.map { $0 + 1 })
            }
            JSONTree.newline(&output, indent)
            output += "]"
        case .object(let members):
            guard !members.isEmpty else { output += "{}"; return }
            output += "{"
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 { output += "," }
                JSONTree.newline(&output, indent.map { $0 + 1 })
                JSONTree.writeQuoted(key, to: &output)
                output += indent == nil ? ":" : ": "
                members[key]?.write(to: &output, indent: indent.map { $0 + 1 })
            }
            JSONTree.newline(&output, indent)
            output += "}"
        }
    }

    private static func newline(_ output: inout String, _ indent: Int?) {
        guard let indent else { return }
        output += "\n"
        output += String(repeating: "  ", count: indent)
    }

    private static func writeQuoted(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
