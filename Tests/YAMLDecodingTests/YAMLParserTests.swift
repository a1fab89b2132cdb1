import Testing
@testable import YAMLDecoding

/// Parsing: the node tree, its locations, and the parser's errors.
struct YAMLParserTests {
    private func parse(_ text: String) throws -> YAMLNode { try YAMLParser.parse(text, file: "t.yaml") }

    private func scalar(_ node: YAMLNode?) -> YAMLScalar? {
        guard case .scalar(let scalar) = node else { return nil }
        return scalar
    }

    @Test func nestedMappingsKeepOrderAndLocations() throws {
        let node = try parse("""
            name: seed
            solver:
              kind: lm
              max-iterations: 200
            """)
        guard case .mapping(let entries, let location) = node else { Issue.record("not a mapping"); return }
        #expect(entries.map(\.key) == ["name", "solver"])
        #expect(location == SourceLocation(file: "t.yaml", line: 1, column: 1))
        guard case .mapping(let inner, let innerLocation) = entries[1].value else { Issue.record("solver"); return }
        #expect(inner.map(\.key) == ["kind", "max-iterations"])
        #expect(innerLocation.line == 3 && innerLocation.column == 3)
        #expect(inner[1].keyLocation == SourceLocation(file: "t.yaml", line: 4, column: 3))
        #expect(inner[1].value.location == SourceLocation(file: "t.yaml", line: 4, column: 19))
        #expect(scalar(inner[1].value)?.value == "200")
    }

    @Test func blockAndFlowSequences() throws {
        let node = try parse("""
            layers: [5, 9, 3]
            evaluation:
              - { kind: fit }
              - kind: timing
                repeats: 50
            """)
        guard case .sequence(let layers, _) = node["layers"] else { Issue.record("layers"); return }
        #expect(layers.compactMap { scalar($0)?.value } == ["5", "9", "3"])
        #expect(layers[2].location.column == 16)
        guard case .sequence(let evaluations, _) = node["evaluation"] else { Issue.record("evaluation"); return }
        #expect(evaluations.count == 2)
        #expect(scalar(evaluations[0]["kind"])?.value == "fit")
        #expect(scalar(evaluations[1]["repeats"])?.value == "50")
        #expect(evaluations[1]["repeats"]?.location.line == 5)
    }

    @Test func quotingStylesAndBlockScalars() throws {
        let node = try parse("""
            plain: 42
            single: '42'
            double: "tab\\there"
            literal: |
              line one
              line two
            folded: >
              folded
              text
            # a comment line
            after: x # trailing comment
            """)
        #expect(scalar(node["plain"])?.style == .plain)
        #expect(scalar(node["single"])?.isQuoted == true)
        #expect(scalar(node["double"])?.value == "tab\there")
        #expect(scalar(node["literal"])?.value == "line one\nline two\n")
        #expect(scalar(node["literal"])?.style == .literal)
        #expect(scalar(node["folded"])?.value == "folded text\n")
        #expect(scalar(node["after"])?.value == "x")
        if case .mapping(let entries, _) = node { #expect(entries.count == 6) }
    }

    @Test func emptyInputIsAnEmptyMapping() throws {
        for text in ["", "# only a comment\n", "---\n", "---\n...\n"] {
            let node = try parse(text)
            guard case .mapping(let entries, _) = node else { Issue.record("\(text.debugDescription) → \(node)"); continue }
            #expect(entries.isEmpty)
        }
    }

    @Test func syntaxErrorCarriesLibyamlMarkAndProblem() throws {
        // Line 3 has a mapping value where none is allowed.
        let error = try #require(throws: YAMLError.self) {
            try parse("a: 1\nb: 2\nc: d: e\n")
        }
        #expect(error.location == SourceLocation(file: "t.yaml", line: 3, column: 5))
        #expect(error.message.contains("mapping values are not allowed"))
        #expect(error.description.hasPrefix("t.yaml:3:5: mapping values are not allowed"))
    }

    @Test func unclosedFlowSequenceIsASyntaxError() throws {
        let error = try #require(throws: YAMLError.self) { try parse("layers: [5, 9\nname: x\n") }
        #expect(error.location?.file == "t.yaml")
        #expect(error.location?.line == 2)
        #expect(!error.message.isEmpty)
    }

    @Test func tabIndentationIsExplained() throws {
        let error = try #require(throws: YAMLError.self) { try parse("layers:\n\t- 5\n") }
        #expect(error.location == SourceLocation(file: "t.yaml", line: 2, column: 1))
        #expect(error.message.hasSuffix("this is a tab, and YAML indents with spaces only"))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let error = try #require(throws: YAMLError.self) { try parse("b: 'é€😀': 1\n") }
        #expect(error.location?.column == 9)
        let node = try parse("a: [é€😀, x]\n")
        #expect(node.value(atPath: ["a", "1"])?.location.column == 10)
    }

    @Test func controlCharacterIsLocated() throws {
        let error = try #require(throws: YAMLError.self) { try parse("a: 1\nbé: x\u{07}y\n") }
        #expect(error.location == SourceLocation(file: "t.yaml", line: 2, column: 6))
        #expect(error.message == "control characters are not allowed")
    }

    @Test func duplicateKeyNamesBothLines() throws {
        let error = try #require(throws: YAMLError.self) {
            try parse("seed: 1\nname: x\nseed: 2\n")
        }
        #expect(error.location == SourceLocation(file: "t.yaml", line: 3, column: 1))
        #expect(error.message == "duplicate key 'seed' on line 3 (first defined on line 1)")
    }

    @Test func secondDocumentIsAnError() throws {
        let error = try #require(throws: YAMLError.self) { try parse("a: 1\n---\nb: 2\n") }
        #expect(error.location?.line == 2)
        #expect(error.message.contains("second YAML document"))
    }

    @Test func aliasExpandsToTheAnchoredNode() throws {
        let node = try parse("""
            base: &layers [5, 9, 3]
            model: { layers: *layers }
            """)
        #expect(node["model"]?["layers"] == node["base"])
    }

    @Test func undefinedAliasIsAnError() throws {
        let error = try #require(throws: YAMLError.self) { try parse("a: *nowhere\n") }
        #expect(error.description == "t.yaml:1:4: alias '*nowhere' refers to no anchor defined before it")
    }

    @Test func recursiveAliasIsAnError() throws {
        let error = try #require(throws: YAMLError.self) { try parse("a: &x [1, *x]\n") }
        #expect(error.location == SourceLocation(file: "t.yaml", line: 1, column: 11))
        #expect(error.message == "alias '*x' refers to a collection that contains it; recursive structures are not supported")
    }

    @Test func mergeKeysMergeWithExplicitKeysWinning() throws {
        let node = try parse("""
            defaults: &d { kind: lm, max-iterations: 100 }
            solver:
              <<: *d
              max-iterations: 200
            """)
        guard case .mapping(let entries, _) = node["solver"] else { Issue.record("solver"); return }
        #expect(entries.map(\.key) == ["kind", "max-iterations"])
        #expect(scalar(node["solver"]?["max-iterations"])?.value == "200")
    }

    @Test func aliasBombIsRefused() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...7 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        let error = try #require(throws: YAMLError.self) { try parse(text) }
        #expect(error.message.contains("expands to more than"))
    }

    @Test func nonScalarKeyIsAnError() throws {
        let error = try #require(throws: YAMLError.self) { try parse("? [a, b]\n: 1\n") }
        #expect(error.message.contains("keys must be scalars"))
    }

    @Test(arguments: [
        ("[5, 32, 3]", 3),
        ("0.1", 0),
        ("tanh", 0),
        ("", 0),
    ])
    func commandLineValues(text: String, items: Int) throws {
        let node = try YAMLParser.parse(value: text)
        switch node {
        case .sequence(let values, _): #expect(values.count == items)
        case .scalar(let scalar): #expect(scalar.value == text && items == 0)
        case .mapping: Issue.record("unexpected mapping for \(text)")
        }
        #expect(node.location.file == "command line")
    }
}
