import Foundation
import JSONDocuments
import LinearAlgebra
import YAMLDecoding

/// What a run produced.
public struct RunOutcome: Sendable {
    /// The bundle's final path.
    public var bundlePath: String
    /// Every case's record, in plan order (pending ones when interrupted).
    public var records: [CaseRecord]
    /// Whether every case ran.
    public var complete: Bool
    /// Whether the run stopped because of the cancellation flag.
    public var interrupted: Bool
    /// Problems after the bundle was complete and in place (a stale `latest` link).
    public var warnings: [String] = []

    /// Number of failed cases.
    public var failedCount: Int { records.filter { $0.status == .failed }.count }
}

/// Runs an ``ExperimentPlan`` case by case into a result bundle; the one place files are written.
///
/// A failing case is recorded and the others continue. When the cancellation flag is set
/// the current case stops — written with the fit it had, still pending, once its solver has
/// returned (``CaseExecution``), else abandoned —, finished cases are kept and the bundle is
/// finished with `complete: false`; `resume` later runs only the pending cases.
public struct ExperimentRunner {
    /// The plan.
    public var plan: ExperimentPlan
    /// Polled by stages; set by SIGINT.
    public var cancellation: CancellationFlag
    /// The stderr progress line (nil: silent).
    public var display: RunProgressDisplay?
    /// Threads for the run (nil: resolved from the environment and the default, see
    /// ``ThreadSettings/resolve(option:environment:)``); applied before the first case.
    public var threads: ThreadSettings?

    /// Creates a runner.
    public init(plan: ExperimentPlan, cancellation: CancellationFlag = .process, display: RunProgressDisplay? = nil, threads: ThreadSettings? = nil) {
        self.plan = plan
        self.cancellation = cancellation
        self.display = display
        self.threads = threads
    }

    /// ``threads``, or the settings resolved from this process's environment without an option.
    func resolvedThreads() throws -> ThreadSettings {
        try threads ?? ThreadSettings.resolve(option: nil, environment: ProcessInfo.processInfo.environment)
    }

    /// Runs every case into a new bundle under `resultsDirectory/<experiment>/`.
    public func run(resultsDirectory: String) throws -> RunOutcome {
        let threads = try resolvedThreads()
        threads.apply()
        let writer = try ResultBundleWriter.create(resultsDirectory: resultsDirectory, experiment: plan.name, description: plan.description)
        do {
            try writer.write("manifest.yaml", plan.manifestText)
            try writer.write("resolved.json", resolvedDocument(inputs: InputFingerprint.record(plan)).text())
            try writer.write("environment.json", EnvironmentRecord.capture(projectDirectory: ProjectFolder.root, threads: threads).text())
            return try execute(records: plan.cases.map(CaseRecord.pending), writer: writer)
        } catch let error as BundleError {
            throw Self.keepingFinishedCases(error, writer: writer)
        }
    }

    /// The error to report when writing failed: the partial folder is removed when it holds
    /// no finished case, and kept (resumable) when it does — a full disk never deletes
    /// finished cases.
    static func keepingFinishedCases(_ error: BundleError, writer: ResultBundleWriter) -> BundleError {
        guard writer.writtenCases > 0 else {
            writer.discard()
            return error
        }
        var kept = error
        kept.message += "; \(writer.writtenCases) finished case\(writer.writtenCases == 1 ? " is" : "s are") kept in \(writer.partialPath) — "
            + "when the cause is fixed, finish with: jacobench run --resume \(writer.partialPath)"
        return kept
    }

    /// Finishes the pending cases of an interrupted bundle in place.
    ///
    /// `bundlePath` is a bundle marked incomplete, or the hidden `.<run-id>.partial` folder a
    /// killed run left (its finished cases are rebuilt from their folders; the bundle then
    /// appears at `<run-id>`). The resume holds the bundle's ``BundleLock`` (a second one at
    /// the same time is refused) and refuses when the manifest or a data file changed since
    /// the run (``InputFingerprint``) unless `force`, which recomputes every case.
    ///
    /// - Parameters:
    ///   - registry: to rebuild the plan from the bundle's own manifest.yaml and overrides.
    ///   - threads: as for a new run (nil: `OPENBLAS_NUM_THREADS`, then the default); the
    ///     bundle's environment.json keeps what the first run applied.
    public static func resume(
        bundlePath: String, registry: PluginRegistry, cancellation: CancellationFlag = .process, display: RunProgressDisplay? = nil,
        threads: ThreadSettings? = nil, force: Bool = false
    ) throws -> RunOutcome {
        let url = URL(fileURLWithPath: bundlePath).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path + "/status.json") else {
            throw BundleError("\(bundlePath) is not a bundle (no status.json)")
        }
        let lock = try BundleLock(bundlePath: url.path)
        let stored = try StoredBundle(path: url.path)
        guard !stored.complete else { throw BundleError("\(bundlePath) is already complete; nothing to resume") }
        let changed = InputFingerprint.changes(since: stored.inputs)
        if !changed.isEmpty && !force {
            throw BundleError(
                "\(bundlePath): its inputs changed since the run, so its finished cases no longer match them: "
                    + changed.joined(separator: "; ") + " — restore them, or recompute every case with --resume --force")
        }
        let text = try BundleFiles.read(url.path + "/manifest.yaml")
        let plan = try ExperimentPlan.plan(text: text, path: stored.manifestPath, overrides: stored.overrides, registry: registry)
        let kept = force ? [:] : try stored.keptRecords(of: plan)
        let writer = try ResultBundleWriter.resuming(
            bundlePath: url.path, experiment: plan.name, description: plan.description,
            started: stored.started, keptCases: kept.keys.sorted())
        let runner = ExperimentRunner(plan: plan, cancellation: cancellation, display: display, threads: threads)
        try runner.resolvedThreads().apply()
        return try withExtendedLifetime(lock) {
            do {
                return try runner.execute(records: plan.cases.map { kept[$0.id] ?? CaseRecord.pending($0) }, writer: writer)
            } catch let error as BundleError {
                // The bundle being resumed is untouched; only this attempt's copy goes.
                writer.discard()
                throw error
            }
        }
    }

    /// Runs every pending record's case, writing as it goes, then finishes the bundle.
    func execute(records initial: [CaseRecord], writer: ResultBundleWriter) throws -> RunOutcome {
        var records = initial
        let pending = records.indices.filter { records[$0].status == .pending }
        let estimate = display == nil ? nil : RunEstimate.make(pending.map { plan.cases[$0] }, cancellation: cancellation)
        display?.begin(total: pending.count, experiment: plan.name, estimate: estimate)
        try writer.writeStatus(records: records, complete: false)
        var interrupted = false
        for (position, index) in pending.enumerated() {
            if cancellation.isCancelled { interrupted = true; break }
            let plannedCase = plan.cases[index]
            display?.beginCase(index: position, id: plannedCase.id)
            do {
                let record = try CaseExecution.run(
                    plannedCase, cancellation: cancellation, progress: display?.stageProgress ?? StageProgress(),
                    stage: { display?.stage($0) })
                try writer.writeCase(record)
                records[index] = record
                if record.status == .pending {
                    // Interrupted after its fit: the fit is written, the case still to run.
                    display?.endCase(status: "interrupted (its fit so far is kept)", finished: false)
                    try writer.writeStatus(records: records, complete: false)
                    interrupted = true
                    break
                }
                display?.endCase(status: record.status == .ok ? "ok" : record.status == .skipped ? "skipped: \(record.error ?? "")" : "FAILED: \(record.error ?? "")")
                try writer.writeStatus(records: records, complete: false)
            } catch is RunCancelled {
                display?.endCase(status: "interrupted", finished: false)
                interrupted = true
                break
            }
        }
        let complete = !records.contains { $0.status == .pending }
        let path = try writer.finish(records: records, complete: complete)
        return RunOutcome(bundlePath: path, records: records, complete: complete, interrupted: interrupted, warnings: writer.warnings)
    }

    /// `resolved.json`: every field of every case after overrides, sweep and defaults, and
    /// the SHA-256 of every file read (`inputs`, see ``InputFingerprint``).
    func resolvedDocument(inputs: [String: String] = [:]) -> JSONValue {
        let absolute = URL(fileURLWithPath: plan.manifestPath).standardizedFileURL.path
        return .object([
            "inputs": InputFingerprint.json(inputs),
            "schema": .integer(BundleDocuments.schema),
            "experiment": .string(plan.name),
            "manifest_path": .string(absolute),
            "overrides": .array(plan.overrides.map(JSONValue.string)),
            "sweep_keys": .array(plan.sweepKeys.map(JSONValue.string)),
            "cases": .array(plan.cases.map { plannedCase in
                .object([
                    "id": .string(plannedCase.id), "replicate": .integer(plannedCase.replicate),
                    "data_seed": .integer(Int(plannedCase.seeds.data)), "parameter_seed": .integer(Int(plannedCase.seeds.parameters)),
                    "sweep": .object(plannedCase.sweep), "manifest": plannedCase.resolved.jsonValue,
                ])
            }),
        ])
    }
}
