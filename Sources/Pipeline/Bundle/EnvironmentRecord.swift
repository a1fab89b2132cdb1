import JSONDocuments
import LinearAlgebra
import YAMLDecoding
import CBLASLapack
import Foundation

/// `environment.json`: where and with what a run happened — the commit the binary was built
/// from (`build_commit`, `build_dirty`: ``BuildStamp``) and the checkout's commit when the run
/// started (`commit`, `commit_dirty`), toolchain, CPU, BLAS and its threads and kernels
/// (`blas_core`, and whether jacobench chose them by re-executing with `OPENBLAS_CORETYPE`),
/// host, date; `threads` (the count that applied) and `threads_source` (`option`,
/// `OPENBLAS_NUM_THREADS` or `default`, see ``ThreadSettings``).
enum EnvironmentRecord {
    /// The record for this process: `build_commit` and `build_dirty` from `build` (null when the
    /// stamp does not know them), `commit` looked up in `projectDirectory` (the jacobench
    /// checkout, ``ProjectFolder``; never the manifest's folder, whose repository could be
    /// anyone's and whose git configuration can start programs; nil: `commit` is null), and
    /// `threads` the settings the run applied (nil: none applied, both fields null).
    static func capture(
        projectDirectory: String?, build: BuildStamp = .current, threads: ThreadSettings? = ThreadSettings.current, date: Date = Date()
    ) -> JSONValue {
        let environment = ProcessInfo.processInfo.environment
        var members: [String: JSONValue] = [
            "date": .string(iso8601(date)),
            "swift": .string(swiftVersion),
            "os": .string(ProcessInfo.processInfo.operatingSystemVersionString),
            "host": .string(ProcessInfo.processInfo.hostName),
            "cpu_model": cpuModel().map(JSONValue.string) ?? .null,
            "cpu_count": .integer(ProcessInfo.processInfo.activeProcessorCount),
            "blas": .string("OpenBLAS " + String(cString: openblas_get_config())),
            "blas_threads": .integer(ThreadSettings.blasThreads),
            "threads": threads.map { .integer($0.count) } ?? .null,
            "threads_source": threads.map { .string($0.source.rawValue) } ?? .null,
            "blas_core": .string(OpenBLASCoreSelection.loadedCoreName),
            "blas_core_selected_by_jacobench": .bool(OpenBLASCoreSelection.wasSelectedByJacobench),
            "openblas_num_threads_env": environment["OPENBLAS_NUM_THREADS"].map(JSONValue.string) ?? .null,
            "command": .string(CommandLine.arguments.joined(separator: " ")),
            "build_commit": build.commit.map(JSONValue.string) ?? .null,
            "build_dirty": build.dirty.map(JSONValue.bool) ?? .null,
        ]
        if let repository = projectDirectory, let commit = git(["rev-parse", "HEAD"], in: repository) {
            members["commit"] = .string(commit)
            members["commit_dirty"] = .bool(!(git(["status", "--porcelain", "--untracked-files=no"], in: repository) ?? "").isEmpty)
        } else {
            members["commit"] = .null
        }
        return .object(members)
    }

    /// The commit a bundle's binary was built from, `3e45cb2f…` or `3e45cb2f… (dirty)`: its
    /// `build_commit` and `build_dirty`, or for a record written before build stamps its
    /// `commit` and `commit_dirty` (then the checkout's, usually the same); nil when unknown.
    static func buildCommitText(of record: JSONValue) -> String? {
        let stamped = record["build_commit"] != nil
        guard let commit = record[stamped ? "build_commit" : "commit"]?.stringValue else { return nil }
        return commit + (record[stamped ? "build_dirty" : "commit_dirty"] == .bool(true) ? " (dirty)" : "")
    }

    /// The compiler's language version, from compile-time conditions.
    static var swiftVersion: String {
        #if swift(>=6.3)
            "6.3 or later"
        #elseif swift(>=6.2)
            "6.2"
        #elseif swift(>=6.1)
            "6.1"
        #else
            "6.0"
        #endif
    }

    /// `2026-11-27T19:35:12.345Z`.
    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // No optional index writes, no fsmonitor or hooks: git reads the checkout, runs nothing.
        process.arguments = ["git", "--no-optional-locks", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
