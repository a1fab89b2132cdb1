import Testing
@testable import YAMLDecoding

/// Decoding `Decodable` types: scalars, containers, and the located error messages.
struct YAMLNodeDecoderTests {
    private func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try YAMLNodeDecoder().decode(type, fromYAML: text, file: "m.yaml")
    }

    private func failure<T: Decodable>(_ type: T.Type, _ text: String) throws -> YAMLError {
        try #require(throws: YAMLError.self) { try decode(type, text) }
    }

    struct Scalars: Decodable, Equatable {
        var count: Int
        var rate: Double
        var flag: Bool
        var name: String
        var small: UInt8
        var single: Float
    }

    @Test func scalarsOfEachType() throws {
        let value = try decode(Scalars.self, """
            count: -12
            rate: 1e-3
            flag: true
            name: "007"
            small: 255
            single: 0.5
            """)
        #expect(value == Scalars(count: -12, rate: 0.001, flag: true, name: "007", small: 255, single: 0.5))
    }

    @Test(arguments: [
        ("1_000", 1000.0), (".5", 0.5), ("-2.5E+2", -250.0), ("3", 3.0), ("0x10", 16.0), ("+1.", 1.0),
    ])
    func doubleLiterals(text: String, expected: Double) throws {
        #expect(try decode([String: Double].self, "x: \(text)")["x"] == expected)
    }

    @Test func nonFiniteDoubles() throws {
        let values = try decode([Double].self, "[.inf, -.inf, .nan, .NaN]")
        #expect(values[0] == .infinity && values[1] == -.infinity && values[2].isNaN && values[3].isNaN)
    }

    @Test(arguments: [("0o17", 15), ("0x1F", 31), ("1_000_000", 1_000_000), ("+7", 7), ("007", 7)])
    func integerLiterals(text: String, expected: Int) throws {
        #expect(try decode([Int].self, "[\(text)]") == [expected])
    }

    @Test func intRejectsFractionsQuotedNumbersAndOverflow() throws {
        #expect(try failure([String: Int].self, "x: 1.5").description == "m.yaml:1:4: x: expected an integer, found '1.5'")
        #expect(try failure([String: Int].self, "x: '3'").message == "expected an integer, found string '3'")
        #expect(try failure([String: Int].self, "x: 99999999999999999999").message.contains("out of range for Int"))
        #expect(try failure([String: UInt8].self, "x: 256").message == "256 is out of range for UInt8 (0...255)")
        #expect(try failure([String: UInt8].self, "x: -1").message.contains("out of range"))
    }

    @Test func boolIsYAML12CoreOnly() throws {
        #expect(try decode([Bool].self, "[true, False, TRUE]") == [true, false, true])
        let error = try failure([String: Bool].self, "x: yes")
        #expect(error.message == "expected true or false, found 'yes' (YAML 1.2 booleans are only true and false)")
        #expect(try failure([String: Bool].self, "x: 'true'").message.contains("string 'true'"))
    }

    @Test func wrongTypeNamesTheValueAndItsLocation() throws {
        struct Solver: Decodable { var damping: Double }
        struct Root: Decodable { var solver: Solver }
        let error = try failure(Root.self, "solver:\n  damping: abc\n")
        #expect(error.description == "m.yaml:2:12: solver.damping: expected a number, found 'abc'")
        let mapping = try failure(Root.self, "solver: [1, 2]\n")
        #expect(mapping.description == "m.yaml:1:9: solver: expected a mapping, found a sequence")
    }

    @Test func stringsFromPlainScalarsButNotFromNull() throws {
        #expect(try decode([String].self, "[abc, 12, true, 'null']") == ["abc", "12", "true", "null"])
        let error = try failure([String: String].self, "x:\n")
        #expect(error.message.hasPrefix("expected a string, found null"))
    }

    struct Manifest: Decodable, Equatable {
        enum Activation: String, Decodable, CaseIterable { case tanh, relu, sigmoid }
        struct Model: Decodable, Equatable {
            var kind: String
            var layers: [Int]
            var activation: Activation
        }
        struct Solver: Decodable, Equatable {
            var kind: String
            var maxIterations: Int?
            var lambda0: Double?
            enum CodingKeys: String, CodingKey {
                case kind
                case maxIterations = "max-iterations"
                case lambda0
            }
        }
        var name: String
        var description: String?
        var seed: Int
        var model: Model
        var solver: Solver
    }

    private let manifest = """
        name: seed-lm   # the forum case
        seed: 42
        model:
          kind: mlp
          layers: [5, 9, 3]
          activation: tanh
        solver:
          kind: levenberg-marquardt
          max-iterations: 200
        """

    @Test func nestedStructsOptionalsAndEnums() throws {
        let value = try decode(Manifest.self, manifest)
        #expect(value == Manifest(
            name: "seed-lm", description: nil, seed: 42,
            model: .init(kind: "mlp", layers: [5, 9, 3], activation: .tanh),
            solver: .init(kind: "levenberg-marquardt", maxIterations: 200, lambda0: nil)))
    }

    @Test func explicitNullIsNilForOptionals() throws {
        let value = try decode(Manifest.self, manifest + "\ndescription: ~\n")
        #expect(value.description == nil)
        let text = try decode(Manifest.self, manifest + "\ndescription: \"~\"\n")
        #expect(text.description == "~")
    }

    @Test func unknownKeySuggestsTheClosestAskedKey() throws {
        let error = try failure(Manifest.self, manifest + "\n  lamda0: 0.01\n")
        #expect(error.description == "m.yaml:10:3: solver: unknown key 'lamda0' (did you mean 'lambda0'?)")
        #expect(error.location == SourceLocation(file: "m.yaml", line: 10, column: 3))
        #expect(error.keyPath == "solver")
    }

    @Test func unknownKeyWithoutCloseMatchHasNoSuggestion() throws {
        let error = try failure(Manifest.self, manifest + "\nbananas: 3\n")
        #expect(error.description == "m.yaml:10:1: unknown key 'bananas'")
    }

    @Test func firstUnknownKeyInDocumentOrderIsReported() throws {
        let error = try failure(Manifest.self, "zzz: 1\n" + manifest.replacing("kind: mlp", with: "kind: mlp\n  typo: 2") )
        #expect(error.location?.line == 1)
        #expect(error.message == "unknown key 'zzz'")
    }

    @Test func missingRequiredKeyHintsAtAMisspelling() throws {
        let error = try failure(Manifest.self, manifest.replacing("seed: 42", with: "sed: 42"))
        #expect(error.description == "m.yaml:1:1: missing key 'seed' (is 'sed' at 2:1 a misspelling of it?)")
    }

    @Test func missingKeyHintIsOnlyAHint() throws {
        struct Damping: Decodable { var lambda: Double; var lambda0: Double? }
        let error = try failure(Damping.self, "lambda0: 1\n")
        #expect(error.description == "m.yaml:1:1: missing key 'lambda' (is 'lambda0' at 1:1 a misspelling of it?)")
    }

    @Test func missingKeyPointsAtTheMapping() throws {
        let error = try failure(Manifest.self, manifest.replacing("  kind: mlp\n", with: ""))
        #expect(error.description == "m.yaml:4:3: model: missing key 'kind'")
    }

    @Test func enumValueErrorListsTheCases() throws {
        let error = try failure(Manifest.self, manifest.replacing("activation: tanh", with: "activation: tanhh"))
        #expect(error.description == "m.yaml:6:15: model.activation: unknown value 'tanhh' (did you mean 'tanh'?); expected one of: tanh, relu, sigmoid")
    }

    @Test func nestedPathsRenderKeysAndIndices() throws {
        struct C: Decodable { var c: Int }
        struct B: Decodable { var b: [C] }
        struct A: Decodable { var a: B }
        let error = try failure(A.self, """
            a:
              b:
                - c: 1
                - c: x
            """)
        #expect(error.description == "m.yaml:4:10: a.b[1].c: expected an integer, found 'x'")
        let unknown = try failure(A.self, "a:\n  b:\n    - c: 1\n    - c: 2\n      d: 3\n")
        #expect(unknown.description == "m.yaml:5:7: a.b[1]: unknown key 'd'")
    }

    @Test func tooFewItemsInATuple() throws {
        struct Pair: Decodable {
            var first: Int, second: Int
            init(from decoder: any Decoder) throws {
                var items = try decoder.unkeyedContainer()
                first = try items.decode(Int.self)
                second = try items.decode(Int.self)
            }
        }
        let error = try failure([String: Pair].self, "p: [1]\n")
        #expect(error.description == "m.yaml:1:4: p: expected more than 1 item in this sequence")
    }

    @Test func subNodeDecodesWithItsDocumentPath() throws {
        struct Envelope: Decodable { var name: String; var seed: Int; var model: YAMLNode; var solver: YAMLNode }
        let envelope = try decode(Envelope.self, manifest.replacing("layers: [5, 9, 3]", with: "layers: [5, x, 3]"))
        let error = try #require(throws: YAMLError.self) {
            try YAMLNodeDecoder().decode(Manifest.Model.self, from: envelope.model, keyPath: ["model"])
        }
        #expect(error.description == "m.yaml:5:15: model.layers[1]: expected an integer, found 'x'")
        let solver = try YAMLNodeDecoder().decode(Manifest.Solver.self, from: envelope.solver, keyPath: ["solver"])
        #expect(solver.maxIterations == 200)
    }

    @Test func unknownKeysCanBeAllowed() throws {
        struct Peek: Decodable { var name: String }
        let decoder = YAMLNodeDecoder(rejectsUnknownKeys: false)
        #expect(try decoder.decode(Peek.self, from: YAMLParser.parse(manifest, file: "m.yaml")).name == "seed-lm")
    }

    @Test func customDecodableAndUserInfo() throws {
        let key = try #require(CodingUserInfoKey(rawValue: "scale"))
        struct Scaled: Decodable {
            var value: Double
            init(from decoder: any Decoder) throws {
                let scale = decoder.userInfo[CodingUserInfoKey(rawValue: "scale")!] as? Double ?? 1
                let container = try decoder.container(keyedBy: YAMLKey.self)
                value = try container.decode(Double.self, forKey: YAMLKey("v")) * scale
                let extra = try container.superDecoder(forKey: YAMLKey("extra")).singleValueContainer()
                if try extra.decode(Int.self) != 7 { throw DecodingError.dataCorrupted(.init(codingPath: extra.codingPath, debugDescription: "must be 7")) }
            }
        }
        let decoder = YAMLNodeDecoder(userInfo: [key: 10.0])
        #expect(try decoder.decode(Scaled.self, fromYAML: "v: 2\nextra: 7\n", file: "m.yaml").value == 20)
        let error = try #require(throws: YAMLError.self) {
            try decoder.decode(Scaled.self, fromYAML: "v: 2\nextra: 8\n", file: "m.yaml")
        }
        #expect(error.description == "m.yaml:2:8: extra: invalid value '8': must be 7")
    }

    @Test func dictionaryKeysAreAllAsked() throws {
        let values = try decode([String: [Int]].self, "a: [1]\nb: []\nc:\n")
        #expect(values == ["a": [1], "b": [], "c": []])
    }

    @Test func aliasesAndMergeKeysDecode() throws {
        struct Solver: Decodable, Equatable { var kind: String; var damping: Double }
        struct Root: Decodable { var base: Solver; var first: Solver; var second: Solver }
        let root = try decode(Root.self, """
            base: &base { kind: lm, damping: 0.1 }
            first: *base
            second:
              <<: *base
              damping: 0.5
            """)
        #expect(root.first == root.base)
        #expect(root.second == Solver(kind: "lm", damping: 0.5))
    }

    @Test func otherErrorsFromInitialisersAreLocated() throws {
        struct Refusal: Error, CustomStringConvertible { var description: String { "layers must be positive" } }
        struct Layers: Decodable {
            init(from decoder: any Decoder) throws {
                let sizes = try decoder.singleValueContainer().decode([Int].self)
                if sizes.contains(where: { $0 <= 0 }) { throw Refusal() }
            }
        }
        struct Model: Decodable { var layers: Layers }
        let error = try failure(Model.self, "layers: [5, 0, 3]\n")
        #expect(error.description == "m.yaml:1:9: layers: layers must be positive")
    }

    @Test func yamlErrorsFromInitialisersPassThrough() throws {
        struct Picky: Decodable {
            init(from decoder: any Decoder) throws {
                throw YAMLError(location: SourceLocation(file: "elsewhere.yaml", line: 9, column: 9), keyPath: "k", message: "no")
            }
        }
        #expect(try failure([String: Picky].self, "a: 1\n").description == "elsewhere.yaml:9:9: k: no")
    }

    @Test func enumsWithAssociatedValuesUseKeyedContainers() throws {
        enum Step: Decodable, Equatable { case fixed(size: Double), adaptive }
        #expect(try decode([Step].self, "[{fixed: {size: 0.5}}, {adaptive: {}}]") == [.fixed(size: 0.5), .adaptive])
        let error = try failure([Step].self, "[{fixed: {size: 0.5, sise: 1}}]")
        #expect(error.description == "m.yaml:1:22: [0].fixed: unknown key 'sise'")
    }

    @Test func optionalItemsInSequences() throws {
        #expect(try decode([Int?].self, "[1, ~, null, 3, ]") == [1, nil, nil, 3])
    }

    @Test func floatOverflowIsAnError() throws {
        #expect(try decode([Float].self, "[.inf, 1.5]") == [.infinity, 1.5])
        #expect(try failure([Float].self, "[1e300]").description == "m.yaml:1:2: [0]: 1e+300 is out of range for Float")
    }

    @Test func topLevelScalarsAndWrongTopLevelShapes() throws {
        #expect(try YAMLNodeDecoder().decode(Double.self, from: YAMLParser.parse(value: "-.inf")) == -.infinity)
        #expect(try failure([Int].self, "a: 1").description == "m.yaml:1:1: expected a sequence, found a mapping")
    }
}
