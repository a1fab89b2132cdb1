/// Text from an input file or manifest, made safe to show inside an error message: cut to a
/// short prefix (a message never echoes a multi-megabyte value) with control characters,
/// quotes and non-printable bytes escaped (so a message cannot rewrite the terminal or hide
/// where a value ends).
public enum QuotedText {
    /// Most characters of a value a message shows.
    public static let maximumShown = 40

    /// `'value'`, cut to `limit` characters (then `…`) and escaped.
    public static func quoted(_ value: some StringProtocol, limit: Int = maximumShown) -> String {
        "'" + shown(value, limit: limit) + "'"
    }

    /// Most characters of a file path a message shows (paths are partly the tool's own).
    public static let maximumPathShown = 400

    /// The value's first `limit` characters, escaped, with `…` when cut.
    public static func shown(_ value: some StringProtocol, limit: Int = maximumShown) -> String {
        var result = ""
        var count = 0
        for character in value {
            if count == limit {
                result += "…"
                break
            }
            result += escaped(character)
            count += 1
        }
        return result
    }

    /// Whether `name` reads as a column or field name a message may list: 1 to 64
    /// characters, a letter or `_` first, then letters, digits, spaces and `_ . - + % ( ) [ ]`.
    /// A line of another kind of file (`root:x:0:0:…`, `HOME=/root`) is not one, so messages
    /// about such a "header" never echo it.
    public static func isPlainName(_ name: some StringProtocol) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 64, first == "_" || isLetter(first) else { return false }
        return name.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) || " _.-+%()[]".unicodeScalars.contains($0) }
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static func escaped(_ character: Character) -> String {
        var text = ""
        for scalar in character.unicodeScalars {
            switch scalar {
            case "\n": text += "\\n"
            case "\t": text += "\\t"
            case "\r": text += "\\r"
            case "'": text += "\\'"
            case "\\": text += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || scalar.properties.generalCategory == .format {
                    text += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        return text
    }
}
