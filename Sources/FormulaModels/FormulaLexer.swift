import MessageText
/// One token of formula text with its byte offset (for error carets).
struct FormulaToken: Equatable {
    enum Kind: Equatable {
        case number(Double)
        case identifier(String)
        case plus, minus, star, slash, power, equals, comma
        case open(Character), close(Character)
        case end
    }
    var kind: Kind
    /// Byte offset of the token's first character in the text.
    var offset: Int
}

/// Splits formula text into tokens. Newlines are whitespace: statements are separated by
/// the grammar (an expression ends where no operator follows), which is what lets NIST's
/// multi-line formulas (`... /` newline `(1+...)`, or a continuation line starting with
/// `+`) parse unchanged.
struct FormulaLexer {
    let bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.utf8) }

    /// All tokens, ending with `.end`; `error(offset, message)` builds the located error.
    func tokens(error: (Int, String) -> FormulaParseError) throws(FormulaParseError) -> [FormulaToken] {
        var result: [FormulaToken] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let start = index
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
                let value = try number(at: &index, error: error)
                result.append(FormulaToken(kind: .number(value), offset: start))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
                while index < bytes.count, isIdentifierByte(bytes[index]) { index += 1 }
                let name = String(decoding: bytes[start..<index], as: UTF8.self)
                result.append(FormulaToken(kind: .identifier(name), offset: start))
            case UInt8(ascii: "*"):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                    result.append(FormulaToken(kind: .power, offset: start))
                    index += 2
                } else {
                    result.append(FormulaToken(kind: .star, offset: start))
                    index += 1
                }
            default:
                let kind: FormulaToken.Kind
                switch byte {
                case UInt8(ascii: "+"): kind = .plus
                case UInt8(ascii: "-"): kind = .minus
                case UInt8(ascii: "/"): kind = .slash
                case UInt8(ascii: "^"): kind = .power
                case UInt8(ascii: "="): kind = .equals
                case UInt8(ascii: ","): kind = .comma
                case UInt8(ascii: "("): kind = .open("(")
                case UInt8(ascii: "["): kind = .open("[")
                case UInt8(ascii: ")"): kind = .close(")")
                case UInt8(ascii: "]"): kind = .close("]")
                default:
                    throw error(start, "unexpected character '\(characterDescription(at: start))'")
                }
                result.append(FormulaToken(kind: kind, offset: start))
                index += 1
            }
        }
        result.append(FormulaToken(kind: .end, offset: bytes.count))
        return result
    }

    private func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }

    private func isDigit(_ index: Int) -> Bool {
        index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
    }

    /// Scans `digits [. digits] [(e|E) [+|-] digits]` or `. digits [...]`.
    private func number(at index: inout Int, error: (Int, String) -> FormulaParseError) throws(FormulaParseError) -> Double {
        let start = index
        while isDigit(index) { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while isDigit(index) { index += 1 }
        }
        if index - start == 1, bytes[start] == UInt8(ascii: ".") {
            throw error(start, "expected a digit after '.'")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            var lookahead = index + 1
            if lookahead < bytes.count, bytes[lookahead] == UInt8(ascii: "+") || bytes[lookahead] == UInt8(ascii: "-") {
                lookahead += 1
            }
            if isDigit(lookahead) {
                index = lookahead
                while isDigit(index) { index += 1 }
            }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            throw error(index, "malformed number: unexpected second '.'")
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { throw error(start, "malformed number \(QuotedText.quoted(text))") }
        return value
    }

    private func characterDescription(at offset: Int) -> String {
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }
}
