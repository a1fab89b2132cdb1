import JSONDocuments
import YAMLDecoding

extension YAMLNode {
    /// The tree as a ``JSONValue``, scalars resolved by the YAML 1.2 core schema (through
    /// YAMLDecoding's `jsonText`, so both agree on every scalar).
    public var jsonValue: JSONValue {
        (try? JSONParser.parse(jsonText(pretty: false))) ?? .null
    }
}
