import ArgumentParser
import Foundation
import LinearAlgebra
import Pipeline

/// `jacobench run FILE [--results DIR] [--set k=v]… [--resume BUNDLE] [--threads N]`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment manifest into a result bundle; the last stdout line is the bundle's path.",
        discussion: "Exit status: 0 all cases ok, 1 some case failed, 2 invalid manifest or arguments, 3 the filesystem failed (unwritable, full disk; finished cases kept), 130 interrupted by SIGINT or SIGTERM (finish with --resume).")

    @Argument(help: "The manifest (experiments/NAME.yaml). Not needed with --resume.")
    var file: String?

    @Option(name: .long, help: "Folder that holds results/<experiment>/<run-id>/.")
    var results: String = "results"

    @Option(name: .customLong("set"), help: "Override a field: --set model.layers=[5,32,3] (repeatable).")
    var overrides: [String] = []

    @Option(name: .long, help: "Finish the pending cases of an interrupted bundle (or of the hidden .<run-id>.partial folder a killed run left).")
    var resume: String?

    @Flag(name: .long, help: "With --resume: recompute every case even though the manifest or a data file changed since the run.")
    var force = false

    @Option(name: .customLong("pin-from"), help: "Pin each case's auto (evaluations and solver) to the choice this bundle recorded for the case with the same id.")
    var pinFrom: String?

    @Option(name: .long, help: "BLAS threads (default 1, reproducible; OPENBLAS_NUM_THREADS in the environment wins). Recorded in environment.json.")
    var threads: Int?

    @Option(name: .customLong("allow-program"), help: "Let peer-comparison start this program (interpreter or script) besides the project's own (repeatable).")
    var allowedPrograms: [String] = []

    func run() throws {
        PeerProgramPolicy.install(allowing: allowedPrograms)
        SignalHandling.installInterruptHandler()
        let display = RunProgressDisplay()
        let threadSettings = try ThreadSettings.resolveNoting(option: threads)
        let outcome: RunOutcome
        if let resume {
            guard file == nil, overrides.isEmpty else {
                throw UsageError("--resume takes the bundle alone: its manifest and overrides are stored in it")
            }
            guard pinFrom == nil else {
                throw UsageError("--resume keeps the bundle's own decisions; --pin-from is for a new run")
            }
            outcome = try ExperimentRunner.resume(bundlePath: resume, registry: .standard, display: display, threads: threadSettings, force: force)
        } else {
            guard !force else { throw UsageError("--force goes with --resume") }
            guard let file else { throw UsageError("give a manifest: jacobench run experiments/NAME.yaml") }
            var plan = try ExperimentPlan.load(path: file, overrides: overrides, registry: .standard)
            if let pinFrom {
                for note in try plan.pinAuto(from: pinFrom) { FileHandle.standardError.write(Data(("jacobench: " + note + "\n").utf8)) }
            }
            outcome = try ExperimentRunner(plan: plan, display: display, threads: threadSettings).run(resultsDirectory: results)
        }
        let failed = outcome.failedCount
        let finished = outcome.records.filter { $0.status != .pending }.count
        var note = "jacobench: \(finished)/\(outcome.records.count) cases run, \(failed) failed"
        let skipped = outcome.records.filter { $0.status == .skipped }.count
        if skipped > 0 { note += ", \(skipped) skipped (over limits; reasons in summary.md)" }
        if outcome.interrupted { note += "; interrupted — finish with: jacobench run --resume \(outcome.bundlePath)" }
        FileHandle.standardError.write(Data((note + "\n").utf8))
        for warning in outcome.warnings { FileHandle.standardError.write(Data(("jacobench: warning: " + warning + "\n").utf8)) }
        print(outcome.bundlePath)
        if outcome.interrupted { throw ExitCode(ExitStatus.interrupted) }
        if failed > 0 { throw ExitCode(ExitStatus.failure) }
    }
}
