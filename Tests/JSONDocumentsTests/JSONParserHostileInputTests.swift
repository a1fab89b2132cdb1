import JSONDocuments
import Testing

/// Hostile JSON for the bundle reader: depth, surrogates, huge exponents.
struct JSONParserHostileInputTests {
    private func failure(_ text: String) throws -> JSONSyntaxError {
        try #require(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func hundredThousandNestedArraysFailAtTheLimit() throws {
        let error = try failure(String(repeating: "[", count: 100_000))
        #expect(error.message.contains("deeper than \(JSONParser.maximumDepth) levels"))
        #expect(error.offset == JSONParser.maximumDepth)
        #expect(error.line == 1 && error.column == JSONParser.maximumDepth + 1)
    }

    @Test func nestedObjectsFailToo() throws {
        let error = try failure(String(repeating: "{\"a\":", count: 100_000))
        #expect(error.message.contains("deeper than"))
    }

    @Test func nestingAtTheLimitParses() throws {
        let depth = JSONParser.maximumDepth
        let value = try JSONParser.parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        #expect(value.arrayValue?.count == 1)
    }

    @Test(arguments: [
        (#""\uD800""#, "lone high surrogate"),
        (#""\uD800x""#, "lone high surrogate"),
        (#""\uD800\u0041""#, "not a low surrogate"),
        (#""\uDC00""#, "lone low surrogate"),
    ])
    func invalidSurrogatesAreErrors(text: String, expected: String) throws {
        let error = try failure(text)
        #expect(error.message.contains(expected), "\(error)")
    }

    @Test func aSurrogatePairDecodes() throws {
        #expect(try JSONParser.parse(#""\uD83D\uDE00""#) == .string("😀"))
    }

    @Test func hugeExponentsAreOutOfRange() throws {
        let error = try failure("{\n  \"x\": 1e999999999\n}")
        #expect(error.message.contains("out of range"))
        #expect(error.line == 2 && error.column == 8)
        #expect(try failure("-1e400").message.contains("out of range"))
        #expect(try JSONParser.parse("1e-999999999") == .number("1e-999999999"))  // underflows to 0: finite
    }
}
