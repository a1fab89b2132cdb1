/// What a scalar means under the YAML 1.2 core schema.
///
/// Jacobench's choices, beyond the core schema:
/// - Booleans are `true`/`false` (also `True`, `TRUE`, `False`, `FALSE`); YAML 1.1's
///   `yes`/`no`/`on`/`off` are plain strings, so `yes` for a `Bool` is an error.
/// - Integers: `[-+]?[0-9]+`, `0x…`, `0o…`; underscores between digits (`1_000_000`) are
///   accepted for readability, as in Swift literals.
/// - Floats: decimal with optional fraction and exponent (`1.5`, `.5`, `1e-3`, `-2.5E+4`),
///   `.inf`, `-.inf`, `+.inf`, `.nan` (any of the core schema's capitalisations);
///   underscores between digits accepted.
/// - Quoted and block scalars and `!!str`-tagged scalars are strings whatever their text.
public enum YAMLResolvedScalar: Sendable, Equatable {
    /// `~`, `null`, `Null`, `NULL` or nothing.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer literal; the associated text has underscores and a leading `+` removed
    /// and keeps its `0x`/`0o` prefix.
    case integer(String)
    /// A float literal (including `.inf`, `.nan`) and its value.
    case float(Double)
    /// Anything else, or any quoted scalar.
    case string
}

extension YAMLScalar {
    /// This scalar's meaning under the YAML 1.2 core schema (see `YAMLResolvedScalar`).
    public var resolved: YAMLResolvedScalar {
        if isQuoted { return .string }
        return YAMLScalar.resolvePlain(value)
    }

    /// Resolves plain-scalar text by the core schema plus digit underscores.
    static func resolvePlain(_ text: String) -> YAMLResolvedScalar {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        let utf8 = Array(text.utf8)
        if let integer = integerText(utf8) { return .integer(integer) }
        if isDecimalFloat(utf8) {
            let cleaned = String(decoding: utf8.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            if let value = Double(cleaned) { return .float(value) }
        }
        return .string
    }

    private static func isDigit(_ c: UInt8, radix: Int) -> Bool {
        switch radix {
        case 8: return c >= UInt8(ascii: "0") && c <= UInt8(ascii: "7")
        case 16:
            return (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
                || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
        default: return c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")
        }
    }

    /// Digits of `radix` with single underscores only between digits; returns the digits
    /// without underscores, or nil.
    private static func digitRun(_ bytes: ArraySlice<UInt8>, radix: Int) -> [UInt8]? {
        guard let first = bytes.first, let last = bytes.last,
              isDigit(first, radix: radix), isDigit(last, radix: radix) else { return nil }
        var digits: [UInt8] = []
        digits.reserveCapacity(bytes.count)
        var previousWasUnderscore = false
        for c in bytes {
            if c == UInt8(ascii: "_") {
                if previousWasUnderscore { return nil }
                previousWasUnderscore = true
            } else if isDigit(c, radix: radix) {
                digits.append(c)
                previousWasUnderscore = false
            } else {
                return nil
            }
        }
        return digits
    }

    /// `[-+]?[0-9_]+`, `0x[0-9a-fA-F_]+`, `0o[0-7_]+` → normalised text, else nil.
    private static func integerText(_ bytes: [UInt8]) -> String? {
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0") {
            if bytes[1] == UInt8(ascii: "x"), let digits = digitRun(bytes[2...], radix: 16) {
                return "0x" + String(decoding: digits, as: UTF8.self)
            }
            if bytes[1] == UInt8(ascii: "o"), let digits = digitRun(bytes[2...], radix: 8) {
                return "0o" + String(decoding: digits, as: UTF8.self)
            }
        }
        var body = bytes[...]
        var sign = ""
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            if first == UInt8(ascii: "-") { sign = "-" }
            body = body.dropFirst()
        }
        guard let digits = digitRun(body, radix: 10) else { return nil }
        return sign + String(decoding: digits, as: UTF8.self)
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` with digit underscores.
    private static func isDecimalFloat(_ bytes: [UInt8]) -> Bool {
        var body = bytes[...]
        if let first = body.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            body = body.dropFirst()
        }
        var exponent: ArraySlice<UInt8> = []
        if let e = body.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            exponent = body[(e + 1)...]
            body = body[..<e]
            if let first = exponent.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
                exponent = exponent.dropFirst()
            }
            guard digitRun(exponent, radix: 10) != nil else { return false }
        }
        if let dot = body.firstIndex(of: UInt8(ascii: ".")) {
            let whole = body[..<dot], fraction = body[(dot + 1)...]
            if whole.isEmpty && fraction.isEmpty { return false }
            if !whole.isEmpty && digitRun(whole, radix: 10) == nil { return false }
            if !fraction.isEmpty && digitRun(fraction, radix: 10) == nil { return false }
            return true
        }
        return digitRun(body, radix: 10) != nil
    }

    /// The integer this scalar denotes as a `T`, `.outOfRange` when it is an integer literal
    /// that `T` cannot hold, or `.notAnInteger`.
    func integerValue<T: FixedWidthInteger>(_ type: T.Type) -> IntegerReading<T> {
        guard case .integer(let text) = resolved else { return .notAnInteger }
        let value: T?
        if text.hasPrefix("0x") {
            value = T(text.dropFirst(2), radix: 16)
        } else if text.hasPrefix("0o") {
            value = T(text.dropFirst(2), radix: 8)
        } else {
            value = T(text, radix: 10)
        }
        guard let value else { return .outOfRange }
        return .value(value)
    }

    /// The number this scalar denotes (integers converted), or nil.
    var doubleValue: Double? {
        switch resolved {
        case .float(let value): return value
        case .integer(let text):
            if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16).map { Double($0) } }
            if text.hasPrefix("0o") { return UInt64(text.dropFirst(2), radix: 8).map { Double($0) } }
            return Double(text)
        default: return nil
        }
    }
}

/// The outcome of reading a scalar as a fixed-width integer.
enum IntegerReading<T: FixedWidthInteger> {
    case value(T)
    case outOfRange
    case notAnInteger
}
