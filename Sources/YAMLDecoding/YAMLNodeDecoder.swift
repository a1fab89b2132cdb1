/// Decodes plain `Decodable` types from a located `YAMLNode` tree.
///
/// Beyond what `Decodable` checks by itself, keys present in the YAML that the decoded types
/// never asked for (through `decode`, `decodeIfPresent`, `contains`, nested containers or
/// `allKeys`) are errors, reported for the first such key in document order with a
/// did-you-mean among the keys that mapping was asked for. Every error is a `YAMLError`
/// reading `file:line:column: key.path: message`.
///
/// Scalars follow the YAML 1.2 core schema (see `YAMLResolvedScalar`): quoted scalars are
/// always strings; `Int` rejects `1.5` and out-of-range values; `Double` takes integers,
/// decimals, exponents, `.inf`, `-.inf`, `.nan`; `Bool` takes only `true`/`false`. A plain
/// empty value, `~` or `null` is nil for optionals, and an empty mapping or sequence when a
/// container is asked of it. A property of type `YAMLNode` receives its sub-tree as is
/// (its keys are then not checked; decode it later with `keyPath:`).
public struct YAMLNodeDecoder: Sendable {
    /// Values handed to every `init(from:)` as `decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]
    /// When false, keys that no type asked for are ignored instead of reported.
    public var rejectsUnknownKeys: Bool

    /// Creates a decoder that rejects unknown keys.
    public init(userInfo: [CodingUserInfoKey: any Sendable] = [:], rejectsUnknownKeys: Bool = true) {
        self.userInfo = userInfo
        self.rejectsUnknownKeys = rejectsUnknownKeys
    }

    /// Decodes `type` from `node`.
    ///
    /// - Parameter keyPath: where `node` sits in its document (`["solver"]`), prefixed to the
    ///   key paths of messages; empty for a whole document.
    /// - Throws: `YAMLError` for a wrong type, a missing key, an unknown key, or any error
    ///   thrown by an `init(from:)` (located at the node being decoded).
    /// - Complexity: O(size of the tree) plus the cost of the types' initialisers.
    public func decode<T: Decodable>(_ type: T.Type, from node: YAMLNode, keyPath: [String] = []) throws -> T {
        let session = YAMLDecodingSession(root: node, prefix: keyPath, userInfo: userInfo)
        let decoder = YAMLValueDecoder(node: node, codingPath: keyPath.map { YAMLKey($0) }, session: session)
        let value = try decoder.decodeValue(type)
        if rejectsUnknownKeys, let unknown = session.firstUnknownKey() { throw unknown }
        return value
    }

    /// Parses `text` (one YAML document) and decodes `type` from it.
    public func decode<T: Decodable>(_ type: T.Type, fromYAML text: String, file: String) throws -> T {
        try decode(type, from: YAMLParser.parse(text, file: file))
    }
}

extension YAMLNode: Decodable {
    /// Takes the sub-tree as is when decoded by `YAMLNodeDecoder`; other decoders are refused.
    public init(from decoder: any Decoder) throws {
        guard let yamlDecoder = decoder as? YAMLValueDecoder else {
            throw DecodingError.typeMismatch(
                YAMLNode.self, .init(codingPath: decoder.codingPath, debugDescription: "YAMLNode decodes only with YAMLNodeDecoder"))
        }
        self = yamlDecoder.node
    }
}
