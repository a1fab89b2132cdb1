import Foundation
import JSONDocuments

/// Runs `peers/peer_benchmark.py` with the peers' Python on one case file and reads its
/// results JSON back.
///
/// The child process is pinned to CPU 0 with `taskset -c 0` when asked and taskset exists
/// (JAX ignores thread flags), gets `OPENBLAS_NUM_THREADS=1` and `OMP_NUM_THREADS=1`, and
/// writes its output to files (not pipes, so a chatty child cannot block).
public struct PeerBenchmarkProcess: Sendable {
    /// The Python interpreter (normally `.peers-venv/bin/python`).
    public var python: String
    /// The benchmark script.
    public var script: String
    /// Pin the child to one CPU with taskset.
    public var pinToOneCPU: Bool
    /// Most timed calls per variant (`--repeats`).
    public var repeats: Int
    /// Seconds of timed calls per variant (`--budget`).
    public var budgetSeconds: Double
    /// `--only` words (empty: every variant).
    public var only: [String]
    /// `--skip` words.
    public var skip: [String]

    /// Creates a runner.
    public init(
        python: String, script: String, pinToOneCPU: Bool = true, repeats: Int = 20, budgetSeconds: Double = 1,
        only: [String] = [], skip: [String] = []
    ) {
        self.python = python
        self.script = script
        self.pinToOneCPU = pinToOneCPU
        self.repeats = repeats
        self.budgetSeconds = budgetSeconds
        self.only = only
        self.skip = skip
    }

    /// What a finished run produced.
    public struct Outcome: Sendable {
        /// The parsed results document.
        public var results: JSONValue
        /// False when the script reported an exact variant differing from the reference (exit 1).
        public var exactVariantsMatch: Bool
    }

    /// The program and arguments that run the benchmark on `casePath`.
    public func commandLine(casePath: String, resultsPath: String) -> [String] {
        var arguments = [python, script, casePath, "--out", resultsPath, "--repeats", String(repeats), "--budget", "\(budgetSeconds)"]
        if !only.isEmpty { arguments += ["--only"] + only }
        if !skip.isEmpty { arguments += ["--skip"] + skip }
        if pinToOneCPU, let taskset = Self.executable(named: "taskset") {
            arguments = [taskset, "-c", "0"] + arguments
        }
        return arguments
    }

    /// Runs the benchmark on `casePath`, leaving its results, stdout and stderr in `folder`.
    ///
    /// - Throws: ``PeerBenchmarkError`` when the process cannot start, fails, or writes no
    ///   readable results; ``RunCancelled`` (after terminating the child) when the run is interrupted.
    public func run(casePath: String, folder: String, cancellation: CancellationFlag) throws -> Outcome {
        let resultsPath = folder + "/peer-results.json"
        let stdoutPath = folder + "/peer-stdout.txt"
        let stderrPath = folder + "/peer-stderr.txt"
        let command = commandLine(casePath: casePath, resultsPath: resultsPath)
        let output: FileHandle, errors: FileHandle
        do {
            output = try OutputFiles.emptyFileForWriting(stdoutPath)
            errors = try OutputFiles.emptyFileForWriting(stderrPath)
        } catch {
            throw PeerBenchmarkError.cannotStart(command: command, reason: "cannot create output files in \(folder)")
        }
        defer {
            try? output.close()
            try? errors.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = "1"
        environment["OMP_NUM_THREADS"] = "1"
        process.environment = environment
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw PeerBenchmarkError.cannotStart(command: command, reason: error.localizedDescription)
        }
        while process.isRunning {
            if cancellation.isCancelled {
                process.terminate()
                process.waitUntilExit()
                throw RunCancelled()
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let status = process.terminationStatus
        let stderrTail = Self.tail(ofFile: stderrPath)
        guard status == 0 || status == 1 else {
            throw PeerBenchmarkError.failed(command: command, status: status, stderrTail: stderrTail)
        }
        guard let data = FileManager.default.contents(atPath: resultsPath), let text = String(data: data, encoding: .utf8) else {
            throw PeerBenchmarkError.failed(command: command, status: status, stderrTail: "no results at \(resultsPath)\n" + stderrTail)
        }
        do {
            return Outcome(results: try JSONParser.parse(text), exactVariantsMatch: status == 0)
        } catch {
            throw PeerBenchmarkError.unreadableResults(path: resultsPath, reason: "\(error)")
        }
    }

    /// The absolute path of `name` on `PATH`, if it is there.
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The last few lines of a text file (for error messages).
    static func tail(ofFile path: String, lines: Int = 12) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}

/// Why the peer benchmark produced no results.
public enum PeerBenchmarkError: Error, Sendable, CustomStringConvertible {
    /// The process could not be started.
    case cannotStart(command: [String], reason: String)
    /// It exited with a status other than 0 (all match) or 1 (a mismatch, results written).
    case failed(command: [String], status: Int32, stderrTail: String)
    /// Its results file is not valid JSON.
    case unreadableResults(path: String, reason: String)

    /// What happened, with the command to rerun by hand.
    public var description: String {
        switch self {
        case .cannotStart(let command, let reason):
            "cannot start the peer benchmark (\(command.joined(separator: " "))): \(reason)"
        case .failed(let command, let status, let tail):
            "the peer benchmark exited with status \(status) (\(command.joined(separator: " "))):\n\(tail)"
        case .unreadableResults(let path, let reason):
            "the peer benchmark's results \(path) cannot be read: \(reason)"
        }
    }
}
