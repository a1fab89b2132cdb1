import Testing
import JSONDocuments
@testable import YAMLDecoding

/// Hostile YAML: deep nesting and huge documents fail with a located message, no stack overflow.
struct YAMLHostileNestingTests {
    @Test func hundredThousandNestedFlowSequencesFailAtTheLimit() throws {
        let text = "a: " + String(repeating: "[", count: 100_000)
        let error = try #require(throws: YAMLError.self) { try YAMLParser.parse(text, file: "m.yaml") }
        #expect(error.message.contains("deeper than \(YAMLParser.maximumDepth) levels"))
        #expect(error.location?.file == "m.yaml")
        #expect(error.location?.line == 1)
        // The root mapping is level 1, so the '[' opening level maximumDepth + 1 is the maximumDepth-th.
        #expect(error.location?.column == 3 + YAMLParser.maximumDepth)
    }

    @Test func aliasesThatWouldNestTooDeepAreRefused() throws {
        var lines = ["l0: &l0 [x]"]
        for level in 1...250 { lines.append("l\(level): &l\(level) [*l\(level - 1)]") }
        let error = try #require(throws: YAMLError.self) { try YAMLParser.parse(lines.joined(separator: "\n"), file: "m.yaml") }
        #expect(error.message.contains("through alias"))
    }

    @Test func nestingUnderTheLimitParsesAndConvertsToJSON() throws {
        let depth = YAMLParser.maximumDepth - 1
        let text = "a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let node = try YAMLParser.parse(text, file: "m.yaml")
        #expect(node.jsonText(pretty: false).hasPrefix("{\"a\":[[["))
    }

    @Test func aLargeDocumentWithoutAliasesIsCalledLargeNotAliased() throws {
        let text = "[" + String(repeating: "0,", count: YAMLParser.maximumExpandedNodes) + "0]"
        let error = try #require(throws: YAMLError.self) { try YAMLParser.parse(text, file: "big.yaml") }
        #expect(!error.message.contains("alias"), "\(error.message)")
        #expect(error.message.contains("more than \(YAMLParser.maximumExpandedNodes) nodes"))
    }

    @Test func anAliasBombIsStillBlamedOnAliases() throws {
        var lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for (index, name) in ["b", "c", "d", "e", "f", "g", "h"].enumerated() {
            let previous = index == 0 ? "a" : ["b", "c", "d", "e", "f", "g"][index - 1]
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]")
        }
        let error = try #require(throws: YAMLError.self) { try YAMLParser.parse(lines.joined(separator: "\n"), file: "m.yaml") }
        #expect(error.message.contains("through aliases"))
    }
}

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
