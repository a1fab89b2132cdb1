/// Keyed access to a mapping; records every key asked for so unknown keys can be reported.
///
/// Lookup is O(1) through an index built once per container (O(entries)).
struct YAMLKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    private let entries: [YAMLMappingEntry]
    private let positions: [String: Int]
    private let decoder: YAMLValueDecoder
    private let path: [YAMLPathComponent]

    init(entries: [YAMLMappingEntry], decoder: YAMLValueDecoder) {
        self.entries = entries
        self.decoder = decoder
        var positions: [String: Int] = [:]
        positions.reserveCapacity(entries.count)
        for (position, entry) in entries.enumerated() { positions[entry.key] = position }
        self.positions = positions
        self.path = decoder.session.components(decoder.codingPath)
        decoder.session.markVisited(path)
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    /// Every key of the mapping; asking for them all counts as asking for each.
    var allKeys: [Key] {
        for entry in entries { decoder.session.ask(entry.key, at: path) }
        return entries.compactMap { Key(stringValue: $0.key) }
    }

    func contains(_ key: Key) -> Bool {
        decoder.session.ask(key.stringValue, at: path)
        return positions[key.stringValue] != nil
    }

    /// The decoder for the value at `key`, or the missing-key error located at the mapping.
    private func child(_ key: Key) throws -> YAMLValueDecoder {
        let session = decoder.session
        session.ask(key.stringValue, at: path)
        guard let position = positions[key.stringValue] else {
            throw decoder.error(session.missingKeyMessage(key.stringValue, in: entries, path: path))
        }
        return decoder.child(entries[position].value, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decodeValue(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try child(key).unkeyedContainer()
    }

    /// The value at key `super`, or null there when absent (as JSONDecoder does).
    func superDecoder() throws -> any Decoder {
        let key = YAMLKey("super")
        decoder.session.ask(key.stringValue, at: path)
        guard let position = positions[key.stringValue] else {
            return decoder.child(.scalar(YAMLScalar(value: "", location: decoder.node.location)), key: key)
        }
        return decoder.child(entries[position].value, key: key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
}
