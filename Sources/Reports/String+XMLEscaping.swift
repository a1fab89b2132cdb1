extension String {
    /// The string with `&`, `<`, `>`, `"` and `'` replaced by character references, safe
    /// both as XML/HTML text content and inside a double- or single-quoted attribute.
    var xmlEscaped: String {
        guard contains(where: { "&<>\"'".contains($0) }) else { return self }
        var escaped = ""
        escaped.reserveCapacity(count + 16)
        for character in self {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
