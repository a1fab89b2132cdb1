import Foundation
import Testing
@testable import Pipeline

/// Every manifest shipped in experiments/ plans against the built-in plugins.
@Suite struct ExperimentManifestTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/experiments"

    static var manifests: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test(arguments: manifests) func shippedManifestIsValid(name: String) throws {
        let plan = try ExperimentPlan.load(path: Self.folder + "/" + name, registry: .standard)
        #expect(!plan.cases.isEmpty)
        #expect(plan.name + ".yaml" == name)
    }

    /// The data-driven test above runs over every shipped manifest, never zero.
    @Test func everyShippedManifestIsFound() {
        #expect(Self.manifests.count >= 6, "\(Self.manifests)")
    }

    @Test func seedLMIsTheForumCase() throws {
        let plan = try ExperimentPlan.load(path: Self.folder + "/seed-lm.yaml", registry: .standard)
        let resolved = plan.cases[0].resolved.jsonValue
        #expect(resolved["data"]?["samples"] == .number("192"))
        #expect(resolved["model"]?["layers"] == .array([.number("5"), .number("9"), .number("3")]))
        #expect(resolved["solver"]?["kind"] == .string("levenberg-marquardt"))
        #expect(resolved["solver"]?["jacobian"] == .string("auto"))
        #expect(plan.cases[0].jacobian.strategies == nil)
    }
}

/// Cross-stage checks made before any case runs.
@Suite struct CrossStageTests {
    @Test func networkWidthsMustMatchTheTeacherData() throws {
        let path = try writeManifest("""
            name: e
            data: {kind: teacher-mlp, layers: [5, 9, 3], samples: 8}
            model: {kind: mlp, layers: [4, 9, 3]}
            """)
        #expect {
            _ = try ExperimentPlan.load(path: path, registry: .standard)
        } throws: { error in
            "\(error)" == "\(path):3:8: model: the model maps 4 inputs to 3 outputs but the data has 5 input and 3 target columns"
        }
    }
}
