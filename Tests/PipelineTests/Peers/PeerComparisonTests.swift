import Datasets
import Foundation
import JSONDocuments
import Jacobians
import LinearAlgebra
import NeuralNetworks
import Testing
import YAMLDecoding
@testable import Pipeline

/// An MLP as a fittable model, for the peer-comparison tests (no Python involved).
final class PerceptronTestModel: FittableModel {
    let network: MultilayerPerceptron
    init(layers: [Int], activation: Activation, seed: UInt64) {
        network = MultilayerPerceptron(layerWidths: layers, activation: activation).initialized(.glorot, seed: seed)
    }
    var parameterNames: [String] { network.parameters.indices.map { "θ\($0)" } }
    var initialParameters: [Double] { network.parameters }
    func residualMap(on dataset: Dataset) throws -> any DifferentiableMap {
        MultilayerPerceptronResidualMap(network: network, inputs: dataset.inputs, targets: dataset.targets)
    }
    func inputMap(on dataset: Dataset, parameters: [Double]) throws -> (map: any DifferentiableMap, point: [Double]) {
        var fixed = network
        fixed.parameters = parameters
        return (MultilayerPerceptronInputMap(network: fixed, pointCount: dataset.sampleCount), dataset.inputs.elements)
    }
}

/// A model whose map is not a perceptron's.
final class NotAPerceptronModel: FittableModel {
    var parameterNames: [String] { ["slope"] }
    var initialParameters: [Double] { [1] }
    func residualMap(on dataset: Dataset) throws -> any DifferentiableMap { LineResiduals(dataset: dataset) }
    func inputMap(on dataset: Dataset, parameters: [Double]) throws -> (map: any DifferentiableMap, point: [Double]) {
        (LineResiduals(dataset: dataset), parameters)
    }
}

enum PeerFixtures {
    /// S samples of d inputs in [-1, 1] and p targets, deterministic.
    static func dataset(samples: Int, inputs d: Int, outputs p: Int) -> Dataset {
        var generator = SeededGenerator(seed: 7)
        let x = Matrix(rows: samples, columns: d, elements: (0..<samples * d).map { _ in generator.nextUniform(in: -1, 1) })
        let y = Matrix(rows: samples, columns: p, elements: (0..<samples * p).map { _ in generator.nextGaussian() })
        return Dataset(inputs: x, targets: y)
    }

    static func settings(_ target: String) throws -> JacobianSettings {
        let node = try YAMLParser.parse("with-respect-to: \(target)\nstrategies: all\nreference: forward-vectorized\n", file: "t.yaml")
        return try YAMLNodeDecoder().decode(JacobianSettings.self, from: node)
    }

    static func configuration(python: String, script: String) -> PeerComparisonEvaluation.Configuration {
        var configuration = PeerComparisonEvaluation.Configuration()
        configuration.python = python
        configuration.script = script
        configuration.repeats = 3
        configuration.budget = 0.001
        configuration.strategies = ["per-sample", "forward-vectorized"]
        configuration.pinCPU = false
        return configuration
    }

    /// A results document as the peer benchmark writes it.
    static let results = """
        {"schema": 1,
         "peers": {"torch.functional.jacobian": {"median_us": 3000.0, "min_us": 2900.0, "max_us": 3100.0, "repeats": 5, "forward_units": 100.0},
                   "jax.jit.forward": {"median_us": 8.0, "min_us": 7.0, "max_us": 9.0, "repeats": 20, "forward_units": 1.0},
                   "jax.jit.vmap-jacrev": {"median_us": 60.0, "min_us": 55.0, "max_us": 70.0, "repeats": 20, "forward_units": 3.0},
                   "scipy.least_squares.lm": {"median_us": 50000.0, "min_us": 48000.0, "max_us": 52000.0, "repeats": 3,
                                              "nfev": 40, "njev": 31, "cost": 0.5, "initial_cost": 9.0}},
         "checks": {"torch_vs_reference": 6.2e-17, "exact_variants_match": true},
         "summary": {"torch_default": {"variant": "torch.functional.jacobian", "median_us": 3000.0},
                     "jax_best": {"variant": "jax.jit.vmap-jacrev", "median_us": 60.0},
                     "peer_best": {"variant": "jax.jit.vmap-jacrev", "median_us": 60.0}},
         "versions": {"torch": "2.13.0+cpu", "jax": "0.10.2"}}
        """
}

@Suite struct PeerCaseTests {
    @Test func parameterCaseCarriesTheNetworkDataAndJacobianInTheDocumentedLayout() throws {
        let model = PerceptronTestModel(layers: [3, 4, 2], activation: .tanh, seed: 3)
        let data = PeerFixtures.dataset(samples: 5, inputs: 3, outputs: 2)
        var (peerCase, map, point) = try PeerCase.differentiated(
            name: "t", model: model, data: data, parameters: model.initialParameters, withRespectTo: .parameters)
        let reference = try JacobianStrategyCatalog.strategy(named: "reverse-loop").jacobian(of: map, at: point)
        peerCase.jacobian = reference
        peerCase.jacobenchMicroseconds = ["per-sample": 1.5]
        let document = try JSONParser.parse(try peerCase.jsonText())

        #expect(document["schema"]?.integerValue == 1)
        #expect(document["layers"]?.arrayValue?.compactMap(\.integerValue) == [3, 4, 2])
        #expect(document["activations"]?.arrayValue?.compactMap(\.stringValue) == ["tanh", "identity"])
        #expect(document["with_respect_to"]?.stringValue == "parameters")
        #expect(document["parameters"]?.arrayValue?.compactMap(\.numberValue) == model.initialParameters)
        #expect(document["inputs"]?.arrayValue?[4].arrayValue?.compactMap(\.numberValue) == [data.inputs[4, 0], data.inputs[4, 1], data.inputs[4, 2]])
        #expect(document["targets"]?.arrayValue?.count == 5)
        #expect(document["jacobench"]?["per-sample"]?.numberValue == 1.5)
        let jacobianValues = document["jacobian"]?.arrayValue ?? []
        let flat = jacobianValues.compactMap(\.numberValue)
        #expect(flat == reference.elements)  // shortest round-trip text reads back bit for bit
        // Rows are sample-major (row s·p + d) and the last p columns are the output bias,
        // whose derivative is 1 exactly in row s·p + d for output d: an independent check of the layout.
        let n = 3 * 4 + 4 + 4 * 2 + 2
        #expect(flat.count == 10 * n)
        for s in 0..<5 {
            for d in 0..<2 {
                for bias in 0..<2 { #expect(flat[(s * 2 + d) * n + (n - 2 + bias)] == (bias == d ? 1 : 0)) }
            }
        }
    }

    @Test func inputCaseIsPointMajorAndBlockDiagonal() throws {
        let model = PerceptronTestModel(layers: [2, 3, 2], activation: .sigmoid, seed: 5)
        let data = PeerFixtures.dataset(samples: 3, inputs: 2, outputs: 2)
        let (peerCase, map, point) = try PeerCase.differentiated(
            name: "x", model: model, data: data, parameters: model.initialParameters, withRespectTo: .inputs)
        #expect(point == data.inputs.elements)
        #expect(peerCase.withRespectTo == .inputs)
        #expect(peerCase.activations == ["sigmoid", "identity"])
        let jacobian = try JacobianStrategyCatalog.strategy(named: "forward-vectorized").jacobian(of: map, at: point)
        #expect(jacobian.rows == 6 && jacobian.columns == 6)
        #expect(jacobian[0, 2] == 0 && jacobian[5, 1] == 0 && jacobian[0, 0] != 0)
    }

    @Test func theReferenceIsAttachedUpToTheValueLimitAndOmittedPastIt() throws {
        let model = PerceptronTestModel(layers: [2, 3, 2], activation: .tanh, seed: 4)
        let data = PeerFixtures.dataset(samples: 4, inputs: 2, outputs: 2)
        var (peerCase, map, point) = try PeerCase.differentiated(
            name: "limit", model: model, data: data, parameters: model.initialParameters, withRespectTo: .parameters)
        let strategy = try JacobianStrategyCatalog.strategy(named: "reverse-loop")
        let values = map.outputCount * map.inputCount  // 8 × 17

        let reference = try strategy.jacobian(of: map, at: point)
        try peerCase.attachReference(strategy, of: map, at: point, valueLimit: values)
        let attachedIsTheReference = peerCase.jacobian == reference
        #expect(attachedIsTheReference)
        #expect(peerCase.jacobianOmission == nil)
        #expect(try JSONParser.parse(try peerCase.jsonText())["jacobian_omitted"] == nil)

        try peerCase.attachReference(strategy, of: map, at: point, valueLimit: values - 1)
        let jacobianDropped = peerCase.jacobian == nil
        #expect(jacobianDropped)
        #expect(peerCase.jacobianOmission == JacobianOmission(rows: 8, columns: 17, valueLimit: values - 1))
        let document = try JSONParser.parse(try peerCase.jsonText())
        let documentHasNoJacobian = document["jacobian"] == nil
        #expect(documentHasNoJacobian)
        let omitted = try #require(document["jacobian_omitted"])
        #expect(omitted["rows"]?.integerValue == 8 && omitted["columns"]?.integerValue == 17)
        #expect(omitted["value_limit"]?.integerValue == values - 1)
        #expect(omitted["reason"]?.stringValue?.contains("8 × 17") == true)
        // An m·n that overflows is over any limit.
        #expect(JacobianOmission(rows: Int.max, columns: 2, valueLimit: Int.max) != nil)
    }

    /// `export-case` of a wide network (issue #23: 1 → 256 → 256 → 1 on 8,192 samples asked
    /// for 35–47 GB): no Jacobian (m·n = 5.5·10⁸) and a file linear in m + n; the teacher's cost
    /// over the training samples and the noise-free held-out samples travel with it
    /// (peers/wide_peers.py compares its fits with them).
    @Test func aWideNetworkIsExportedWithoutItsJacobianInSpaceLinearInItsSize() throws {
        let manifest = try writeManifest("""
            name: wide
            seed: 3
            data: {kind: teacher-mlp, layers: [1, 256, 256, 1], activation: tanh, samples: 8192, test-samples: 512, noise: 0.01}
            model: {kind: mlp, layers: [1, 256, 256, 1], activation: tanh}
            """)
        let plannedCase = try #require(try ExperimentPlan.load(path: manifest, registry: .standard).cases.first)
        let peerCase = try PeerCase.exported(from: plannedCase, name: "wide")
        let m = 8192, n = 1 * 256 + 256 + 256 * 256 + 256 + 256 + 1, testCount = 512
        #expect(peerCase.parameters.count == n)
        let hasNoJacobian = peerCase.jacobian == nil
        #expect(hasNoJacobian)
        #expect(peerCase.jacobianOmission == JacobianOmission(rows: m, columns: n, valueLimit: PeerCase.jacobianValueLimit))
        let text = try peerCase.jsonText()
        // Every number is at most 24 characters of shortest round-trip text plus its separator
        // and brackets: 40 bytes per value of θ, x, y and the test set's x and y bound the file
        // (J would be 5.5·10⁸ values).
        let bytes = text.utf8.count, bound = 40 * (m + n + 2 * testCount)
        #expect(bytes < bound, "\(bytes) bytes for m + n + 2·S_test = \(m + n + 2 * testCount)")
        let document = try JSONParser.parse(text)
        let documentHasNoJacobian = document["jacobian"] == nil
        #expect(documentHasNoJacobian)
        #expect(document["jacobian_omitted"]?["rows"]?.integerValue == m)
        #expect(document["parameters"]?.arrayValue?.count == n)
        #expect(document["inputs"]?.arrayValue?.count == m)

        // The teacher, rebuilt from the case's data seed: the test targets are its outputs
        // exactly (no noise), and teacher_cost is ½‖y − teacher(x)‖² over the training samples
        // (the noise drawn, summed in another order), near its expectation ½·m·σ².
        let source = TeacherNetworkDataSource(layerWidths: [1, 256, 256, 1], activation: .tanh, samples: m, testSamples: testCount, noise: 0.01)
        let teacher = source.teacher(seed: plannedCase.seeds.data)
        let teacherCost = try #require(document["teacher_cost"]?.numberValue)
        #expect(teacherCost == peerCase.teacherCost)
        let inputs = Matrix(rows: m, columns: 1, elements: (document["inputs"]?.arrayValue ?? []).compactMap { $0.arrayValue?.first?.numberValue })
        let targets = (document["targets"]?.arrayValue ?? []).compactMap { $0.arrayValue?.first?.numberValue }
        let teacherOutputs = teacher.outputs(for: inputs).elements
        #expect(targets.count == m && teacherOutputs.count == m)
        let recomputed = 0.5 * zip(targets, teacherOutputs).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        #expect(abs(recomputed - teacherCost) <= 1e-9 * teacherCost, "\(recomputed) against \(teacherCost)")
        let expected = 0.5 * Double(m) * 0.01 * 0.01
        #expect(abs(teacherCost / expected - 1) < 0.1, "\(teacherCost) against ½·m·σ² = \(expected)")
        let testInputRows = try #require(document["test_inputs"]?.arrayValue)
        let testTargetRows = try #require(document["test_targets"]?.arrayValue)
        #expect(testInputRows.count == testCount && testTargetRows.count == testCount)
        let testInputs = Matrix(rows: testCount, columns: 1, elements: testInputRows.compactMap { $0.arrayValue?.first?.numberValue })
        let testTargets = testTargetRows.compactMap { $0.arrayValue?.first?.numberValue }
        #expect(testTargets == teacher.outputs(for: testInputs).elements)
        // Held out: drawn after the training samples, not a copy of them.
        #expect(testInputs.elements != Array(inputs.elements.prefix(testCount)))
    }

    /// Without `test-samples` the case has no test set; data from a source without a teacher
    /// (a fixture dataset) has no teacher cost either.
    @Test func aCaseWithoutTestSamplesOrTeacherLeavesThoseFieldsOut() throws {
        let manifest = try writeManifest("""
            name: small
            seed: 3
            data: {kind: teacher-mlp, layers: [1, 3, 1], activation: tanh, samples: 16, noise: 0}
            model: {kind: mlp, layers: [1, 3, 1], activation: tanh}
            """)
        let plannedCase = try #require(try ExperimentPlan.load(path: manifest, registry: .standard).cases.first)
        let document = try JSONParser.parse(try PeerCase.exported(from: plannedCase, name: "small").jsonText())
        #expect(document["teacher_cost"]?.numberValue == 0)  // noise 0: the targets are the teacher's
        let hasNoTestSet = document["test_inputs"] == nil && document["test_targets"] == nil
        #expect(hasNoTestSet)

        let model = PerceptronTestModel(layers: [1, 2, 1], activation: .tanh, seed: 1)
        let data = PeerFixtures.dataset(samples: 3, inputs: 1, outputs: 1)
        let (plain, _, _) = try PeerCase.differentiated(name: "p", model: model, data: data, parameters: model.initialParameters, withRespectTo: .parameters)
        let fixture = try JSONParser.parse(try plain.jsonText())
        let hasNeither = fixture["teacher_cost"] == nil && fixture["test_inputs"] == nil
        #expect(hasNeither)
    }

    @Test func nonFiniteValuesAndOtherModelsAreRefusedWithTheReason() throws {
        let model = PerceptronTestModel(layers: [1, 2, 1], activation: .tanh, seed: 1)
        let data = PeerFixtures.dataset(samples: 2, inputs: 1, outputs: 1)
        var bad = model.initialParameters
        bad[3] = .nan
        let (peerCase, _, _) = try PeerCase.differentiated(name: "n", model: model, data: data, parameters: bad, withRespectTo: .parameters)
        #expect(throws: PeerCaseError.nonFinite(field: "parameters")) { try peerCase.jsonText() }
        #expect(throws: PeerCaseError.self) {
            try PeerCase.differentiated(name: "l", model: NotAPerceptronModel(), data: data, parameters: [1], withRespectTo: .parameters)
        }
        #expect(PeerCaseError.notAPerceptron("LineResiduals").description.contains("mlp model"))
    }
}

@Suite struct PeerComparisonReportTests {
    func value(_ metrics: [Metric], _ name: String) -> JSONValue? { metrics.first { $0.name == name }?.value }

    @Test func ratiosAreToTheFastestExactStrategyAndFitMetricsCompareWithJacobenchsFit() throws {
        let timing = { (median: Double) in RepeatedTiming(medianMicroseconds: median, minimumMicroseconds: median, maximumMicroseconds: median, repeats: 3) }
        let report = PeerComparisonReport(
            results: try JSONParser.parse(PeerFixtures.results),
            jacobench: ["per-sample": timing(12), "forward-vectorized": timing(20), "forward-difference": timing(6)],
            exactStrategies: ["per-sample", "forward-vectorized"], forwardPass: timing(4),
            fit: (cost: 0.4, microseconds: 2500), exactVariantsMatch: true)
        let metrics = report.metrics
        #expect(value(metrics, "peer.jacobench.fastest_exact")?.stringValue == "per-sample")  // not the faster difference
        #expect(value(metrics, "peer.jax.jit.vmap-jacrev.ratio_to_jacobench")?.numberValue == 5)
        #expect(value(metrics, "peer.speedup.torch_default")?.numberValue == 250)
        #expect(value(metrics, "peer.speedup.jax_best")?.numberValue == 5)
        #expect(value(metrics, "peer.jax_best.variant")?.stringValue == "jax.jit.vmap-jacrev")
        #expect(value(metrics, "peer.speedup.fit")?.numberValue == 20)
        #expect(value(metrics, "peer.fit.cost_relative_difference")?.numberValue == (0.4 - 0.5) / 0.5)
        #expect(value(metrics, "peer.scipy.nfev")?.integerValue == 40)
        #expect(value(metrics, "peer.scipy.least_squares.lm.ratio_to_jacobench") == nil)
        #expect(value(metrics, "peer.jax.jit.forward.ratio_to_jacobench_forward")?.numberValue == 2)
        #expect(value(metrics, "peer.jax.jit.forward.ratio_to_jacobench") == nil)
        #expect(value(metrics, "peer.version.torch")?.stringValue == "2.13.0+cpu")
        #expect(value(metrics, "peer.status")?.stringValue == "ok")
        #expect(metrics.first { $0.name == "peer.torch.functional.jacobian.median_us" }?.kind == .timing)
        let row = try #require(report.timings.first { $0.name == "peer.torch.functional.jacobian" })
        #expect(row.repeats == 5 && row.maximumMicroseconds == 3100 && row.forwardUnits == 100)
        #expect(report.timings.first { $0.name == "peer.jacobench.per-sample" }?.forwardUnits == 3)
        #expect(Set(metrics.map(\.name)).count == metrics.count)
    }

    @Test func aMismatchIsReportedAsSuch() throws {
        let report = PeerComparisonReport(
            results: try JSONParser.parse(PeerFixtures.results), jacobench: [:], exactStrategies: [], forwardPass: nil,
            fit: nil, exactVariantsMatch: false)
        #expect(value(report.metrics, "peer.status")?.stringValue == "mismatch")
        #expect(value(report.metrics, "peer.check.exact_variants_match")?.stringValue == "false")
        #expect(value(report.metrics, "peer.speedup.torch_default") == nil)
    }
}

@Suite struct PeerComparisonEvaluationTests {
    func subject(model: PerceptronTestModel, data: Dataset, target: String) throws -> EvaluationSubject {
        EvaluationSubject(
            data: LoadedData(training: data), model: model, residuals: try model.residualMap(on: data),
            parameters: model.initialParameters, fit: nil, jacobian: try PeerFixtures.settings(target))
    }

    func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.path + "/peer-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func withoutThePeersVenvItIsSkippedWithTheReason() throws {
        PeerProgramPolicy.allow(["/nonexistent/peers-venv/bin/python"])
        let model = PerceptronTestModel(layers: [2, 3, 1], activation: .tanh, seed: 2)
        let context = StageContext(
            configuration: PeerFixtures.configuration(python: "/nonexistent/peers-venv/bin/python", script: "peers/peer_benchmark.py"),
            seeds: CaseSeeds(data: 1, parameters: 1), manifestDirectory: "/nonexistent")
        let result = try PeerComparisonEvaluation.evaluate(context, subject: subject(model: model, data: PeerFixtures.dataset(samples: 4, inputs: 2, outputs: 1), target: "parameters"))
        #expect(result.metrics.count == 1)
        let status = try #require(result.metrics.first?.value.stringValue)
        #expect(status.hasPrefix("skipped: no Python at /nonexistent/peers-venv/bin/python"))
        #expect(status.contains("make peers"))
    }

    /// A stand-in for the venv's Python (a shell script): checks it was handed the case file
    /// and the options, copies the case's `layers` into the results, and exits with `status`.
    func fakePython(in folder: String, status: Int) throws -> String {
        PeerProgramPolicy.allow([folder + "/python", folder + "/bench.py"])
        let resultsPath = folder + "/canned.json"
        try Data(PeerFixtures.results.utf8).write(to: URL(fileURLWithPath: resultsPath))
        let script = """
            #!/bin/sh
            # $1 script, $2 case, then --out PATH --repeats N --budget S
            [ "$3" = "--out" ] && [ "$5" = "--repeats" ] && [ "$6" = "3" ] || exit 7
            layers=$(grep -o '"layers":\\[[0-9,]*\\]' "$2" | sed 's/"layers"://')
            sed "s/\\"jax\\": \\"0.10.2\\"/\\"jax\\": \\"0.10.2\\", \\"layers\\": \\"$layers\\"/" \(resultsPath) > "$4"
            exit \(status)
            """
        let path = folder + "/python"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        #expect(FileManager.default.createFile(atPath: folder + "/bench.py", contents: Data()))
        return path
    }

    @Test(arguments: [0, 1])
    func runsTheBenchmarkOnTheExportedCaseAndMergesItsFigures(status: Int) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let python = try fakePython(in: folder, status: status)
        let model = PerceptronTestModel(layers: [2, 3, 1], activation: .tanh, seed: 2)
        let context = StageContext(configuration: PeerFixtures.configuration(python: python, script: folder + "/bench.py"), seeds: CaseSeeds(data: 1, parameters: 1), manifestDirectory: folder)
        let result = try PeerComparisonEvaluation.evaluate(context, subject: subject(model: model, data: PeerFixtures.dataset(samples: 4, inputs: 2, outputs: 1), target: "parameters"))
        let metrics = Dictionary(result.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        #expect(metrics["peer.version.layers"]?.stringValue == "[2,3,1]")
        #expect(metrics["peer.status"]?.stringValue == (status == 0 ? "ok" : "mismatch"))
        #expect(metrics["peer.jacobench.per-sample.median_us"]?.numberValue.map { $0 > 0 } == true)
        #expect(metrics["peer.jacobench.forward-pass.median_us"] != nil)
        let fastest = try #require(metrics["peer.jacobench.fastest_exact"]?.stringValue)
        #expect(["per-sample", "forward-vectorized"].contains(fastest))
        let yardstick = try #require(metrics["peer.jacobench.fastest_exact_us"]?.numberValue)
        #expect(metrics["peer.speedup.jax_best"]?.numberValue == 60 / yardstick)
        #expect(result.timings.contains { $0.name == "peer.jax.jit.vmap-jacrev" })
        // SciPy's cost (0.5 in the canned results) is the default refit's target.
        #expect(metrics["peer.fit.target_cost"]?.numberValue == 0.5 * (1 + FitToPeerCost.relativeTolerance))
        #expect(metrics["peer.fit.default.reached_scipy_cost"]?.stringValue != nil)
        #expect(metrics["peer.fit.default.per_iteration.total_us"]?.numberValue.map { $0 > 0 } == true)
        // 4 residuals, 13 parameters: m < n goes to the m × m dual system.
        #expect(metrics["peer.fit.default.linear_solver"]?.stringValue?.hasPrefix("dual ") == true)
        #expect(result.timings.contains { $0.name == "peer.jacobench.fit-to-scipy-cost" })
        // No fit_peers.py beside this script: the fitting peers say so.
        #expect(metrics["peer.fitting.status"]?.stringValue?.hasPrefix("skipped: no fit_peers.py beside") == true)
    }

    @Test func timeToThePeersCostIsTheFirstAcceptedStepAtOrBelowTheTarget() throws {
        let columns = ["iteration", "cost", "damping", "step_norm", "gradient_norm", "accepted", "elapsed_seconds"]
        let trace: [[Double]] = [
            [1, 3.0, 1, 1, 1, 1, 0.010],
            [1, 0.1, 1, 1, 1, 0, 0.020],  // rejected: its cost is the current one's, not a trial's
            [2, 1.0000005, 1, 1, 1, 1, 0.030],
            [3, 0.9, 1, 1, 1, 1, 0.040],
        ]
        let reached = try #require(FitToPeerCost.firstReaching(1.000001, trace: trace, columns: columns))
        #expect(reached.seconds == 0.030 && reached.iteration == 2)
        #expect(FitToPeerCost.firstReaching(0.5, trace: trace, columns: columns) == nil)
        #expect(FitToPeerCost.firstReaching(1, trace: trace, columns: ["iteration", "cost"]) == nil)

        var toCost = FitToPeerCost(targetCost: 1.000001)
        toCost.fromTrace = reached
        toCost.traceReached = true
        let metrics = Dictionary(toCost.metrics(peerMicroseconds: 60_000).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(metrics["peer.fit.trace.time_to_scipy_cost_us"]?.numberValue == 30_000)
        #expect(metrics["peer.fit.trace.iterations_to_scipy_cost"]?.numberValue == 2)
        #expect(metrics["peer.speedup.fit_to_scipy_cost_trace"]?.numberValue == 2)
        #expect(metrics["peer.speedup.fit_to_scipy_cost"] == nil, "no refit, no refit speedup")
    }

    @Test func aFailingBenchmarkIsAnErrorNamingTheCommand() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let python = try fakePython(in: folder, status: 2)
        let model = PerceptronTestModel(layers: [2, 3, 1], activation: .tanh, seed: 2)
        let context = StageContext(configuration: PeerFixtures.configuration(python: python, script: folder + "/bench.py"), seeds: CaseSeeds(data: 1, parameters: 1), manifestDirectory: folder)
        do {
            _ = try PeerComparisonEvaluation.evaluate(context, subject: subject(model: model, data: PeerFixtures.dataset(samples: 4, inputs: 2, outputs: 1), target: "inputs"))
            Issue.record("expected an error")
        } catch let error as PeerBenchmarkError {
            #expect(error.description.contains("exited with status 2"))
            #expect(error.description.contains(python))
        }
    }

    @Test func validationNamesTheField() {
        var configuration = PeerFixtures.configuration(python: PeerProgramPolicy.defaultPython, script: PeerProgramPolicy.defaultScript)
        #expect(throws: Never.self) { try PeerComparisonEvaluation.validate(configuration) }
        configuration.strategies = ["per-sampel"]
        #expect { try PeerComparisonEvaluation.validate(configuration) } throws: { ($0 as? ConfigurationProblem)?.field == "strategies" }
        configuration.strategies = []
        configuration.budget = 0
        #expect { try PeerComparisonEvaluation.validate(configuration) } throws: { ($0 as? ConfigurationProblem)?.field == "budget" }
        configuration.budget = 1
        configuration.python = "/bin/sh"
        #expect { try PeerComparisonEvaluation.validate(configuration) } throws: { ($0 as? ConfigurationProblem)?.field == "python" }
    }
}

@Suite struct RepeatedTimingTests {
    final class CallCounter: @unchecked Sendable { var calls = 0 }

    @Test func warmsUpThenTimesBetweenTheMinimumAndTheMaximum() throws {
        let counter = CallCounter()
        let many = try RepeatedTiming.measure(budgetSeconds: 1e9, maximumRepeats: 5, cancellation: CancellationFlag()) { counter.calls += 1 }
        #expect(many.repeats == 5 && counter.calls == 6)
        #expect(many.minimumMicroseconds <= many.medianMicroseconds && many.medianMicroseconds <= many.maximumMicroseconds)
        counter.calls = 0
        let floor = try RepeatedTiming.measure(budgetSeconds: 1e9, maximumRepeats: 1, cancellation: CancellationFlag()) { counter.calls += 1 }
        #expect(floor.repeats == RepeatedTiming.minimumRepeats && counter.calls == RepeatedTiming.minimumRepeats + 1)
    }

    @Test func aCallLongerThanTheBudgetIsTimedOnce() throws {
        let counter = CallCounter()
        let once = try RepeatedTiming.measure(budgetSeconds: 1e-12, maximumRepeats: 50, cancellation: CancellationFlag()) { counter.calls += 1 }
        #expect(once.repeats == 1 && counter.calls == 2)
    }

    @Test func stopsWhenTheRunIsCancelled() {
        let flag = CancellationFlag()
        flag.cancel()
        #expect(throws: RunCancelled.self) { try RepeatedTiming.measure(budgetSeconds: 1, maximumRepeats: 5, cancellation: flag) {} }
    }
}

/// The fitting peers' results merged with jacobench's fit: the common best cost, who reached it
/// and when, jacobench's iterations to it from its own trace, and the peers that did not run.
@Suite struct FittingPeersReportTests {
    static let results = """
        {"schema": 1, "kind": "fit-peers",
         "peers": {"scipy.least_squares.trf": {"status": "ok", "cost": 0.5, "median_us": 900, "time_to_best_us": 800},
                   "jaxopt.LevenbergMarquardt": {"status": "ok", "cost": 0.6, "median_us": 100},
                   "scipy.least_squares.lm": {"status": "skipped", "reason": "the case has bounds; this solver has none"}}}
        """

    @Test func theBestCostIsTheLowestAndTimesToItComeFromEachSide() throws {
        let results = try JSONParser.parse(Self.results)
        let trace: [(cost: Double, seconds: Double, iteration: Int)] = [(2, 0.001, 1), (0.5000001, 0.002, 2), (0.4999, 0.003, 3)]
        let metrics = Dictionary(FittingPeersReport(results: results, fit: (0.4999, trace)).metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        // jacobench ends lowest: its cost is the best, and trf's 0.5 is above best·(1 + 1e-6).
        #expect(metrics["peer.fitting.best.peer"]?.stringValue == "jacobench")
        #expect(metrics["peer.fitting.best.cost"]?.numberValue == 0.4999)
        #expect(metrics["peer.fitting.scipy.least_squares.trf.reached"]?.stringValue == "false")
        #expect(metrics["peer.fitting.scipy.least_squares.trf.time_to_best_us"] == nil)
        #expect(metrics["peer.fitting.jacobench.iterations_to_best"]?.integerValue == 3)
        #expect(metrics["peer.fitting.jacobench.time_to_best_us"]?.numberValue == 3000)
        #expect(metrics["peer.fitting.scipy.least_squares.lm.status"]?.stringValue == "skipped: the case has bounds; this solver has none")
        #expect(metrics["peer.fitting.status"]?.stringValue == "ok")

        // jacobench ending higher: trf is the best and reached it; jacobench did not.
        let higher = Dictionary(FittingPeersReport(results: results, fit: (0.7, [(0.7, 0.001, 1)])).metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(higher["peer.fitting.best.peer"]?.stringValue == "scipy.least_squares.trf")
        #expect(higher["peer.fitting.scipy.least_squares.trf.time_to_best_us"]?.numberValue == 800)
        #expect(higher["peer.fitting.jacobench.reached"]?.stringValue == "false")
        #expect(higher["peer.fitting.jaxopt.LevenbergMarquardt.cost_relative_to_best"]?.numberValue.map { abs($0 - 0.2) < 1e-12 } == true)
    }

    /// Peers ending at the same cost: the best is named by name order, the same on every run
    /// (a dictionary's own order changes from process to process).
    @Test func aTieNamesTheFirstPeerByName() throws {
        let names = ["optimistix.LevenbergMarquardt", "jaxopt.LevenbergMarquardt", "scipy.least_squares.trf", "lmfit.leastsq"]
        let peers = names.map { "\"\($0)\": {\"status\": \"ok\", \"cost\": 0.25, \"median_us\": 1}" }.joined(separator: ", ")
        let results = try JSONParser.parse("{\"schema\": 1, \"kind\": \"fit-peers\", \"peers\": {\(peers)}}")
        let metrics = FittingPeersReport(results: results, fit: nil).metrics
        #expect(metrics.first { $0.name == "peer.fitting.best.peer" }?.value.stringValue == "jaxopt.LevenbergMarquardt")
    }

    @Test func aSkippedScriptIsReportedAsSuch() throws {
        let results = try JSONParser.parse(#"{"schema": 1, "kind": "fit-peers", "skipped": "an MLP case w.r.t. inputs has nothing to fit"}"#)
        let metrics = FittingPeersReport(results: results, fit: nil).metrics
        #expect(metrics.map(\.name) == ["peer.fitting.status"] && metrics[0].value.stringValue?.hasPrefix("skipped: an MLP case") == true)
    }
}

