import Testing
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
