/// Width estimates of text in the chart font, for layout without a font engine.
///
/// The per-character widths (in em) are those of DejaVu Sans, the widest of the fonts in the
/// chart font stack, so estimates err on the side of leaving room rather than overlapping.
enum TextMetrics {
    /// Estimated advance width of `text` at `fontSize` pixels (bold adds 8 %).
    static func width(of text: String, fontSize: Double, bold: Bool = false) -> Double {
        var ems = 0.0
        for character in text {
            ems += emWidth(of: character)
        }
        return ems * fontSize * (bold ? 1.08 : 1)
    }

    /// `text` cut at a character boundary and ended with "…" so that its estimated width is
    /// at most `maximumWidth`; unchanged when it already fits.
    static func truncated(_ text: String, fontSize: Double, maximumWidth: Double, bold: Bool = false) -> String {
        guard width(of: text, fontSize: fontSize, bold: bold) > maximumWidth else { return text }
        let budget = maximumWidth - width(of: "…", fontSize: fontSize, bold: bold)
        var result = ""
        var used = 0.0
        for character in text {
            let advance = emWidth(of: character) * fontSize * (bold ? 1.08 : 1)
            guard used + advance <= budget else { break }
            result.append(character)
            used += advance
        }
        while result.last == " " { result.removeLast() }
        return result + "…"
    }

    private static func emWidth(of character: Character) -> Double {
        if character.isNumber && character.isASCII { return 0.64 }
        switch character {
        case " ": return 0.32
        case "i", "l", ".", ",", ":", ";", "'", "|", "!", "j": return 0.3
        case "f", "t", "r", "I", "(", ")", "[", "]", "-": return 0.4
        case "m", "w", "M", "W": return 0.95
        case "×", "∝", "—", "%", "≥", "≤": return 0.84
        case "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "⁻": return 0.42
        default:
            if character.isUppercase { return 0.72 }
            if character.isLowercase { return 0.6 }
            return 0.65
        }
    }
}
