import Foundation
import JSONDocuments
import LinearAlgebra
import Testing
@testable import Pipeline

/// A small MLP fit whose deterministic metrics run through BLAS (forward passes, the Gram
/// matrix, the Cholesky factor): the thread rule must give every entry point the same bits.
enum ThreadedRunFixture {
    static let manifest = """
        name: threads
        seed: 7
        data: {kind: teacher-mlp, layers: [2, 4, 1], samples: 24, noise: 0.01}
        model: {kind: mlp, layers: [2, 3, 1]}
        jacobian: {strategies: [reverse-vectorized, per-sample, forward-loop]}
        solver: {kind: levenberg-marquardt, jacobian: per-sample, max-iterations: 30}
        evaluation: [{kind: jacobian-accuracy}, {kind: fit}]
        sweep:
          seed: [1, 2]
        """

    /// case id → deterministic metric → value, from summary.json.
    static func deterministicMetrics(bundle: String) throws -> [String: [String: JSONValue]] {
        let summary = try BundleFiles.readJSON(bundle + "/summary.json")
        let kinds = summary["metric_kinds"]?.objectValue ?? [:]
        var result: [String: [String: JSONValue]] = [:]
        for entry in summary["cases"]?.arrayValue ?? [] {
            guard let id = entry["id"]?.stringValue, let metrics = entry["metrics"]?.objectValue else { continue }
            result[id] = metrics.filter { kinds[$0.key] == .string("deterministic") }
        }
        return result
    }
}

/// The runner API applies and records the thread settings.
@Suite struct ThreadSettingsRunTests {
    @Test func oneThreadByOptionAndTheDefaultGiveBitwiseIdenticalMetrics() throws {
        let path = try writeManifest(ThreadedRunFixture.manifest)
        let plan = try ExperimentPlan.load(path: path, registry: .standard)
        let byOption = try ExperimentRunner(plan: plan, cancellation: CancellationFlag(), threads: ThreadSettings.resolve(option: 1, environment: [:]))
            .run(resultsDirectory: try temporaryDirectory())
        let byDefault = try ExperimentRunner(plan: plan, cancellation: CancellationFlag(), threads: ThreadSettings.resolve(option: nil, environment: [:]))
            .run(resultsDirectory: try temporaryDirectory())
        #expect(byOption.failedCount == 0 && byDefault.failedCount == 0)

        let reference = try ThreadedRunFixture.deterministicMetrics(bundle: byOption.bundlePath)
        #expect(reference["seed=1"]?["fit.final_cost"] != nil)
        #expect(reference["seed=1"]?["fit.final_cost"] != reference["seed=2"]?["fit.final_cost"])
        #expect(try ThreadedRunFixture.deterministicMetrics(bundle: byDefault.bundlePath) == reference)

        let optionRecord = try BundleFiles.readJSON(byOption.bundlePath + "/environment.json")
        #expect(optionRecord["threads"] == .integer(1) && optionRecord["threads_source"] == .string("option"))
        #expect(optionRecord["blas_threads"] == .integer(1))
        // The commit the binary was built from, as stamped at build time.
        #expect(optionRecord["build_commit"] == (BuildStamp.current.commit.map(JSONValue.string) ?? .null))
        #expect(optionRecord["build_dirty"] == (BuildStamp.current.dirty.map(JSONValue.bool) ?? .null))
        let defaultRecord = try BundleFiles.readJSON(byDefault.bundlePath + "/environment.json")
        #expect(defaultRecord["threads"] == .integer(1) && defaultRecord["threads_source"] == .string("default"))
    }
}

/// `jacobench run` as `make run` and a user call it: the same bits as the runner API, and
/// environment.json says which setting applied.
@Suite(.serialized)
struct ThreadSettingsCommandLineTests {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Runs the binary in `folder` with this process's environment minus OPENBLAS_NUM_THREADS, plus `extra`.
    func jacobench(_ arguments: [String], in folder: String, environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        environment[ThreadSettings.environmentVariable] = nil
        process.environment = environment.merging(extra) { _, new in new }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: text, stderr: errorText)
    }

    func record(_ bundle: String) throws -> (threads: JSONValue?, source: JSONValue?) {
        let record = try BundleFiles.readJSON(bundle + "/environment.json")
        return (record["threads"], record["threads_source"])
    }

    @Test func aPlainRunMatchesTheRunnerAPIAndEveryWayOfAskingForOneThread() throws {
        let folder = try temporaryDirectory()
        try ThreadedRunFixture.manifest.write(toFile: folder + "/threads.yaml", atomically: true, encoding: .utf8)
        // The runner API in this process, default settings.
        let plan = try ExperimentPlan.load(path: folder + "/threads.yaml", registry: .standard)
        let api = try ExperimentRunner(plan: plan, cancellation: CancellationFlag(), threads: ThreadSettings.resolve(option: nil, environment: [:]))
            .run(resultsDirectory: folder + "/api")
        let reference = try ThreadedRunFixture.deterministicMetrics(bundle: api.bundlePath)
        #expect(reference.count == 2)

        // A plain run (what `make run` runs), --threads 1, and the variable winning over --threads 2.
        let runs: [(arguments: [String], environment: [String: String], threads: Int, source: String)] = [
            ([], [:], 1, "default"),
            (["--threads", "1"], [:], 1, "option"),
            (["--threads", "2"], ["OPENBLAS_NUM_THREADS": "1"], 1, "OPENBLAS_NUM_THREADS"),
        ]
        for (index, run) in runs.enumerated() {
            let result = try jacobench(["run", "threads.yaml", "--results", "r\(index)"] + run.arguments, in: folder, environment: run.environment)
            #expect(result.status == 0, "\(result.stderr)")
            let bundle = folder + "/r\(index)/threads/latest"
            #expect(try ThreadedRunFixture.deterministicMetrics(bundle: bundle) == reference, "\(run.arguments)")
            let recorded = try record(bundle)
            #expect(recorded.threads == .integer(run.threads) && recorded.source == .string(run.source), "\(run.arguments)")
        }
        let overridden = try jacobench(["run", "threads.yaml", "--results", "r9", "--threads", "2"], in: folder, environment: ["OPENBLAS_NUM_THREADS": "1"])
        #expect(overridden.stderr.contains("OPENBLAS_NUM_THREADS=1 in the environment wins over --threads 2"))
    }

    @Test func batchPassesThreadsOnAndItsChildrenRecordThem() throws {
        let folder = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder + "/set", withIntermediateDirectories: true)
        try ThreadedRunFixture.manifest.write(toFile: folder + "/set/threads.yaml", atomically: true, encoding: .utf8)
        let explicit = try jacobench(["batch", "set", "--results", "explicit", "--threads", "1"], in: folder)
        #expect(explicit.status == 0, "\(explicit.stderr)")
        let plain = try jacobench(["batch", "set", "--results", "plain"], in: folder)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(try record(folder + "/explicit/threads/latest").source == .string("option"))
        #expect(try record(folder + "/plain/threads/latest").source == .string("default"))
        #expect(try record(folder + "/plain/threads/latest").threads == .integer(1))
        #expect(try ThreadedRunFixture.deterministicMetrics(bundle: folder + "/explicit/threads/latest")
            == ThreadedRunFixture.deterministicMetrics(bundle: folder + "/plain/threads/latest"))
    }

    @Test func unusableThreadCountsAreInvalidInput() throws {
        let folder = try temporaryDirectory()
        try ThreadedRunFixture.manifest.write(toFile: folder + "/threads.yaml", atomically: true, encoding: .utf8)
        let zero = try jacobench(["run", "threads.yaml", "--threads", "0"], in: folder)
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--threads must be at least 1, got 0"))
        let word = try jacobench(["batch", ".", "--threads", "1"], in: folder, environment: ["OPENBLAS_NUM_THREADS": "many"])
        #expect(word.status == 2)
        #expect(word.stderr.contains("OPENBLAS_NUM_THREADS='many' is not a positive thread count"))
    }
}
