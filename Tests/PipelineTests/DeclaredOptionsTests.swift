import NeuralNetworks
import Testing
import YAMLDecoding
@testable import Pipeline

/// Options declared once (``DeclaredStageConfiguration``): defaults, decoding and help all come
/// from one row per option.
@Suite struct DeclaredOptionsTests {
    static func defaults(_ options: [StageOption]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: options.map { ($0.key, $0.defaultValue ?? ($0.isRequired ? "required" : "unset")) })
    }

    /// The data and model sections are hashed, defaults filled in, into the case seeds: their
    /// default texts must not change, or every experiment's data and start would. A new option
    /// of a data or model kind is therefore `unset` (nothing filled in when absent), as
    /// `sigma`, `absolute-sigma`, `parameters` and `initial-weights` are.
    @Test func dataAndModelDefaultTextsAreStable() {
        #expect(Self.defaults(TeacherMLPData.Configuration.options) == [
            "layers": "required", "activation": "tanh", "samples": "required", "noise": "0", "test-samples": "0",
        ])
        #expect(Self.defaults(FunctionData.Configuration.options) == [
            "formula": "required", "parameters": "{}", "axes": "required", "samples": "100", "grid": "null", "noise": "0",
            "test-fraction": "0",
        ])
        #expect(Self.defaults(CSVData.Configuration.options) == [
            "file": "required", "inputs": "required", "targets": "required", "test-fraction": "0", "sigma": "unset",
            "absolute-sigma": "unset",
        ])
        #expect(Self.defaults(NISTData.Configuration.options) == ["file": "required"])
        #expect(Self.defaults(FormulaModelStage.Configuration.options) == [
            "formula": "null", "initial": "null", "start": "'1'", "parameters": "unset",
        ])
        #expect(Self.defaults(MLPModelStage.Configuration.options) == [
            "layers": "required", "activation": "tanh", "output-activation": "identity", "initialization": "glorot",
            "initial-weights": "unset",
        ])
    }

    /// Every default text reads back, through the registry's own decoding, as the
    /// configuration's default value.
    @Test func everyDefaultReadsBackAsTheDefault() throws {
        let node = try YAMLParser.parse("kind: jacobian-timing", file: "t.yaml")
        let (timing, _) = try PluginRegistry.decode(JacobianTimingEvaluation.Configuration.self, kind: "jacobian-timing", from: node, keyPath: ["evaluation"]) { _ in }
        #expect(timing.repeats == 20 && timing.warmup == 2 && timing.maxSeconds == 2)
        let model = try YAMLParser.parse("kind: mlp\nlayers: [1, 2, 1]", file: "t.yaml")
        let (mlp, section) = try PluginRegistry.decode(MLPModelStage.Configuration.self, kind: "mlp", from: model, keyPath: ["model"]) { _ in }
        #expect(mlp.activation == .tanh && mlp.outputActivation == .identity && mlp.initialization == .glorot)
        #expect(section["initialization"] != nil, "the registry fills defaults into the section resolved.json shows")
    }

    /// A choice takes its aliases and names the allowed values when given another.
    @Test func choicesTakeAliasesAndListTheAllowedNames() throws {
        let model = try YAMLParser.parse("kind: mlp\nlayers: [1, 2, 1]\nactivation: gelu-tanh\ninitialization: xavier", file: "t.yaml")
        let (mlp, _) = try PluginRegistry.decode(MLPModelStage.Configuration.self, kind: "mlp", from: model, keyPath: ["model"]) { _ in }
        #expect(mlp.activation == .gelu && mlp.initialization == .glorot)
        let bad = try YAMLParser.parse("kind: mlp\nlayers: [1, 2, 1]\noutput-activation: softmax", file: "t.yaml")
        #expect {
            _ = try PluginRegistry.decode(MLPModelStage.Configuration.self, kind: "mlp", from: bad, keyPath: ["model"]) { _ in }
        } throws: { error in
            "\(error)".contains("t.yaml:3:20") && "\(error)".contains("model.output-activation")
                && "\(error)".contains("not a known activation; known: tanh, sigmoid, relu, softplus, gelu, identity")
        }
        let help = try #require(MLPModelStage.Configuration.options.first { $0.key == "initialization" })
        #expect(help.summary.hasSuffix(": glorot, he, uniform"))
    }

    /// A required option must be given; an unknown key is refused with a suggestion.
    @Test func requiredAndUnknownKeysAreLocated() throws {
        let missing = try YAMLParser.parse("kind: mlp", file: "t.yaml")
        #expect(throws: YAMLError.self) {
            _ = try PluginRegistry.decode(MLPModelStage.Configuration.self, kind: "mlp", from: missing, keyPath: ["model"]) { _ in }
        }
        let unknown = try YAMLParser.parse("kind: mlp\nlayers: [1, 1]\nactivaton: tanh", file: "t.yaml")
        #expect {
            _ = try PluginRegistry.decode(MLPModelStage.Configuration.self, kind: "mlp", from: unknown, keyPath: ["model"]) { _ in }
        } throws: { error in
            "\(error)".contains("activaton") && "\(error)".contains("activation")
        }
    }
}
