import JSONDocuments
import Testing
import YAMLDecoding
@testable import Pipeline

/// Seeds come from what the data and θ₀ depend on: sweeps over the solver keep both, sweeps
/// over the model keep the data, replicates draw new starts. Compared through the hashes the
/// bundle records and through the actual arrays the stages produce.
@Suite struct CaseSeedTests {
    /// A small teacher network fitted by the real plugins (`.standard`), with `sweep` appended.
    func plan(_ sweep: String, extra: String = "", overrides: [String] = []) throws -> ExperimentPlan {
        let text = """
            name: seeds
            seed: 42
            \(extra)
            data: {kind: teacher-mlp, layers: [2, 3, 1], samples: 12, noise: 0.01}
            model: {kind: mlp, layers: [2, 3, 1]}
            solver: {kind: levenberg-marquardt, jacobian: per-sample, max-iterations: 2}
            evaluation: [{kind: fit}]
            sweep:
            \(sweep)
            """
        return try ExperimentPlan.load(path: try writeManifest(text), overrides: overrides, registry: .standard)
    }

    /// The training data and θ₀ a case's stages produce.
    func stageOutputs(_ plannedCase: PlannedCase) throws -> (inputs: [Double], targets: [Double], start: [Double]) {
        let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory)
        let data = try plannedCase.data.run(environment, ())
        let model = try plannedCase.model.run(environment, data)
        return (data.training.inputs.elements, data.training.targets.elements, model.initialParameters)
    }

    /// Bit patterns, so -0.0 / NaN payloads count too.
    func bits(_ values: [Double]) -> [UInt64] { values.map(\.bitPattern) }

    @Test func solverSweepsKeepTheDataAndTheStartBitForBit() throws {
        let plan = try plan("""
              solver.kind: [levenberg-marquardt, gauss-newton]
              solver.max-iterations: [1, 3]
            """)
        #expect(plan.cases.count == 4)
        #expect(Set(plan.cases.map(\.seeds)).count == 1)
        let outputs = try plan.cases.map(stageOutputs)
        for output in outputs.dropFirst() {
            #expect(bits(output.inputs) == bits(outputs[0].inputs))
            #expect(bits(output.targets) == bits(outputs[0].targets))
            #expect(bits(output.start) == bits(outputs[0].start))
        }
        // The runner records the same start and the same hashes for every case.
        let records = try plan.cases.map { try CaseExecution.run($0, cancellation: CancellationFlag()) }
        #expect(records.allSatisfy { $0.status == .ok })
        #expect(records.allSatisfy { bits($0.initialParameters) == bits(outputs[0].start) })
        let startHashes = records.map { $0.metrics.first { $0.name == "model.initial_parameters_hash" }?.value }
        let dataHashes = records.map { $0.metrics.first { $0.name == "data.hash" }?.value }
        #expect(startHashes[0] == .string(ContentHash.parameters(outputs[0].start)))
        #expect(dataHashes[0] == .string(ContentHash.data(inputs: outputs[0].inputs, targets: outputs[0].targets)))
        #expect(Set(startHashes.map { $0?.canonicalText ?? "" }).count == 1)
        #expect(Set(dataHashes.map { $0?.canonicalText ?? "" }).count == 1)
        // And the fits differ, so the cases really are different runs.
        let costs = records.map { $0.fit?.finalCost }
        #expect(Set(costs.map { String(describing: $0) }).count > 1)
    }

    @Test func modelSweepsDrawANewStartOnTheSameData() throws {
        let plan = try plan("  model.layers: [[2, 3, 1], [2, 5, 1]]")
        #expect(plan.cases[0].seeds.data == plan.cases[1].seeds.data)
        #expect(plan.cases[0].seeds.parameters != plan.cases[1].seeds.parameters)
        let first = try stageOutputs(plan.cases[0]), second = try stageOutputs(plan.cases[1])
        #expect(bits(first.inputs) == bits(second.inputs) && bits(first.targets) == bits(second.targets))
        #expect(first.start.count == 13 && second.start.count == 21)
    }

    @Test func dataSweepsDrawNewDataAndKeepTheStartOfTheSameModel() throws {
        let plan = try plan("  data.noise: [0.01, 0.02]")
        #expect(plan.cases[0].seeds.data != plan.cases[1].seeds.data)
        #expect(plan.cases[0].seeds.parameters == plan.cases[1].seeds.parameters)
        #expect(bits(try stageOutputs(plan.cases[0]).start) == bits(try stageOutputs(plan.cases[1]).start))
    }

    @Test func replicatesGiveDistinctStartsDataAndIds() throws {
        let plan = try plan("  solver.max-iterations: [1, 2]", extra: "replicates: 3")
        #expect(plan.replicates == 3)
        #expect(plan.cases.map(\.id) == [
            "max-iterations=1_replicate=0", "max-iterations=1_replicate=1", "max-iterations=1_replicate=2",
            "max-iterations=2_replicate=0", "max-iterations=2_replicate=1", "max-iterations=2_replicate=2",
        ])
        #expect(plan.cases.map(\.replicate) == [0, 1, 2, 0, 1, 2])
        #expect(plan.cases[4].sweep[PlannedCase.replicateKey] == .integer(1))
        // Three starts, each shared by both iteration limits.
        #expect(Set(plan.cases.map(\.seeds.parameters)).count == 3)
        #expect(Set(plan.cases.map(\.seeds.data)).count == 3)
        for k in 0..<3 { #expect(plan.cases[k].seeds == plan.cases[k + 3].seeds) }
        let starts = try plan.cases.prefix(3).map { bits(try stageOutputs($0).start) }
        #expect(Set(starts).count == 3)
        // Replicate 0 of N is not the single case of a manifest without replicates: ids stay,
        // seeds are the same as replicates: 1 for replicate 0.
        let single = try self.plan("  solver.max-iterations: [1, 2]")
        #expect(single.cases.map(\.id) == ["max-iterations=1", "max-iterations=2"])
        #expect(single.cases[0].seeds == plan.cases[0].seeds)
    }

    @Test func replicatesCanBeSetFromTheCommandLine() throws {
        let plan = try plan("  solver.max-iterations: [1]", overrides: ["replicates=2"])
        #expect(plan.cases.map(\.id) == ["max-iterations=1_replicate=0", "max-iterations=1_replicate=1"])
    }

    @Test(arguments: ["0", "-1", "x", "9223372036854775807", "100001"])
    func badReplicateCountsAreRejectedAtTheField(_ value: String) throws {
        let error = try #require(throws: YAMLError.self) { try plan("  solver.max-iterations: [1]", extra: "replicates: \(value)") }
        #expect(error.keyPath == "replicates")
        #expect(error.location?.line == 3, "\(error)")
        #expect("\(error)".contains("replicates"))
    }

    @Test func sweepTimesReplicatesIsChecked() throws {
        let error = try #require(throws: YAMLError.self) { try plan("  solver.max-iterations: [1, 2]", extra: "replicates: 50001") }
        #expect(error.keyPath == "replicates")
        #expect("\(error)".contains("2 sweep cases"))
    }

    @Test func bundlesRecordTheReplicateAndDiffMatchesReplicatesApart() throws {
        let text = """
            name: replicated
            seed: 5
            replicates: 2
            data: {kind: line, samples: 4}
            model: {kind: line}
            solver: {kind: exact-line}
            evaluation: [{kind: probe}]
            """
        let plan = try ExperimentPlan.load(path: try writeManifest(text), registry: .testing)
        #expect(plan.cases.map(\.id) == ["replicate=0", "replicate=1"])
        let results = try temporaryDirectory()
        let first = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: results)
        let second = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: results)
        let summary = try BundleFiles.readJSON(first.bundlePath + "/summary.json")
        let cases = summary["cases"]?.arrayValue ?? []
        #expect(cases.map { $0["replicate"] } == [.integer(0), .integer(1)])
        #expect(cases.map { $0["sweep"]?["replicate"] } == [.integer(0), .integer(1)])
        #expect(cases[0]["data_seed"] != cases[1]["data_seed"])
        #expect(BundleComparison.cases(of: summary).count == 2)
        let status = try BundleFiles.readJSON(first.bundlePath + "/status.json")
        #expect(status["cases"]?.arrayValue?.map { $0["replicate"] } == [.integer(0), .integer(1)])
        let comparison = try BundleComparison.load(first.bundlePath, second.bundlePath, tolerance: 0, timingTolerance: 0.25)
        #expect(comparison.regressions == 0)
        #expect(Set(comparison.rows.map(\.caseLabel)).count == 2)
    }

    /// Pinned values: a change of the hash, the canonical JSON or the resolved defaults shows here
    /// (and would silently change every shipped experiment's data and start).
    @Test func seedsArePinned() throws {
        let seeds = CaseSeed.seeds(
            manifestSeed: 42, replicate: 0,
            data: .object(["kind": .string("line"), "samples": .integer(4)]), model: .object(["kind": .string("line")]))
        #expect(seeds == CaseSeeds(data: 4_728_067_143_736_571, parameters: 6_297_456_476_448_455))
        let plan = try plan("  solver.max-iterations: [1]")
        #expect(plan.cases[0].seeds == CaseSeeds(data: 6_243_745_549_813_322, parameters: 4_031_375_145_166_477))
        #expect(ContentHash.parameters([1, -0.0, .infinity]) == "ec97a8800c800466")
        #expect(ContentHash.parameters([1, 0.0, .infinity]) != ContentHash.parameters([1, -0.0, .infinity]))
    }
}
