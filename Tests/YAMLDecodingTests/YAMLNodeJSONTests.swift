import JSONDocuments
import Testing
@testable import YAMLDecoding

/// JSON text of YAML trees (resolved.json).
struct YAMLNodeJSONTests {
    @Test func sortedKeysAndResolvedScalars() throws {
        let node = try YAMLParser.parse("""
            seed: 42
            name: seed-lm
            quoted: "42"
            flag: true
            nothing: ~
            layers: [5, 9, 3]
            empty: []
            nested: { b: 1, a: 2 }
            """, file: "m.yaml")
        #expect(node.jsonText(pretty: false) == #"{"empty":[],"flag":true,"layers":[5,9,3],"name":"seed-lm","nested":{"a":2,"b":1},"nothing":null,"quoted":"42","seed":42}"#)
    }

    @Test(arguments: [
        ("1.50", "1.50"), (".5", "0.5"), ("-.5", "-0.5"), ("+1.", "1"), ("1e-3", "1e-3"), ("2.5E+04", "2.5e+04"),
        ("1_000", "1000"), ("007", "7"), ("-0", "0"), ("0x1F", "31"), ("0o17", "15"), ("0", "0"),
    ])
    func numbersKeepTheirWrittenFormInJSONGrammar(written: String, json: String) throws {
        #expect(try YAMLParser.parse(value: written).jsonTree == .number(json))
    }

    @Test func nonFiniteNumbersAreExplicitStrings() throws {
        let node = try YAMLParser.parse(value: "[.nan, .inf, -.inf]")
        #expect(node.jsonText(pretty: false) == #"["NaN","Infinity","-Infinity"]"#)
    }
}
