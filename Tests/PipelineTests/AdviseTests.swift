import Foundation
import Jacobians
import Testing
@testable import Pipeline

/// `jacobench advise`: predictions, the one-line recommendation and its agreement with `auto`.
@Suite struct StrategyAdviceTests {
    func advice(layers: [Int], samples: Int, variables: JacobianVariables = .parameters, overrides: [String] = [],
                measurement: StrategyAdvice.Measurement? = nil) throws -> StrategyAdvice {
        let text = AdviceManifest.network(layers: layers, samples: samples, activation: "tanh", variables: variables, seed: 42)
        let plan = try ExperimentPlan.plan(text: text, path: AdviceManifest.file, overrides: overrides, registry: .standard)
        return try StrategyAdvice.advise(try #require(plan.cases.first), measurement: measurement)
    }

    @Test func forumCaseRecommendsPerSampleWithTheForumReason() throws {
        let advice = try advice(layers: [5, 9, 3], samples: 192)
        #expect(advice.shape.inputCount == 84 && advice.shape.outputCount == 576)
        #expect(advice.recommended == "per-sample")
        #expect(advice.reason == "M = 576 > N = 84 and samples are independent: per-sample needs 3 sweeps")
        let lines = advice.rendered().split(separator: "\n")
        #expect(lines.last == "recommendation: per-sample — M = 576 > N = 84 and samples are independent: per-sample needs 3 sweeps")
        let perSample = try #require(advice.rows.first { $0.strategy == "per-sample" }?.prediction)
        #expect(perSample.cost.pullbacks == 3 && perSample.cost.cotangentLanes == 576)
        let reverseLoop = try #require(advice.rows.first { $0.strategy == "reverse-loop" }?.prediction)
        #expect(reverseLoop.cost.pullbacks == 576)
    }

    /// At one point both forward-vectorized (1 sweep of 15 lanes) and per-sample (55 sweeps
    /// of one lane) take microseconds, and which `auto` times faster depends on the build and
    /// the machine; the line names the choice and, when the count ranks another first, says so.
    @Test func inputsCaseRecommendationLine() throws {
        let advice = try advice(layers: [15, 32, 55], samples: 1, variables: .inputs)
        #expect(advice.shape.inputCount == 15 && advice.shape.outputCount == 55)
        switch advice.recommended {
        case "forward-vectorized":
            #expect(advice.reason == "M = 55 > N = 15: forward-vectorized needs 1 sweep carrying all N = 15 tangent lanes; timed faster here than per-sample, which the operation count ranks first")
        case "per-sample":
            #expect(advice.reason == "M = 55 > N = 15 and samples are independent: per-sample needs 55 sweeps")
        default:
            Issue.record("unexpected recommendation \(advice.recommended): \(advice.reason)")
        }
    }

    /// The reason line for the inputs case, from a fixed calibration (no timing): cheap
    /// lanes make forward-vectorized the choice, and the line gives its one sweep and that
    /// the cost model (measured constants: per-sample, 2.1 µs against 2.6 µs) ranks another first.
    @Test func inputsCaseReasonFromAFixedCalibration() throws {
        let text = AdviceManifest.network(layers: [15, 32, 55], samples: 1, activation: "tanh", variables: .inputs, seed: 42)
        let plan = try ExperimentPlan.plan(text: text, path: AdviceManifest.file, registry: .standard)
        let plannedCase = try #require(plan.cases.first)
        let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: ".")
        let data = try plannedCase.data.run(environment, ())
        let model = try plannedCase.model.run(environment, data)
        let (map, _) = try model.inputMap(on: data.training, parameters: model.initialParameters)
        let calibration = AutoCalibration(
            evaluation: 1e-6, pushforwardFixed: 1e-6, pushforwardPerLane: 1e-7, pullbackFixed: 1e-6, pullbackPerLane: 1e-7,
            perSample: 55e-6, complexEvaluation: 4e-6)
        var decision = AutoStrategy.choose(for: map, calibration: calibration, allowInexact: false)
        decision.calibration = calibration
        #expect(decision.chosen == "forward-vectorized")
        let shape = JacobianShape.multilayerPerceptron(layers: [15, 32, 55], samples: 1, variables: .inputs)
        #expect(StrategyAdvice.reason(chosen: decision, shape: shape, predictions: JacobianCostModel.predictions(on: shape), measured: nil)
            == "M = 55 > N = 15: forward-vectorized needs 1 sweep carrying all N = 15 tangent lanes; timed faster here than per-sample, which the operation count ranks first")
    }

    @Test func inexactStrategiesAreListedButNeverRecommended() throws {
        let advice = try advice(layers: [2, 40, 1], samples: 1)
        let names = advice.rows.map(\.strategy)
        #expect(names.contains("forward-difference") && names.contains("central-difference"))
        #expect(JacobianStrategyCatalog.entries.first { $0.name == advice.recommended }?.isExact == true)
        #expect(advice.rendered().contains("inexact: never recommended"))
    }

    @Test func notApplicableStrategiesShowTheCatalogReason() throws {
        let text = try AdviceManifest.formula("y = b1*(1 - exp(-b2*x))", samples: 14, seed: 1)
        let plan = try ExperimentPlan.plan(text: text, path: AdviceManifest.file, registry: .standard)
        let advice = try StrategyAdvice.advise(try #require(plan.cases.first))
        let row = try #require(advice.rows.first { $0.strategy == "swift-autodiff" })
        #expect(row.prediction == nil)
        let probe = try FormulaProbe.map()
        #expect(row.notApplicable == SwiftAutodiff().inapplicabilityReason(for: probe))
        #expect(advice.rendered().contains("not applicable: " + (row.notApplicable ?? "?")))
    }

    /// The recommendation is what `auto` picks in a run of the same case: the measured
    /// `jacobian-timing` evaluation (its own `auto`) records the same choice.
    @Test func recommendationAgreesWithAutoInTheTimingEvaluation() throws {
        let advice = try advice(layers: [5, 9, 3], samples: 192, measurement: .init(repeats: 3, maxSeconds: 0.2))
        let auto = try #require(advice.rows.first { $0.strategy == "auto" })
        #expect(auto.measuredMicroseconds != nil)
        let perSample = try #require(advice.rows.first { $0.strategy == "per-sample" })
        #expect(perSample.measuredForwardUnits != nil)
        #expect(advice.rows.first { $0.strategy == "swift-autodiff" }?.notMeasured != nil)
        #expect(advice.forwardMicroseconds != nil)

        let text = AdviceManifest.network(layers: [5, 9, 3], samples: 192, activation: "tanh", variables: .parameters, seed: 42)
            + "\nevaluation: [{kind: jacobian-timing, repeats: 2, warmup: 0}]\n"
        let plan = try ExperimentPlan.plan(text: text, path: "agree.yaml", overrides: ["jacobian.strategies=[auto]"], registry: .standard)
        let record = try CaseExecution.run(try #require(plan.cases.first), cancellation: CancellationFlag())
        let choice = record.metrics.first { $0.name == "jacobian.auto.choice" }?.value.stringValue
        #expect(choice == advice.recommended)
    }

    @Test func pinnedAutoIsRecommendedAndSaysSo() throws {
        let advice = try advice(layers: [5, 9, 3], samples: 192, overrides: ["jacobian.auto=forward-loop"])
        #expect(advice.recommended == "forward-loop")
        #expect(advice.reason.contains("pinned by jacobian.auto"))
    }
}

/// A formula map, to ask the catalog its own reason.
enum FormulaProbe {
    static func map() throws -> any DifferentiableMap {
        let text = try AdviceManifest.formula("y = b1*(1 - exp(-b2*x))", samples: 3, seed: 1)
        let plan = try ExperimentPlan.plan(text: text, path: AdviceManifest.file, registry: .standard)
        let plannedCase = try #require(plan.cases.first)
        let environment = StageEnvironment(seeds: CaseSeeds(data: 1, parameters: 1), manifestDirectory: ".")
        let data = try plannedCase.data.run(environment, ())
        let model = try plannedCase.model.run(environment, data)
        return try model.residualMap(on: data.training)
    }
}

/// The binary's `advise`: output and exit 2 with a located message for bad flags and manifests.
@Suite(.serialized)
struct AdviseCommandTests {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["advise"] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self), stderr: String(decoding: errorData, as: UTF8.self))
    }

    @Test func printsEveryStrategyAndOneRecommendationLine() throws {
        let result = try run(["--layers", "5,9,3", "--samples", "192"])
        #expect(result.status == 0, "\(result.stderr)")
        for entry in JacobianStrategyCatalog.entries { #expect(result.stdout.contains("\n" + entry.name + " ")) }
        #expect(result.stdout.split(separator: "\n").filter { $0.hasPrefix("recommendation:") }.count == 1)
        #expect(result.stdout.contains("recommendation: per-sample — M = 576 > N = 84 and samples are independent: per-sample needs 3 sweeps"))
    }

    @Test(arguments: [
        (["--layers", "5,x,3", "--samples", "3"], "--layers '5,x,3': expected at least two positive widths"),
        (["--layers", "5,9,3"], "--samples is required with --layers or --formula"),
        (["--layers", "5,9,3", "--samples", "0"], "--samples must be a positive number of samples, got 0"),
        (["--layers", "5,9,3", "--samples", "4", "--activation", "nope"], "--activation: invalid value string 'nope': not a known activation; known: tanh,"),
        (["--formula", "y = b1*(1-exp(-b2*x)", "--samples", "4"], "--formula:1:1: formula: formula line 1, column 21: expected ')'"),
        (["--formula", "y = b1*x", "--samples", "4", "--with-respect-to", "inputs"], "--with-respect-to inputs needs a network"),
        ([String](), "give exactly one of a manifest path, --layers or --formula (got 0)"),
    ]) func badFlagsExitTwoWithTheFlag(_ arguments: [String], _ expected: String) throws {
        let result = try run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func badManifestExitsTwoWithFileLineColumnAndField() throws {
        let folder = try temporaryDirectory()
        try "name: b\ndata: {kind: teacher-mlp, layers: [2, 3, 1], samples: 4, nosie: 1}\nmodel: {kind: mlp, layers: [2, 3, 1]}\n"
            .write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try run(["bad.yaml"], in: folder)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.yaml:2:58: data: unknown key 'nosie' (did you mean 'noise'?)"), "\(bad.stderr)")
        let missing = try run(["missing.yaml"], in: folder)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("missing.yaml: cannot read the manifest"), "\(missing.stderr)")
        let noCase = try run([BuiltBinary.packageRoot + "/experiments/seed-lm.yaml", "--case", "nope"])
        #expect(noCase.status == 2)
        #expect(noCase.stderr.contains("--case 'nope': no such case"), "\(noCase.stderr)")
    }
}
