import Foundation
import Pipeline
import Synchronization

/// Runs `jacobench run MANIFEST --results R [--threads N]` child processes, at most `jobs`
/// at a time, collecting exit codes, the bundle path (the child's last stdout line) and the
/// tail of its stderr. Children inherit this process's environment unchanged, so each
/// resolves its threads by the one rule of ``ThreadSettings`` (`OPENBLAS_NUM_THREADS`, then
/// `--threads`, then 1) and records them in its bundle.
struct BatchRunner {
    var executable: String
    var results: String
    var jobs: Int
    /// `--threads` to pass on (nil: the children's default).
    var threads: Int? = nil
    /// `--allow-program` paths to pass on.
    var allowedPrograms: [String] = []

    /// The arguments of the child that runs `manifest`.
    func arguments(for manifest: String) -> [String] {
        ["run", manifest, "--results", results] + (threads.map { ["--threads", String($0)] } ?? [])
            + allowedPrograms.flatMap { ["--allow-program", $0] }
    }

    /// This process's executable (so children run the same build).
    static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    func run(_ manifests: [String]) -> [BatchOutcome] {
        let outcomes = Mutex([BatchOutcome?](repeating: nil, count: manifests.count))
        let slots = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        for (index, manifest) in manifests.enumerated() {
            slots.wait()
            if CancellationFlag.process.isCancelled {
                slots.signal()
                break
            }
            FileHandle.standardError.write(Data("jacobench batch: [\(index + 1)/\(manifests.count)] \(manifest)\n".utf8))
            group.enter()
            DispatchQueue.global().async {
                let outcome = runOne(manifest)
                outcomes.withLock { $0[index] = outcome }
                slots.signal()
                group.leave()
            }
        }
        group.wait()
        return outcomes.withLock { stored in
            manifests.indices.map { stored[$0] ?? BatchOutcome(manifest: manifests[$0], exitCode: ExitStatus.interrupted, bundle: nil, errorTail: "not started (interrupted)") }
        }
    }

    private func runOne(_ manifest: String) -> BatchOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments(for: manifest)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            return BatchOutcome(manifest: manifest, exitCode: ExitStatus.failure, bundle: nil, errorTail: "cannot start \(executable): \(error)")
        }
        // An interrupted batch (SIGINT, or SIGTERM sent to this process alone) interrupts its
        // running children, which keep their finished cases for --resume.
        let child = process.processIdentifier
        DispatchQueue.global().async {
            while process.isRunning {
                if CancellationFlag.process.isCancelled {
                    kill(child, SIGINT)
                    return
                }
                usleep(100_000)
            }
        }
        // Read both pipes concurrently so neither fills up and blocks the child.
        let errorData = Mutex(Data())
        let reader = DispatchGroup()
        reader.enter()
        DispatchQueue.global().async {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
            reader.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        reader.wait()
        process.waitUntilExit()
        let lines = String(decoding: outputData, as: UTF8.self).split(separator: "\n").map(String.init)
        let errorLines = errorData.withLock { String(decoding: $0, as: UTF8.self) }.split(separator: "\n").map(String.init)
        let code = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        let bundle = lines.last.flatMap { FileManager.default.fileExists(atPath: $0 + "/status.json") ? $0 : nil }
        return BatchOutcome(manifest: manifest, exitCode: code, bundle: bundle, errorTail: errorLines.suffix(3).joined(separator: "\n"))
    }
}
