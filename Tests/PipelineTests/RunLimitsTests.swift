import Foundation
import JSONDocuments
import Jacobians
import Synchronization
import Testing
import YAMLDecoding
@testable import Pipeline

/// `limits:`: sizes and durations with units, memory cap and time budget (cells and
/// strategies recorded as skipped, never missing), default chunking, peak memory per case,
/// and the estimate printed before the first case.
@Suite struct RunLimitsTests {
    @Test(arguments: [
        ("2 GiB", 2 << 30), ("512 MiB", 512 << 20), ("1.5GB", 1_500_000_000), ("4096", 4096), ("1e9", 1_000_000_000),
        ("3 kB", 3000), ("1 TiB", 1 << 40), ("10 B", 10),
    ]) func sizesWithUnits(_ text: String, _ bytes: Int) throws {
        #expect(try RunLimits.bytes(text) == bytes)
    }

    @Test(arguments: [("90 s", 90.0), ("2 min", 120), ("1.5h", 5400), ("500 ms", 0.5), ("30", 30)])
    func durationsWithUnits(_ text: String, _ seconds: Double) throws {
        #expect(try RunLimits.seconds(text) == seconds)
    }

    @Test(arguments: ["2 GiBs", "", "GiB", "-1 MB", "0", "1 parsec"]) func badSizesAreRejected(_ text: String) {
        #expect(throws: LimitValueProblem.self) { try RunLimits.bytes(text) }
    }

    @Test(arguments: ["0 s", "-3 min", "2 fortnights", "s"]) func badDurationsAreRejected(_ text: String) {
        #expect(throws: LimitValueProblem.self) { try RunLimits.seconds(text) }
    }

    @Test func defaultsAreNoCapNoBudgetAndChunkingAbove256MiB() throws {
        let plan = try ExperimentPlan.plan(text: Self.manifest(limits: ""), path: "limits.yaml", registry: .standard)
        let limits = try #require(plan.cases.first).limits
        #expect(limits == .standard)
        #expect(limits.memoryCap == nil && limits.timeBudget == nil && limits.chunkAbove == 256 << 20)
        let capped = try ExperimentPlan.plan(text: Self.manifest(limits: ""), path: "limits.yaml", overrides: ["limits.memory-cap=1 MiB"], registry: .standard)
        #expect(try #require(capped.cases.first).limits.chunkBudget == 1 << 20)
    }

    static func manifest(limits: String, evaluations: String = "[{kind: jacobian-accuracy}, {kind: jacobian-timing, repeats: 2, warmup: 0}]") -> String {
        """
        name: limits
        seed: 3
        data: {kind: teacher-mlp, layers: [5, 4, 3], samples: 8}
        model: {kind: mlp, layers: [5, 4, 3]}
        jacobian: {strategies: [reverse-loop, forward-loop, reverse-vectorized, forward-vectorized, per-sample, auto]}
        evaluation: \(evaluations)
        \(limits)
        sweep:
          model.layers: [[5, 4, 3], [5, 64, 3]]
          data.samples: [8, 256]
        """
    }

    /// The same grid with smaller cells (for tests about every case, not about sizes).
    static func small(_ text: String) -> String {
        text.replacingOccurrences(of: "[5, 64, 3]]", with: "[5, 8, 3]]").replacingOccurrences(of: "[8, 256]", with: "[8, 32]")
    }

    func run(_ text: String, display: RunProgressDisplay? = nil) throws -> (outcome: RunOutcome, summary: JSONValue, markdown: String, html: String) {
        let path = try writeManifest(text)
        let plan = try ExperimentPlan.load(path: path, registry: .standard)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag(), display: display).run(resultsDirectory: try temporaryDirectory())
        let summary = try JSONParser.parse(String(contentsOfFile: outcome.bundlePath + "/summary.json", encoding: .utf8))
        return (outcome, summary,
                try String(contentsOfFile: outcome.bundlePath + "/summary.md", encoding: .utf8),
                try String(contentsOfFile: outcome.bundlePath + "/report.html", encoding: .utf8))
    }

    func cases(_ summary: JSONValue) -> [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: (summary["cases"]?.arrayValue ?? []).compactMap { item in item["id"]?.stringValue.map { ($0, item) } })
    }

    /// The largest cell (N = 579, M = 768) needs the reference, the result and their
    /// difference (3 × 3.4 MiB): over a 3 MiB cap it is skipped with the prediction, and
    /// appears as such in status.json, summary.json, summary.md and the crossover map.
    @Test func cellOverTheMemoryCapIsRecordedAsSkippedEverywhere() throws {
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 64, 3], samples: 256, variables: .parameters)
        #expect(3 * 8 * shape.inputCount * shape.outputCount > 3 << 20)
        let (outcome, summary, markdown, html) = try run(Self.manifest(limits: "limits: {memory-cap: 3 MiB, chunk-above: 1 MiB}"))
        #expect(outcome.complete && outcome.failedCount == 0)
        let byID = cases(summary)
        #expect(byID.count == 4)
        let big = try #require(byID["layers=5x64x3_samples=256"])
        #expect(big["status"] == .string("skipped"))
        let reason = try #require(big["error"]?.stringValue)
        #expect(reason.contains("> memory-cap 3.0 MiB") && reason.hasPrefix("predicted peak "))
        #expect(big["metrics"]?["jacobian.columns"] == .integer(579) && big["metrics"]?["jacobian.rows"] == .integer(768))
        let status = try JSONParser.parse(String(contentsOfFile: outcome.bundlePath + "/status.json", encoding: .utf8))
        #expect(status["counts"]?["skipped"] == .integer(1) && status["counts"]?["ok"] == .integer(3))
        #expect(markdown.contains("| layers=5x64x3_samples=256 | skipped (predicted peak"))
        #expect(markdown.contains("skipped cell"))
        #expect(html.contains(">skipped<"))
        // Smaller cells ran; the unchunked vectorized sweep over 256 samples was chunked to 1 MiB.
        let medium = try #require(byID["layers=5x4x3_samples=256"])
        #expect(medium["status"] == .string("ok"))
        let chunk = try #require(medium["metrics"]?["jacobian.reverse-vectorized.chunk"]?.integerValue)
        let mediumShape = JacobianShape.multilayerPerceptron(layers: [5, 4, 3], samples: 256, variables: .parameters)
        #expect(JacobianCostModel.predict(ReverseVectorized(chunk: chunk), on: mediumShape).peakBytes <= 1 << 20)
        #expect(JacobianCostModel.predict(ReverseVectorized(), on: mediumShape).peakBytes > 1 << 20)
        #expect(medium["metrics"]?["jacobian.reverse-vectorized.rel_error"]?.numberValue ?? 1 < 1e-12)
    }

    /// A strategy predicted over the cap inside a cell that fits is skipped alone (one with
    /// an explicit chunk: without one it would be chunked under the cap instead).
    @Test func strategyOverTheCapIsSkippedAloneWithItsPrediction() throws {
        let text = Self.manifest(limits: "limits: {memory-cap: 3 MiB}", evaluations: "[{kind: jacobian-timing, repeats: 2, warmup: 0}]")
            .replacingOccurrences(of: "model.layers: [[5, 4, 3], [5, 64, 3]]", with: "model.layers: [[5, 4, 3]]")
            .replacingOccurrences(of: "data.samples: [8, 256]", with: "data.samples: [256]")
            .replacingOccurrences(of: "reverse-vectorized,", with: "{name: reverse-vectorized, chunk: 768},")
        let (_, summary, markdown, _) = try run(text)
        let only = try #require(cases(summary).values.first)
        #expect(only["status"] == .string("ok"))
        // 768 lanes at once: a 768² seed and lane blocks over 256 samples (> 3 MiB); per-sample fits.
        let reason = try #require(only["metrics"]?["jacobian.reverse-vectorized-chunk768.skipped"]?.stringValue)
        #expect(reason.hasPrefix("predicted peak ") && reason.hasSuffix("> memory-cap 3.0 MiB"))
        #expect(only["metrics"]?["jacobian.reverse-vectorized-chunk768.median_us"] == nil)
        #expect(only["metrics"]?["jacobian.per-sample.median_us"] != nil)
        #expect(markdown.contains("skipped: predicted peak"))
    }

    /// Not even one forward pass fits in a microsecond: every cell is skipped.
    @Test func cellPredictedOverTheTimeBudgetIsSkipped() throws {
        let text = Self.manifest(limits: "limits: {time-budget: 0.001 ms}", evaluations: "[{kind: jacobian-timing, repeats: 2, warmup: 0}]")
        let (outcome, summary, _, _) = try run(text)
        #expect(outcome.failedCount == 0)
        for item in cases(summary).values {
            #expect(item["status"] == .string("skipped"))
            #expect(item["error"]?.stringValue?.contains("> time-budget 0.001 ms") == true, "\(item["error"] ?? .null)")
        }
    }

    /// 1,024 samples: per-sample needs 3 sweeps (~9 forward passes), reverse-loop 3,072
    /// pullbacks (~9,000): with half a second, the cell runs and reverse-loop is skipped alone.
    @Test func strategyPredictedOverTheTimeBudgetIsSkippedInsideTheCell() throws {
        let text = Self.manifest(limits: "limits: {time-budget: 0.5 s}", evaluations: "[{kind: jacobian-timing, repeats: 2, warmup: 0}]")
            .replacingOccurrences(of: "model.layers: [[5, 4, 3], [5, 64, 3]]", with: "model.layers: [[5, 64, 3]]")
            .replacingOccurrences(of: "data.samples: [8, 256]", with: "data.samples: [1024]")
        let (_, summary, _, _) = try run(text)
        let only = try #require(cases(summary).values.first)
        #expect(only["status"] == .string("ok"))
        let reason = try #require(only["metrics"]?["jacobian.reverse-loop.skipped"]?.stringValue)
        #expect(reason.contains(" per run > ") && reason.hasSuffix("time-budget 500 ms"), "\(reason)")
        #expect(only["metrics"]?["jacobian.per-sample.median_us"] != nil)
    }

    @Test func everyCaseRecordsItsPeakMemory() throws {
        let (_, summary, markdown, _) = try run(Self.small(Self.manifest(limits: "")))
        for item in cases(summary).values {
            let bytes = try #require(item["metrics"]?["memory.peak_bytes"]?.numberValue)
            #expect(bytes > 1_048_576)
            let source = try #require(item["metrics"]?["memory.peak_source"]?.stringValue)
            #expect(source == "VmHWM since case start" || source.hasPrefix("ru_maxrss"))
        }
        #expect(markdown.contains("peak memory"))
    }

    @Test func peakMemoryResetsToTheCurrentResidentSize() throws {
        guard PeakMemory.reset() else { return }
        let before = try #require(PeakMemory.highWaterMark())
        let bytes = 64 << 20
        let block = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes)
        block.initialize(repeating: 1, count: bytes)
        let during = PeakMemory.read(afterReset: true)
        block.deallocate()
        // Other tests in this process only add to the resident set (or reset the mark to it,
        // which still holds the initialized block), so the reading includes the block.
        #expect(during.bytes >= before + bytes / 2)
        #expect(during.source == "VmHWM since case start")
    }

    @Test func estimateIsPrintedBeforeTheFirstCase() throws {
        let lines = Mutex<[String]>([])
        let display = RunProgressDisplay(isTerminal: false) { text in lines.withLock { $0.append(text) } }
        _ = try run(Self.small(Self.manifest(limits: "")), display: display)
        let written = lines.withLock { $0 }
        let first = try #require(written.first)
        #expect(first.hasPrefix("jacobench: limits: 4 cases, estimated ~"), "\(first)")
        #expect(written.dropFirst().first?.hasPrefix("[1/4]") == true)
    }

    /// The running estimate rescales the pre-run predictions by measured / predicted:
    /// predicted 1, 2, 3, 4 s, the first took 2 s (twice the prediction), so 2·(3 + 4) are left
    /// after the second starts; without predictions it is the mean finished case per case left.
    @Test func runningEstimateRescalesThePredictions() {
        #expect(RunProgressDisplay.remainingSeconds(finished: [2], predicted: [1, 2, 3, 4], total: 4, firstLeft: 2) == 14)
        #expect(RunProgressDisplay.remainingSeconds(finished: [2], predicted: [1, 2, 3, 4], total: 4, firstLeft: 1) == 18)
        #expect(RunProgressDisplay.remainingSeconds(finished: [2, 4], predicted: [1, nil, 3, 4], total: 4, firstLeft: 2) == 6)
        #expect(RunProgressDisplay.remainingSeconds(finished: [], predicted: [1, 2], total: 2, firstLeft: 0) == nil)
        // A first case 10x its prediction rescales the rest by 2 at most (and 0.5 at least).
        #expect(RunProgressDisplay.remainingSeconds(finished: [10], predicted: [1, 2, 3], total: 3, firstLeft: 1) == 10)
        #expect(RunProgressDisplay.remainingSeconds(finished: [0.1], predicted: [1, 2, 3], total: 3, firstLeft: 1) == 2.5)
        // Finished cases under a tenth of the predicted total: the predictions as they are.
        #expect(RunProgressDisplay.remainingSeconds(finished: [5], predicted: [0.5, 50, 50], total: 3, firstLeft: 1) == 100)
    }

    /// The solver's Jacobian is chunked under `chunk-above` too: the same fit, and `auto`'s
    /// choice still reported.
    @Test func solverJacobianIsChunkedUnderTheLimitsWithTheSameFit() throws {
        func fit(_ jacobian: String, limits: String) throws -> [String: JSONValue] {
            let text = """
                name: chunked-fit
                seed: 4
                data: {kind: teacher-mlp, layers: [2, 6, 1], samples: 64, noise: 0.01}
                model: {kind: mlp, layers: [2, 6, 1]}
                solver: {kind: levenberg-marquardt, jacobian: \(jacobian), max-iterations: 8, normal-equations: from-jacobian}
                evaluation: [{kind: fit}]
                \(limits)
                """
            let path = try writeManifest(text)
            let plan = try ExperimentPlan.load(path: path, registry: .standard)
            let record = try CaseExecution.run(try #require(plan.cases.first), cancellation: CancellationFlag())
            #expect(record.status == .ok, "\(record.error ?? "")")
            return Dictionary(record.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        }
        let whole = try fit("forward-vectorized", limits: "")
        let chunked = try fit("forward-vectorized", limits: "limits: {chunk-above: 8 KiB}")
        let a = try #require(whole["fit.final_cost"]?.numberValue), b = try #require(chunked["fit.final_cost"]?.numberValue)
        #expect(abs(a - b) <= 1e-10 * abs(a))
        // Every iteration linearised through the (chunked) Jacobian, not the structured assembly.
        #expect((chunked["fit.jacobian_evaluations"]?.numberValue ?? 0) >= 8)
        let shape = JacobianShape.multilayerPerceptron(layers: [2, 6, 1], samples: 64, variables: .parameters)
        #expect(JacobianCostModel.chunk(forward: true, on: shape, budgetBytes: 8 << 10) != nil)
        let auto = try fit("auto", limits: "limits: {chunk-above: 8 KiB}")
        #expect(auto["fit.jacobian_strategy"]?.stringValue?.hasPrefix("auto → ") == true)
    }

    @Test func estimateGrowsWithTheRepeatsAndTheSolverIterations() throws {
        func seconds(_ evaluations: String) throws -> Double {
            let plan = try ExperimentPlan.plan(text: Self.manifest(limits: "", evaluations: evaluations), path: "e.yaml", registry: .standard)
            // One fixed forward-pass time for both: the estimates differ by the repeats alone.
            return try CaseEstimate.build(try #require(plan.cases.last), forwardSeconds: 1e-4).seconds
        }
        let few = try seconds("[{kind: jacobian-timing, repeats: 5, warmup: 0, max-seconds: 100}]")
        let many = try seconds("[{kind: jacobian-timing, repeats: 50, warmup: 0, max-seconds: 100}]")
        #expect(many > 5 * few)
    }
}
