
/// Reads JSON text (RFC 8259) into a `JSONValue`; used to read result bundles back.
///
/// Numbers keep their text (`.number("42")`, `.number("1e-05")`) after checking it is a
/// number. Cost: linear in the text.
///
/// Hostile input: arrays and objects nest at most ``maximumDepth`` levels (reading stops at
/// the bracket that opens the next level, so the recursion never goes deeper); a `\u` escape
/// must form a valid scalar (a high surrogate must be followed by a low one); a number must be
/// finite as a `Double` (`1e999999999` is refused: bundles write infinities as strings).
public struct JSONParser {
    /// Deepest nesting of arrays and objects accepted; a bundle's files nest fewer than 10 levels.
    public static let maximumDepth = 200

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    /// Parses `text`; throws `JSONSyntaxError` with the byte offset of the problem.
    public static func parse(_ text: String) throws -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == parser.bytes.count else { throw parser.error("unexpected text after the value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ message: String) -> JSONSyntaxError {
        var line = 1, lineStart = 0
        for index in 0..<min(position, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return JSONSyntaxError(offset: position, line: line, column: position - lineStart + 1, message: message)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ literal: String) throws {
        for byte in literal.utf8 {
            guard position < bytes.count, bytes[position] == byte else { throw error("expected '\(literal)'") }
            position += 1
        }
    }

    private mutating func parseValue() throws -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return try parseNumber()
        }
    }

    /// Enters one more level of nesting, refusing the level past ``maximumDepth``.
    private mutating func enterCollection() throws {
        guard depth < JSONParser.maximumDepth else {
            throw error("arrays and objects nest deeper than \(JSONParser.maximumDepth) levels")
        }
        depth += 1
    }

    private mutating func parseObject() throws -> JSONValue {
        try enterCollection()
        defer { depth -= 1 }
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a key") }
            let key = try parseString()
            skipWhitespace()
            try expect(":")
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            try expect("}")
            return .object(members)
        }
    }

    private mutating func parseArray() throws -> JSONValue {
        try enterCollection()
        defer { depth -= 1 }
        position += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(values) }
        while true {
            skipWhitespace()
            values.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw error("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            try expect("]")
            return .array(values)
        }
    }

    private mutating func parseString() throws -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var run: [UInt8] = []
        func flush(_ run: inout [UInt8], into scalars: inout String.UnicodeScalarView) {
            scalars.append(contentsOf: String(decoding: run, as: UTF8.self).unicodeScalars)
            run.removeAll(keepingCapacity: true)
        }
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") {
                flush(&run, into: &scalars)
                return String(scalars)
            }
            guard byte == UInt8(ascii: "\\") else { run.append(byte); continue }
            flush(&run, into: &scalars)
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                let escapeStart = position - 2
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        position = escapeStart
                        throw error("lone high surrogate \\u\(hex(code)) (not followed by a low surrogate)")
                    }
                    position += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        position = escapeStart
                        throw error("high surrogate \\u\(hex(code)) followed by \\u\(hex(low)), not a low surrogate")
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    position = escapeStart
                    throw error("lone low surrogate \\u\(hex(code))")
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                scalars.append(scalar)
            default: scalars.append(Unicode.Scalar(escape))
            }
        }
        throw error("unterminated string")
    }

    private func hex(_ code: UInt32) -> String {
        let digits = String(code, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count,
              let code = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
        else { throw error("invalid \\u escape") }
        position += 4
        return code
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") {
                position += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                position += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !text.isEmpty, let value = Double(text) else {
            position = start
            throw error("invalid value")
        }
        guard value.isFinite else {
            position = start
            let shown = text.count > 24 ? String(text.prefix(24)) + "…" : text
            throw error("number \(shown) is out of range for a double (bundles write infinities as strings)")
        }
        return .number(text)
    }
}

/// JSON that could not be read; `offset` is the byte where reading stopped.
public struct JSONSyntaxError: Error, Sendable, CustomStringConvertible {
    /// Byte offset of the problem.
    public var offset: Int
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column (in bytes) of the problem.
    public var column: Int
    /// What was wrong.
    public var message: String
    /// "line:column: invalid JSON: message" — prefixed with the file by whoever read it.
    public var description: String { "\(line):\(column): invalid JSON: \(message)" }
}
