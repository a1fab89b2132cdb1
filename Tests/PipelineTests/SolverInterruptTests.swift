import Foundation
import Testing
@testable import Pipeline

/// Ctrl-C inside a long fit: the solver sees the run's cancellation flag at its next
/// iteration, so the run stops without waiting for the fit to end, exits 130, and the case
/// stays pending for --resume.
@Suite(.serialized)
struct SolverInterruptTests {
    /// Adam with gtol 0 and 10⁹ iterations never ends by itself within the test.
    static let endlessFit = """
        name: endless
        data: {kind: nist, file: \(BuiltBinary.packageRoot)/Tests/Fixtures/nist/Misra1a.dat}
        model: {kind: formula}
        solver: {kind: adam, max-iterations: 1000000000, max-evaluations: 1000000000, gtol: 0}
        evaluation: [{kind: fit}]
        """

    @Test func interruptStopsARunningFit() throws {
        let folder = try temporaryDirectory()
        try Self.endlessFit.write(toFile: folder + "/endless.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["run", "endless.yaml", "--results", "r"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Wait for the case to start (the partial bundle appears), then let the fit run a little.
        var waited = 0.0
        while waited < 30, ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/r/endless")) ?? []).isEmpty {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
        }
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, SIGINT)
        // A liveness bound, not a timing: without the hook the fit runs for many minutes.
        var grace = 0.0
        while process.isRunning, grace < 60 {
            Thread.sleep(forTimeInterval: 0.05)
            grace += 0.05
        }
        let stoppedByItself = !process.isRunning
        if !stoppedByItself { kill(process.processIdentifier, SIGKILL) }
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(stoppedByItself, "the fit ignored SIGINT")
        #expect(process.terminationStatus == 130, "\(stderr)")
        let bundle = folder + "/" + (stdout.split(separator: "\n").last.map(String.init) ?? "")
        let status = try BundleFiles.readJSON(bundle + "/status.json")
        #expect(status["complete"] == .bool(false))
        #expect(status["cases"]?.arrayValue?.first?["status"] == .string("pending"))
    }
}
