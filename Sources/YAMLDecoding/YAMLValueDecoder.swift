/// The `Decoder` for one node; also its own single-value container.
struct YAMLValueDecoder: Decoder, SingleValueDecodingContainer {
    let node: YAMLNode
    let codingPath: [any CodingKey]
    let session: YAMLDecodingSession

    var userInfo: [CodingUserInfoKey: Any] { session.userInfo }

    func error(_ message: String) -> YAMLError {
        session.error(message, at: node, codingPath: codingPath)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let entries: [YAMLMappingEntry]
        switch node {
        case .mapping(let items, _): entries = items
        case .scalar where node.isNull: entries = []
        default: throw error("expected a mapping, found \(node.summary)")
        }
        return KeyedDecodingContainer(YAMLKeyedContainer<Key>(entries: entries, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        switch node {
        case .sequence(let items, _): return YAMLUnkeyedContainer(items: items, decoder: self)
        case .scalar where node.isNull: return YAMLUnkeyedContainer(items: [], decoder: self)
        default: throw error("expected a sequence, found \(node.summary)")
        }
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    /// A decoder for a child node.
    func child(_ node: YAMLNode, key: any CodingKey) -> YAMLValueDecoder {
        YAMLValueDecoder(node: node, codingPath: codingPath + [key], session: session)
    }

    // MARK: Single value

    func decodeNil() -> Bool { node.isNull }

    func decode(_ type: Bool.Type) throws -> Bool {
        let scalar = try scalar(expected: "true or false")
        guard case .bool(let value) = scalar.resolved else {
            let yaml11 = ["yes", "no", "on", "off", "y", "n"].contains(scalar.value.lowercased()) && !scalar.isQuoted
            throw error("expected true or false, found \(node.summary)" + (yaml11 ? " (YAML 1.2 booleans are only true and false)" : ""))
        }
        return value
    }

    func decode(_ type: String.Type) throws -> String {
        let scalar = try scalar(expected: "a string")
        if !scalar.isQuoted && scalar.resolved == .null {
            throw error("expected a string, found null (an empty value is null in YAML; write '' for an empty string)")
        }
        return scalar.value
    }

    func decode(_ type: Double.Type) throws -> Double {
        let scalar = try scalar(expected: "a number")
        guard !scalar.isQuoted, let value = scalar.doubleValue else {
            throw error("expected a number, found \(node.summary)")
        }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float {
        let value = try decode(Double.self)
        let narrowed = Float(value)
        if value.isFinite && !narrowed.isFinite {
            throw error("\(value) is out of range for Float")
        }
        return narrowed
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeValue(type) }

    // MARK: Dispatch

    /// Decodes any `Decodable`, reading scalars directly and translating errors thrown by
    /// `init(from:)` into located `YAMLError`s.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == YAMLNode.self, let node = node as? T { return node }
        if let scalarType = T.self as? any YAMLScalarDecodable.Type {
            guard let value = try scalarType.decodeScalar(from: self) as? T else {
                throw error("internal error: \(T.self) did not decode as itself")
            }
            return value
        }
        do {
            return try T(from: self)
        } catch let error as YAMLError {
            throw error
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.count == codingPath.count,
               let enumError = invalidCase(of: T.self) {
                throw enumError
            }
            throw session.translate(error)
        } catch {
            throw self.error("\(error)")
        }
    }

    /// For a `CaseIterable & RawRepresentable` type: "unknown value 'x' (expected one of …)".
    private func invalidCase<T>(of type: T.Type) -> YAMLError? {
        guard case .scalar(let scalar) = node, let cases = type as? any CaseIterable.Type else { return nil }
        let names = Self.caseNames(cases)
        let suggestion = KeySuggestion.phrase(for: scalar.value, among: names)
        return error("unknown value '\(scalar.value)'\(suggestion); expected one of: \(names.joined(separator: ", "))")
    }

    private static func caseNames<C: CaseIterable>(_ type: C.Type) -> [String] {
        C.allCases.map { value in
            if let raw = value as? any RawRepresentable { "\(raw.rawValue)" } else { "\(value)" }
        }
    }

    private func scalar(expected: String) throws -> YAMLScalar {
        guard case .scalar(let scalar) = node else {
            throw error("expected \(expected), found \(node.summary)")
        }
        return scalar
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let scalar = try scalar(expected: "an integer")
        guard !scalar.isQuoted else { throw error("expected an integer, found \(node.summary)") }
        switch scalar.integerValue(type) {
        case .value(let value): return value
        case .outOfRange: throw error("\(scalar.value) is out of range for \(T.self) (\(T.min)...\(T.max))")
        case .notAnInteger: throw error("expected an integer, found \(node.summary)")
        }
    }
}

/// Types `YAMLValueDecoder.decodeValue` reads straight from a scalar, so nested `decode`
/// calls of containers get the same messages as single-value containers.
protocol YAMLScalarDecodable {
    static func decodeScalar(from decoder: YAMLValueDecoder) throws -> Any
}

extension Bool: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Bool.self) } }
extension String: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(String.self) } }
extension Double: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Double.self) } }
extension Float: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Float.self) } }
extension Int: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Int.self) } }
extension Int8: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Int8.self) } }
extension Int16: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Int16.self) } }
extension Int32: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Int32.self) } }
extension Int64: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(Int64.self) } }
extension UInt: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(UInt.self) } }
extension UInt8: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(UInt8.self) } }
extension UInt16: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(UInt16.self) } }
extension UInt32: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(UInt32.self) } }
extension UInt64: YAMLScalarDecodable { static func decodeScalar(from d: YAMLValueDecoder) throws -> Any { try d.decode(UInt64.self) } }
