import JSONDocuments
import Testing

/// JSON values: numbers from doubles, and their text.
struct JSONValueTests {
    @Test func nonFiniteNumbersAreExplicitStrings() {
        #expect(JSONValue.number(Double.nan) == .string("NaN"))
        #expect(JSONValue.number(Double.infinity) == .string("Infinity"))
        #expect(JSONValue.number(-Double.infinity) == .string("-Infinity"))
        #expect(JSONValue.number(0.1) == .number("0.1"))
    }

    @Test func prettyTextAndEscapes() {
        let value = JSONValue.object(["b": .array([.number("1"), .null]), "a": .string("q\"\\\n\u{01}é")])
        #expect(value.text() == """
            {
              "a": "q\\"\\\\\\n\\u0001é",
              "b": [
                1,
                null
              ]
            }

            """)
    }
}
