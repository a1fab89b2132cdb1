import Testing
@testable import FormulaModels

/// Hostile nesting: the parser refuses trees deeper than `FormulaParser.maximumDepth` with a
/// located error, never overflowing the stack, whatever the input's depth.
struct FormulaParserDepthTests {
    private func failure(_ text: String) throws -> FormulaParseError {
        try #require(throws: FormulaParseError.self) { try FormulaParser.parse(text, file: "f.txt") }
    }

    @Test func hundredThousandNestedBracketsFailAtTheLevelPastTheLimit() throws {
        let error = try failure("y = " + String(repeating: "(", count: 100_000) + "b1*x")
        #expect(error.message.contains("deeper than \(FormulaParser.maximumDepth) levels"))
        #expect(error.file == "f.txt")
        #expect(error.line == 1)
        #expect(error.column == 5 + FormulaParser.maximumDepth)  // the first '(' past the limit
        #expect(error.description.count < 400)  // the 100,000-character line is not echoed
    }

    @Test func nestedSquareBracketsOfFunctionsFail() throws {
        let error = try failure("y = " + String(repeating: "exp[", count: 50_000) + "b1*x")
        #expect(error.message.contains("deeper than"))
    }

    @Test func longUnaryMinusChainFails() throws {
        let error = try failure("y = " + String(repeating: "-", count: 100_000) + "b1*x")
        #expect(error.message.contains("deeper than"))
        #expect(error.column == 5 + FormulaParser.maximumDepth)
    }

    @Test func longPowerChainFails() throws {
        let error = try failure("y = b1*x" + String(repeating: "^x", count: 100_000))
        #expect(error.message.contains("deeper than"))
    }

    @Test func longSumChainFailsInsteadOfBuildingADeepTree() throws {
        let error = try failure("y = b1*x" + String(repeating: "+b1", count: 100_000))
        #expect(error.message.contains("deeper than"))
    }

    @Test func nestingJustUnderTheLimitParsesAndEvaluates() throws {
        let depth = FormulaParser.maximumDepth - 2
        let text = "y = " + String(repeating: "(", count: depth) + "b1*x" + String(repeating: ")", count: depth)
        let definition = try FormulaParser.parse(text)
        #expect(definition.parameterNames == ["b1"])
    }

    @Test func manyUnaryMinusesUnderTheLimitParse() throws {
        let text = "y = " + String(repeating: "-", count: 100) + "b1*x"
        #expect(try FormulaParser.parse(text).parameterNames == ["b1"])
    }
}
