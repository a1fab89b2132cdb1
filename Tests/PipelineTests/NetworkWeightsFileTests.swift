import Foundation
import Testing
@testable import Pipeline

/// An MLP's fitted weights are written as weights.safetensors and a later manifest starts from
/// them with `model.initial-weights`.
@Suite struct NetworkWeightsFileTests {
    func run(_ text: String, folder: String) throws -> (record: CaseRecord, bundle: String) {
        let manifest = folder + "/experiment-\(UUID().uuidString).yaml"
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(path: manifest, registry: .standard)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: folder + "/results")
        return (try #require(outcome.records.first), outcome.bundlePath)
    }

    @Test func fittedWeightsRoundTripThroughAFile() throws {
        let folder = try temporaryDirectory()
        let first = try run("""
            name: fit
            seed: 4
            data: {kind: teacher-mlp, layers: [2, 3, 1], samples: 32, noise: 0.01}
            model: {kind: mlp, layers: [2, 3, 1]}
            solver: {kind: levenberg-marquardt, jacobian: auto, max-iterations: 20}
            evaluation: [{kind: fit}]
            """, folder: folder)
        let fitted = try #require(first.record.fit?.parameters)
        let weights = "\(first.bundle)/cases/\(first.record.id)/weights.safetensors"
        #expect(FileManager.default.fileExists(atPath: weights))
        try FileManager.default.copyItem(atPath: weights, toPath: folder + "/start.safetensors")
        let second = try run("""
            name: restart
            seed: 9
            data: {kind: teacher-mlp, layers: [2, 3, 1], samples: 32, noise: 0.01}
            model: {kind: mlp, layers: [2, 3, 1], initial-weights: start.safetensors}
            solver: {kind: levenberg-marquardt, jacobian: auto, max-iterations: 0}
            evaluation: [{kind: fit}]
            """, folder: folder)
        #expect(second.record.status == .ok, "\(second.record.error ?? "")")
        #expect(second.record.initialParameters == fitted, "the restart begins exactly where the fit ended")
    }

    @Test func aMissingWeightsFileIsRefusedAtItsLine() throws {
        let folder = try temporaryDirectory()
        #expect {
            _ = try run("""
                name: missing
                data: {kind: teacher-mlp, layers: [2, 3, 1], samples: 8}
                model: {kind: mlp, layers: [2, 3, 1], initial-weights: nowhere.safetensors}
                """, folder: folder)
        } throws: { error in
            "\(error)".contains("nowhere.safetensors") && "\(error)".contains(".yaml:3:") && "\(error)".contains("does not exist")
        }
    }
}
