import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// The same manifest and seed give bitwise-identical deterministic metrics in summary.json:
/// across two runs, across `batch --jobs 1` and `--jobs 2`, and whether `auto` is pinned by
/// `--set jacobian.auto=…` or in the manifest. Numbers are compared as their JSON text,
/// which Swift prints as the shortest round-trip form, so equal text means equal bits.
@Suite(.serialized)
struct DeterminismTests {
    /// Explicit strategies plus `auto`, a Jacobian accuracy check and an LM fit, two seeds.
    static func manifest(name: String, pin: String? = nil) -> String {
        """
        name: \(name)
        seed: 7
        data: {kind: teacher-mlp, layers: [2, 4, 1], samples: 24, noise: 0.01}
        model: {kind: mlp, layers: [2, 3, 1]}
        jacobian: {strategies: [reverse-vectorized, per-sample, forward-loop, central-difference, auto]\(pin.map { ", auto: \($0)" } ?? "")}
        solver: {kind: levenberg-marquardt, jacobian: auto, max-iterations: 30}
        evaluation: [{kind: jacobian-accuracy}, {kind: fit}]
        sweep:
          seed: [1, 2]
        """
    }

    func jacobench(_ arguments: [String], in folder: String) throws -> (status: Int32, stdout: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// case id → deterministic metric name → value, from a bundle's summary.json.
    func deterministicMetrics(bundle: String) throws -> [String: [String: JSONValue]] {
        let summary = try BundleFiles.readJSON(bundle + "/summary.json")
        let kinds = summary["metric_kinds"]?.objectValue ?? [:]
        var result: [String: [String: JSONValue]] = [:]
        for entry in summary["cases"]?.arrayValue ?? [] {
            guard case .string(let id)? = entry["id"], let metrics = entry["metrics"]?.objectValue else { continue }
            result[id] = metrics.filter { kinds[$0.key] == .string("deterministic") }
        }
        return result
    }

    @Test func runsAndJobCountsGiveBitwiseIdenticalDeterministicMetrics() throws {
        let folder = try temporaryDirectory()
        try Self.manifest(name: "det").write(toFile: folder + "/det.yaml", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: folder + "/batch", withIntermediateDirectories: true)
        try Self.manifest(name: "det", pin: "per-sample").write(toFile: folder + "/batch/det.yaml", atomically: true, encoding: .utf8)
        try Self.manifest(name: "other", pin: "per-sample").write(toFile: folder + "/batch/other.yaml", atomically: true, encoding: .utf8)

        var bundles: [String] = []
        for results in ["first", "second"] {
            let run = try jacobench(["run", "det.yaml", "--results", results, "--set", "jacobian.auto=per-sample"], in: folder)
            #expect(run.status == 0)
            bundles.append(folder + "/" + results + "/det/latest")
        }
        for jobs in ["1", "2"] {
            let batch = try jacobench(["batch", "batch", "--results", "jobs" + jobs, "--jobs", jobs], in: folder)
            #expect(batch.status == 0, "\(batch.stdout)")
            bundles.append(folder + "/jobs\(jobs)/det/latest")
        }

        let reference = try deterministicMetrics(bundle: bundles[0])
        #expect(reference.keys.sorted() == ["seed=1", "seed=2"])
        for (id, metrics) in reference {
            // The comparison covers the fit and every strategy's accuracy, and auto's recorded choice.
            #expect(metrics["fit.final_cost"] != nil && metrics["jacobian.forward-loop.rel_error"] != nil, "\(id)")
            #expect(metrics["jacobian.auto.choice"] == .string("per-sample"), "\(id)")
            #expect(metrics["fit.time_us"] == nil, "timings are not deterministic metrics")
        }
        // Different seeds do differ, so equality below is not vacuous.
        #expect(reference["seed=1"]?["fit.final_cost"] != reference["seed=2"]?["fit.final_cost"])
        for bundle in bundles.dropFirst() {
            let other = try deterministicMetrics(bundle: bundle)
            #expect(other == reference, "\(bundle)")
        }
        // The other manifest of the batch ran too, under both job counts, identically.
        #expect(try deterministicMetrics(bundle: folder + "/jobs1/other/latest") == deterministicMetrics(bundle: folder + "/jobs2/other/latest"))
    }

    /// Without any pin, `auto` (in the evaluations and the solver) decides from the cost
    /// model: two plain runs of formula fits on NIST files (where per-sample and
    /// forward-vectorized Jacobians differ in the last bits, so a timing-based choice used to
    /// change iterations, statuses and digits) and of the MLP manifest are bitwise equal, and
    /// `diff` of them (tolerance 0, timings not judged) exits 0.
    @Test func unpinnedAutoGivesBitwiseIdenticalRuns() throws {
        let folder = try temporaryDirectory()
        let nist = BuiltBinary.packageRoot + "/data/nist"
        let manifest = """
            name: nist-twice
            seed: 1
            data: {kind: nist, file: \(nist)/Misra1a.dat}
            model: {kind: formula, start: '1'}
            solver: {kind: levenberg-marquardt, jacobian: auto, max-iterations: 1000}
            jacobian: {strategies: [auto, per-sample, forward-vectorized]}
            evaluation: [{kind: fit}, {kind: nist-certified}, {kind: jacobian-accuracy}, {kind: jacobian-timing, repeats: 2, max-seconds: 0.01}]
            sweep:
              data.file: [\(nist)/Misra1a.dat, \(nist)/BoxBOD.dat, \(nist)/DanWood.dat, \(nist)/Misra1d.dat, \(nist)/Thurber.dat]
              model.start: ['1', '2']
            """
        try manifest.write(toFile: folder + "/nist.yaml", atomically: true, encoding: .utf8)
        try Self.manifest(name: "det").write(toFile: folder + "/det.yaml", atomically: true, encoding: .utf8)
        for name in ["nist", "det"] {
            var bundles: [String] = []
            for results in ["first", "second"] {
                let run = try jacobench(["run", name + ".yaml", "--results", results], in: folder)
                #expect(run.status == 0)
                bundles.append(folder + "/" + results + "/" + (name == "nist" ? "nist-twice" : "det") + "/latest")
            }
            let first = try deterministicMetrics(bundle: bundles[0]), second = try deterministicMetrics(bundle: bundles[1])
            #expect(first.count == (name == "nist" ? 10 : 2))
            for (id, metrics) in first {
                #expect(metrics["fit.final_cost"] != nil, "\(id)")
                #expect(metrics["fit.jacobian_strategy"]?.stringValue?.hasPrefix("auto → ") == true, "\(id)")
                #expect(metrics["jacobian.auto.mode"] == .string("cost-model"), "\(id)")
                #expect(metrics["jacobian.auto.choice"] != nil, "\(id): auto's choice is a deterministic metric")
                if name == "nist" {
                    // The cost model's units beside the measured ones: per-sample is p(1 + r) = 2
                    // for a formula's one output per observation, auto predicted as its choice.
                    #expect(metrics["jacobian.per-sample.predicted_units"]?.numberValue == 2, "\(id)")
                    #expect(metrics["jacobian.auto.predicted_units"] == metrics["jacobian.per-sample.predicted_units"], "\(id)")
                }
            }
            #expect(first == second, "\(name)")
            // Deterministic metrics judged at tolerance 0; timings left out (the machine is loaded,
            // and a test may not depend on wall-clock time), as in ReproducibilityTests.
            let diff = try jacobench(["diff", bundles[0], bundles[1], "--tolerance", "0", "--timing-tolerance", "1e9"], in: folder)
            #expect(diff.status == 0, "\(diff.stdout)")
        }
    }

    /// `--threads 1`, `2` and `3` give bitwise-identical deterministic metrics on a network large
    /// enough for every split kernel: N = 481 (tiled Cholesky above 256 and Gram strips above 128),
    /// 1,500 samples (the per-sample Jacobian in sample tasks from 2¹⁹ values; the normal
    /// equations summed over sample blocks of a three-layer network), the Gram of a formed J in
    /// strips (`from-jacobian`), and the Jacobians' accuracy.
    @Test func threadCountsGiveBitwiseIdenticalDeterministicMetrics() throws {
        let folder = try temporaryDirectory()
        let manifest = """
            name: threads
            seed: 3
            data: {kind: teacher-mlp, layers: [1, 20, 20, 1], samples: 1500, noise: 0.01}
            model: {kind: mlp, layers: [1, 20, 20, 1]}
            jacobian: {strategies: [per-sample, forward-vectorized], reference: per-sample}
            solver: {kind: levenberg-marquardt, jacobian: per-sample, max-iterations: 6}
            evaluation: [{kind: jacobian-accuracy}, {kind: fit}]
            sweep:
              solver.normal-equations: [auto, from-jacobian]
            """
        try manifest.write(toFile: folder + "/threads.yaml", atomically: true, encoding: .utf8)
        var metrics: [[String: [String: JSONValue]]] = []
        for threads in ["1", "2", "3"] {
            let run = try jacobench(["run", "threads.yaml", "--results", "t" + threads, "--threads", threads], in: folder)
            #expect(run.status == 0)
            metrics.append(try deterministicMetrics(bundle: folder + "/t\(threads)/threads/latest"))
        }
        #expect(metrics[0].count == 2)
        for (id, values) in metrics[0] {
            #expect(values["fit.final_cost"] != nil && values["jacobian.forward-vectorized.rel_error"] != nil, "\(id)")
            #expect(values["fit.iterations"]?.numberValue == 6, "\(id): six iterations of every kernel")
            #expect((values["data.teacher_cost"]?.numberValue ?? 0) > 0, "\(id): the teacher cost is recorded")
        }
        #expect(metrics[0]["normal-equations=auto"]?["fit.normal_equations"] == .string("structured"))
        #expect(metrics[0]["normal-equations=from-jacobian"]?["fit.normal_equations"] == .string("from-jacobian"))
        #expect(metrics[1] == metrics[0])
        #expect(metrics[2] == metrics[0])
    }

    /// A run whose `auto` calibrates by timing records its choices; `run --pin-from` that
    /// bundle replays them case by case (mode `pinned-from-bundle`), and a folder that is not
    /// a bundle is refused with exit 2.
    @Test func pinFromReplaysARecordedChoice() throws {
        let folder = try temporaryDirectory()
        let manifest = Self.manifest(name: "cal").replacingOccurrences(
            of: "central-difference, auto]}", with: "central-difference, auto], auto: {calibrate: true}}")
        #expect(manifest.contains("calibrate: true"))
        try manifest.write(toFile: folder + "/cal.yaml", atomically: true, encoding: .utf8)
        let calibrated = try jacobench(["run", "cal.yaml", "--results", "first"], in: folder)
        #expect(calibrated.status == 0)
        let first = try BundleFiles.readJSON(folder + "/first/cal/latest/summary.json")
        let kinds = first["metric_kinds"]?.objectValue ?? [:]
        #expect(kinds["jacobian.auto.choice"] == .string("timing"), "a calibrated choice is not deterministic")
        #expect(kinds["fit.final_cost"] == .string("timing"), "nor is a fit that followed it")
        let recorded = try ExperimentPlan.recordedAutoChoices(inBundle: folder + "/first/cal/latest")
        #expect(recorded.keys.sorted() == ["seed=1", "seed=2"])

        let pinned = try jacobench(["run", "cal.yaml", "--results", "second", "--pin-from", folder + "/first/cal/latest"], in: folder)
        #expect(pinned.status == 0)
        let second = try BundleFiles.readJSON(folder + "/second/cal/latest/summary.json")
        for entry in second["cases"]?.arrayValue ?? [] {
            let id = entry["id"]?.stringValue ?? "?"
            #expect(entry["metrics"]?["jacobian.auto.mode"] == .string("pinned-from-bundle"), "\(id)")
            #expect(entry["metrics"]?["jacobian.auto.choice"]?.stringValue == recorded[id], "\(id)")
            #expect(entry["metrics"]?["fit.jacobian_strategy"]?.stringValue == "auto → " + (recorded[id] ?? "?"), "\(id)")
        }
        let notABundle = try jacobench(["run", "cal.yaml", "--results", "third", "--pin-from", folder], in: folder)
        #expect(notABundle.status == 2)
    }
}
