import Foundation
import Synchronization
import Testing
@testable import Pipeline

/// Ctrl-C inside a long fit: the solver sees the run's cancellation flag at its next
/// iteration, so the run stops without waiting for the fit to end, exits 130, and the case
/// stays pending for --resume — with the fit as it stopped written into its folder.
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

    /// Text a child process writes, collected as it arrives.
    final class CollectedText: Sendable {
        private let text = Mutex("")
        func append(_ data: Data) { text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        var value: String { text.withLock { $0 } }
    }

    @Test func interruptStopsARunningFitAndKeepsItInTheBundle() throws {
        let folder = try temporaryDirectory()
        try Self.endlessFit.write(toFile: folder + "/endless.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["run", "endless.yaml", "--results", "r"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let stderr = CollectedText()
        errors.fileHandleForReading.readabilityHandler = { handle in stderr.append(handle.availableData) }
        try process.run()
        // Wait until the fit is running: without a terminal the progress line of a long case
        // (`[1/1] default · solver · iteration 812 · cost …`) is printed after 5 s of it.
        // The bound is for liveness only.
        var waited = 0.0
        while waited < 60, process.isRunning, !stderr.value.contains("· solver · iteration ") {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
        }
        #expect(stderr.value.contains("· solver · iteration "), "\(stderr.value)")
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
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        stderr.append(errors.fileHandleForReading.readDataToEndOfFile())
        #expect(stoppedByItself, "the fit ignored SIGINT")
        #expect(process.terminationStatus == 130, "\(stderr.value)")
        #expect(stderr.value.contains("interrupted (its fit so far is kept)"), "\(stderr.value)")
        let bundle = folder + "/" + (stdout.split(separator: "\n").last.map(String.init) ?? "")
        let status = try BundleFiles.readJSON(bundle + "/status.json")
        #expect(status["complete"] == .bool(false))
        let entry = status["cases"]?.arrayValue?.first
        #expect(entry?["status"] == .string("pending"))
        #expect(entry?["error"]?.stringValue?.hasPrefix("solver: interrupted; the fit is kept as it stopped (status cancelled,") == true)

        // The fit as it stopped: its metrics, parameters and trace.
        let caseFolder = bundle + "/cases/default"
        let metrics = try BundleFiles.readJSON(caseFolder + "/metrics.json")
        #expect(metrics["fit.status"] == .string("cancelled"))
        let iterations = try #require(metrics["fit.iterations"]?.integerValue)
        #expect(iterations > 0)
        let parameters = try BundleFiles.readJSON(caseFolder + "/parameters.json")
        let fitted = parameters["values"]?.arrayValue?.compactMap(\.numberValue) ?? []
        #expect(fitted.count == 2 && fitted != parameters["initial"]?.arrayValue?.compactMap(\.numberValue))
        let trace = try String(contentsOfFile: caseFolder + "/trace.csv", encoding: .utf8).split(separator: "\n")
        #expect(trace.first?.hasPrefix("iteration,cost") == true)
        #expect(trace.count > 1)
    }

    /// Levenberg-Marquardt stopped by the flag after its first accepted step (set from the
    /// step's progress note, as a signal between iterations would): the case keeps the fit,
    /// runs its `fit` evaluation but no other, and its folder reads back.
    @Test func aFitStoppedMidwayKeepsItsParametersTraceAndMetrics() throws {
        let manifest = try writeManifest("""
            name: cut
            data: {kind: nist, file: \(BuiltBinary.packageRoot)/Tests/Fixtures/nist/Misra1a.dat}
            model: {kind: formula}
            solver: {kind: levenberg-marquardt, max-iterations: 1000}
            evaluation: [{kind: jacobian-accuracy}, {kind: fit}]
            """)
        let plannedCase = try #require(try ExperimentPlan.load(path: manifest, registry: .standard).cases.first)
        let flag = CancellationFlag()
        let record = try CaseExecution.run(plannedCase, cancellation: flag, progress: StageProgress { note in
            if note.hasPrefix("iteration ") { flag.cancel() }
        })
        #expect(record.status == .pending)
        let fit = try #require(record.fit)
        #expect(fit.status == "cancelled")
        #expect(fit.iterations == 1)
        #expect(fit.parameters != record.initialParameters)
        #expect(record.error?.hasPrefix("solver: interrupted; the fit is kept as it stopped (status cancelled, 1 iteration,") == true, "\(record.error ?? "")")
        let metric = { (name: String) in record.metrics.first { $0.name == name }?.value }
        #expect(metric("fit.status") == .string("cancelled"))
        #expect(metric("fit.final_cost")?.numberValue == fit.finalCost)
        #expect(!record.metrics.contains { $0.name.hasPrefix("jacobian.") }, "the accuracy evaluation is not run")

        let writer = try ResultBundleWriter.create(resultsDirectory: try temporaryDirectory(), experiment: "cut", description: "")
        try writer.writeCase(record)
        let folder = writer.partialPath + "/cases/" + record.id
        let parameters = try BundleFiles.readJSON(folder + "/parameters.json")
        #expect(parameters["values"]?.arrayValue?.compactMap(\.numberValue) == fit.parameters)
        let rows = try String(contentsOfFile: folder + "/trace.csv", encoding: .utf8).split(separator: "\n")
        #expect(rows.first?.hasPrefix("iteration,cost") == true)
        // The last row is the accepted step the fit stopped after, at the kept cost.
        let last = rows.last?.split(separator: ",").map { Double($0) } ?? []
        #expect(last.count > 1 && last[0] == 1 && last[1] == fit.finalCost)
        #expect(try BundleFiles.readJSON(folder + "/metrics.json")["fit.status"] == .string("cancelled"))
        writer.discard()
    }
}
