import ArgumentParser
import Foundation
import LinearAlgebra
import Pipeline

/// `jacobench batch DIR [--results DIR] [--jobs N] [--shard I/N] [--threads N]`.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run every manifest of a folder (sorted), N at a time as `jacobench run` child processes.",
        discussion: """
            Every child runs with the same thread rule as `run`: --threads N (passed on), else 1;
            OPENBLAS_NUM_THREADS in the environment (inherited by the children) wins over both.
            Continues past failures, prints a summary table and exits 1 if any manifest failed.
            --shard I/N (I from 0) runs every N-th manifest starting at I, e.g. in a SLURM job array:
              jacobench batch experiments --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
            """)

    @Argument(help: "Folder of manifests (*.yaml, *.yml).")
    var directory: String

    @Option(name: .long, help: "Results folder passed to every run.")
    var results: String = "results"

    @Option(name: .long, help: "Manifests run at the same time.")
    var jobs: Int = 1

    @Option(name: .long, help: "I/N: run manifests I, I+N, I+2N, … of the sorted list (I from 0).")
    var shard: String?

    @Option(name: .long, help: "BLAS threads per manifest (default 1; OPENBLAS_NUM_THREADS in the environment wins).")
    var threads: Int?

    @Option(name: .customLong("allow-program"), help: "Passed on to every run: let peer-comparison start this program (repeatable).")
    var allowedPrograms: [String] = []

    func run() throws {
        guard jobs >= 1 else { throw UsageError("--jobs must be at least 1") }
        try ResultsFolder.check(results)
        _ = try ThreadSettings.resolveNoting(option: threads)
        let selection = try BatchPlan.manifests(in: directory, shard: shard)
        guard !selection.isEmpty else { throw UsageError("no manifests (*.yaml, *.yml) to run in \(directory)\(shard.map { " for shard \($0)" } ?? "")") }
        SignalHandling.installInterruptHandler()
        let outcomes = BatchRunner(executable: BatchRunner.currentExecutable(), results: results, jobs: jobs, threads: threads, allowedPrograms: allowedPrograms).run(selection)
        print(BatchPlan.summaryTable(outcomes))
        if outcomes.contains(where: { $0.exitCode == ExitStatus.interrupted }) || CancellationFlag.process.isCancelled {
            throw ExitCode(ExitStatus.interrupted)
        }
        if outcomes.contains(where: { $0.exitCode != ExitStatus.success }) { throw ExitCode(ExitStatus.failure) }
    }
}
