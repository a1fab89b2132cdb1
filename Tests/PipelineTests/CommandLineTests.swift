import Foundation
import Testing
@testable import Pipeline

/// The built `jacobench` binary (from `swift build --build-tests`): exit codes, batch,
/// interruption by SIGINT and SIGKILL.
@Suite(.serialized)
struct CommandLineTests {
    static let binary = BuiltBinary.path
    static let misra = BuiltBinary.packageRoot + "/Tests/Fixtures/nist/Misra1a.dat"

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    /// Starts the binary; the caller waits.
    func launch(_ arguments: [String], in directory: String) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        return (process, output, errors)
    }

    func finish(_ launched: (Process, Pipe, Pipe)) -> Result {
        let (process, output, errors) = launched
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self))
    }

    func run(_ arguments: [String], in directory: String) throws -> Result {
        finish(try launch(arguments, in: directory))
    }

    func quickManifest(name: String = "quick", extra: String = "") -> String {
        """
        name: \(name)
        data: {kind: nist, file: \(Self.misra)}
        model: {kind: formula, start: certified}
        evaluation: [{kind: fit}]
        \(extra)
        """
    }

    /// About a second per case in a debug build: timing with a 0.3 s budget per strategy.
    let slowManifest = """
        name: slow
        data: {kind: nist, file: \(misra)}
        model: {kind: formula}
        jacobian: {strategies: [forward-loop, reverse-loop, per-sample]}
        evaluation: [{kind: jacobian-timing, repeats: 1000000, warmup: 0, max-seconds: 0.3}]
        sweep:
          model.start: ['1', '2', certified, ['1']]
        """.replacingOccurrences(of: "['1']]", with: "'start1']")

    func lastLine(_ text: String) -> String { text.split(separator: "\n").last.map(String.init) ?? "" }

    @Test func exitCodesDistinguishOkFailedAndInvalid() throws {
        let folder = try temporaryDirectory()
        try quickManifest().write(toFile: folder + "/ok.yaml", atomically: true, encoding: .utf8)
        try quickManifest(name: "fails").replacingOccurrences(of: "start: certified", with: "formula: 'y = b1*x1 + b2*x2', initial: [1, 2]")
            .write(toFile: folder + "/fails.yaml", atomically: true, encoding: .utf8)
        try "name: bad\ndata: {kind: nist}\nmodel: {kind: formula}\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)

        let ok = try run(["run", "ok.yaml", "--results", "r"], in: folder)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(lastLine(ok.stdout).hasPrefix("r/quick/"))
        #expect(FileManager.default.fileExists(atPath: folder + "/" + lastLine(ok.stdout) + "/summary.json"))

        let fails = try run(["run", "fails.yaml", "--results", "r"], in: folder)
        #expect(fails.status == 1, "\(fails.stderr)")
        let status = try BundleFiles.readJSON(folder + "/" + lastLine(fails.stdout) + "/status.json")
        #expect(status["cases"]?.arrayValue?.first?["status"] == .string("failed"))
        #expect(status["complete"] == .bool(true))

        let bad = try run(["run", "bad.yaml", "--results", "r"], in: folder)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.yaml:2:7: data"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/r/bad"))

        let badSet = try run(["run", "ok.yaml", "--set", "model.start=3"], in: folder)
        #expect(badSet.status == 2)
        #expect(badSet.stderr.contains("model.start: unknown start '3'"), "\(badSet.stderr)")

        let validate = try run(["validate", "bad.yaml"], in: folder)
        #expect(validate.status == 2)
        let unknownOption = try run(["run", "ok.yaml", "--no-such-option"], in: folder)
        #expect(unknownOption.status == 2)
    }

    @Test func batchContinuesPastAFailingManifest() throws {
        let folder = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder + "/experiments", withIntermediateDirectories: true)
        try quickManifest(name: "first").write(toFile: folder + "/experiments/a.yaml", atomically: true, encoding: .utf8)
        try "name: broken\ndata: {kind: nist, file: missing.dat}\nmodel: {kind: formula}\n"
            .write(toFile: folder + "/experiments/b.yaml", atomically: true, encoding: .utf8)
        try quickManifest(name: "third").write(toFile: folder + "/experiments/c.yml", atomically: true, encoding: .utf8)

        let batch = try run(["batch", "experiments", "--results", "r", "--jobs", "2"], in: folder)
        #expect(batch.status == 1, "\(batch.stderr)")
        #expect(batch.stdout.contains("experiments/b.yaml  2 "), "\(batch.stdout)")
        #expect(batch.stdout.contains("2/3 manifests succeeded"))
        #expect(batch.stdout.contains("file 'missing.dat' does not exist"))
        for name in ["first", "third"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/r/\(name)/latest/status.json"), "\(name)")
        }

        let shard = try run(["batch", "experiments", "--results", "s", "--shard", "0/2"], in: folder)
        #expect(shard.status == 0, "\(shard.stdout)")
        #expect(shard.stdout.contains("experiments/a.yaml") && shard.stdout.contains("experiments/c.yml"))
        #expect(!shard.stdout.contains("experiments/b.yaml"))
        #expect(try run(["batch", "experiments", "--shard", "2/2"], in: folder).status == 2)
    }

    @Test func killedRunsNeverLeaveABundleClaimingToBeComplete() throws {
        let folder = try temporaryDirectory()
        try quickManifest(name: "slow").write(toFile: folder + "/earlier.yaml", atomically: true, encoding: .utf8)
        try slowManifest.write(toFile: folder + "/slow.yaml", atomically: true, encoding: .utf8)
        let earlier = try run(["run", "earlier.yaml", "--results", "r"], in: folder)
        #expect(earlier.status == 0)
        let earlierBundle = folder + "/" + lastLine(earlier.stdout)
        let earlierStatus = try String(contentsOfFile: earlierBundle + "/status.json", encoding: .utf8)

        for delay in [0.05, 0.4, 1.2, 2.0] {
            let launched = try launch(["run", "slow.yaml", "--results", "r"], in: folder)
            Thread.sleep(forTimeInterval: delay)
            kill(launched.0.processIdentifier, SIGKILL)
            let result = finish(launched)
            #expect(result.status == SIGKILL || result.status == 9, "delay \(delay)")
        }
        let visible = try FileManager.default.contentsOfDirectory(atPath: folder + "/r/slow").filter { !$0.hasPrefix(".") }.sorted()
        #expect(visible == [URL(fileURLWithPath: earlierBundle).lastPathComponent, "latest"].sorted())
        #expect(try String(contentsOfFile: earlierBundle + "/status.json", encoding: .utf8) == earlierStatus)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/r/slow/latest") == URL(fileURLWithPath: earlierBundle).lastPathComponent)
    }

    /// SIGINT (Ctrl-C) and SIGTERM (scancel, a job's time limit) both keep the finished cases.
    @Test(arguments: [SIGINT, SIGTERM])
    func interruptKeepsFinishedCasesAndResumeFinishesTheRest(signal: Int32) throws {
        let folder = try temporaryDirectory()
        try slowManifest.write(toFile: folder + "/slow.yaml", atomically: true, encoding: .utf8)
        let launched = try launch(["run", "slow.yaml", "--results", "r"], in: folder)
        // Wait until the first case is finished (its folder appears), then interrupt.
        var waited = 0.0
        while waited < 60 {
            let partials = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/r/slow")) ?? []
            let finished = partials.contains { name in
                ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/r/slow/\(name)/cases")) ?? []).contains { !$0.hasPrefix(".") }
            }
            if finished { break }
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
        }
        kill(launched.0.processIdentifier, signal)
        let interrupted = finish(launched)
        #expect(interrupted.status == 130, "signal \(signal): \(interrupted.stderr)")
        let bundle = folder + "/" + lastLine(interrupted.stdout)
        let status = try BundleFiles.readJSON(bundle + "/status.json")
        #expect(status["complete"] == .bool(false))
        let statuses = (status["cases"]?.arrayValue ?? []).compactMap { $0["status"]?.stringValue }
        #expect(statuses.count == 4)
        #expect(statuses.contains("ok") && statuses.contains("pending"))
        #expect(interrupted.stderr.contains("--resume"))

        let resumed = try run(["run", "--resume", bundle], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(folder + "/" + lastLine(resumed.stdout) == bundle || lastLine(resumed.stdout).hasSuffix(URL(fileURLWithPath: bundle).lastPathComponent))
        let final = try BundleFiles.readJSON(bundle + "/status.json")
        #expect(final["complete"] == .bool(true))
        #expect((final["cases"]?.arrayValue ?? []).allSatisfy { $0["status"] == .string("ok") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: bundle + "/cases").filter { !$0.hasPrefix(".") }.count == 4)
    }

    /// `--version` names the commit the binary was built from: the stamp this build wrote.
    @Test func versionNamesTheBuildsCommit() throws {
        let version = try run(["--version"], in: try temporaryDirectory())
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0 (build \(BuildStamp.current.shortDescription))\n", "\(version.stdout)")
    }

    @Test func listPrintsEveryKindWithOptionsAndDefaults() throws {
        let list = try run(["list"], in: try temporaryDirectory())
        #expect(list.status == 0)
        for kind in ["teacher-mlp", "function", "csv", "nist", "mlp", "formula", "jacobian-accuracy", "jacobian-timing", "fit", "nist-certified"] {
            #expect(list.stdout.contains("  \(kind) — "), "\(kind)")
        }
        #expect(list.stdout.contains("repeats"))
        #expect(list.stdout.contains("(default 20)"))
        #expect(list.stdout.contains("jacobian.reference"))
        // Every solver lists its max-time, unset ones included.
        for solver in ["levenberg-marquardt", "gauss-newton", "lbfgs", "adam", "gradient-descent"] {
            let lines = list.stdout.split(separator: "\n").map(String.init)
            let header = try #require(lines.firstIndex { $0.hasPrefix("  \(solver) — ") }, "\(solver) is not listed")
            let options = lines[(header + 1)...].prefix { $0.hasPrefix("      ") }
            #expect(options.contains { $0.hasPrefix("      max-time ") }, "\(solver) lists no max-time")
        }
    }
}

/// Where `swift build` put the command-line binary.
/// The end-to-end suites run the binary `swift build --build-tests` (and so `make test`)
/// builds; they never skip: without it, this test and theirs fail.
@Suite struct BuiltBinaryTests {
    @Test func theBinaryTheEndToEndSuitesRunIsBuilt() {
        #expect(BuiltBinary.exists, "build it first: swift build --build-tests (make test does)")
    }
}

enum BuiltBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let path = packageRoot + "/.build/debug/jacobench"
    static var exists: Bool { FileManager.default.isExecutableFile(atPath: path) }
}
