import Testing
import YAMLDecoding

/// Key-path lookup and replacement (`--set`, sweeps).
struct YAMLNodePathTests {
    private let document = """
        model:
          kind: mlp
          layers: [5, 9, 3]
        evaluation:
          - { kind: fit }
          - { kind: jacobian-timing, repeats: 50 }
        solver:
        """

    @Test(arguments: [
        ("model.layers", ["model", "layers"]),
        ("evaluation[1].repeats", ["evaluation", "1", "repeats"]),
        ("a[0][2]", ["a", "0", "2"]),
        ("seed", ["seed"]),
    ])
    func pathComponents(dotted: String, expected: [String]) {
        #expect(YAMLNode.pathComponents(dotted) == expected)
    }

    @Test func replaceANestedValue() throws {
        let root = try YAMLParser.parse(document, file: "m.yaml")
        let layers = try YAMLParser.parse(value: "[5, 32, 3]")
        let replaced = try root.replacingValue(atPath: ["model", "layers"], with: layers)
        #expect(replaced.value(atPath: ["model", "layers"]) == layers)
        #expect(replaced.value(atPath: ["model", "kind"]) == root.value(atPath: ["model", "kind"]))
        #expect(root.value(atPath: ["model", "layers"]) != layers)
    }

    @Test func replaceInsideASequenceAndAddAKey() throws {
        let root = try YAMLParser.parse(document, file: "m.yaml")
        let value = try YAMLParser.parse(value: "7")
        let replaced = try root.replacingValue(atPath: YAMLNode.pathComponents("evaluation[1].repeats"), with: value)
        #expect(replaced.value(atPath: ["evaluation", "1", "repeats"]) == value)
        let added = try root.replacingValue(atPath: ["evaluation", "0", "repeats"], with: value)
        #expect(added.value(atPath: ["evaluation", "0", "repeats"]) == value)
        let intoNull = try root.replacingValue(atPath: ["solver", "kind"], with: value)
        #expect(intoNull.value(atPath: ["solver", "kind"]) == value)
    }

    @Test func missingIntermediateKeyIsLocatedWithSuggestion() throws {
        let root = try YAMLParser.parse(document, file: "m.yaml")
        let error = try #require(throws: YAMLError.self) {
            try root.replacingValue(atPath: ["modle", "layers"], with: YAMLParser.parse(value: "1"))
        }
        #expect(error.description == "m.yaml:1:1: no key 'modle' to set 'modle.layers' in (did you mean 'model'?)")
    }

    @Test func scalarIntermediateAndBadIndexAreErrors() throws {
        let root = try YAMLParser.parse(document, file: "m.yaml")
        let value = try YAMLParser.parse(value: "1")
        let scalar = try #require(throws: YAMLError.self) { try root.replacingValue(atPath: ["model", "kind", "x"], with: value) }
        #expect(scalar.description == "m.yaml:2:9: model.kind: cannot set 'model.kind.x': expected a mapping here, found 'mlp'")
        let index = try #require(throws: YAMLError.self) { try root.replacingValue(atPath: ["evaluation", "5", "kind"], with: value) }
        #expect(index.location?.line == 5)
        #expect(index.keyPath == "evaluation")
    }
}
