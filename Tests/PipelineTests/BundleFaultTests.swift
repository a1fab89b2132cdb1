import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// Faults around a bundle: a SIGKILLed run's finished cases are resumable, `--resume`
/// checks its inputs and holds a lock, a failing disk keeps finished cases, a stale
/// `latest` link is only a warning, and a malformed bundle is an error naming file and field.
@Suite(.serialized) struct BundleFaultTests {
    let cli = CommandLineTests()

    /// A copy of Misra1a.dat in `folder` (so a test may change it) and the slow manifest over it.
    func slowRun(in folder: String) throws {
        try FileManager.default.copyItem(atPath: CommandLineTests.misra, toPath: folder + "/Misra1a.dat")
        try cli.slowManifest.replacingOccurrences(of: CommandLineTests.misra, with: "Misra1a.dat")
            .write(toFile: folder + "/slow.yaml", atomically: true, encoding: .utf8)
    }

    /// Waits (watchdog 60 s) until `folder/r/slow` holds a partial bundle with a finished case.
    func waitForFinishedCase(in folder: String) -> String? {
        for _ in 0..<1200 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/r/slow")) ?? []
            for name in names where name.hasSuffix(".partial") {
                let status = try? BundleFiles.readJSON(folder + "/r/slow/" + name + "/status.json")
                let statuses = (status?["cases"]?.arrayValue ?? []).compactMap { $0["status"]?.stringValue }
                if statuses.contains("ok") { return folder + "/r/slow/" + name }
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return nil
    }

    @Test func aKilledRunsFinishedCasesAreResumedFromItsPartialFolder() throws {
        let folder = try temporaryDirectory()
        try slowRun(in: folder)
        let launched = try cli.launch(["run", "slow.yaml", "--results", "r"], in: folder)
        let partial = try #require(waitForFinishedCase(in: folder), "no case finished")
        kill(launched.0.processIdentifier, SIGKILL)
        _ = cli.finish(launched)
        let kept = try BundleFiles.readJSON(partial + "/status.json")
        let finishedBefore = (kept["cases"]?.arrayValue ?? []).filter { $0["status"] == .string("ok") }.count
        #expect(finishedBefore >= 1)

        let resumed = try cli.run(["run", "--resume", partial], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let runID = RunIdentifier.of(bundleFolder: URL(fileURLWithPath: partial).lastPathComponent)
        let bundle = folder + "/r/slow/" + runID
        #expect(resumed.stdout.hasSuffix(runID + "\n"), "\(resumed.stdout)")
        #expect(!FileManager.default.fileExists(atPath: partial), "the partial folder became the bundle")
        let final = try BundleFiles.readJSON(bundle + "/status.json")
        #expect(final["complete"] == .bool(true))
        #expect((final["cases"]?.arrayValue ?? []).allSatisfy { $0["status"] == .string("ok") })
        #expect(resumed.stderr.contains("\(4 - finishedBefore)/4 cases run") || resumed.stderr.contains("cases run"), "\(resumed.stderr)")
        let summary = try BundleFiles.readJSON(bundle + "/summary.json")
        #expect(summary["metric_kinds"]?["jacobian.forward-loop.median_us"] == .string("timing"), "kinds rebuilt from the case folders")
    }

    @Test func resumeRefusesChangedInputsUnlessForcedAndASecondResumeAtOnce() throws {
        let folder = try temporaryDirectory()
        try slowRun(in: folder)
        let launched = try cli.launch(["run", "slow.yaml", "--results", "r"], in: folder)
        _ = try #require(waitForFinishedCase(in: folder), "no case finished")
        kill(launched.0.processIdentifier, SIGINT)
        let interrupted = cli.finish(launched)
        #expect(interrupted.status == 130, "\(interrupted.stderr)")
        let bundle = folder + "/" + cli.lastLine(interrupted.stdout)

        // A second resume while one holds the lock is refused.
        var held: BundleLock? = try BundleLock(bundlePath: bundle)
        let blocked = try cli.run(["run", "--resume", bundle], in: folder)
        #expect(blocked.status == 2)
        #expect(blocked.stderr.contains("another jacobench is resuming this bundle"), "\(blocked.stderr)")
        #expect(held != nil)
        held = nil  // released, as a killed holder's lock is

        // The data file changed: refused, naming it; --force recomputes every case.
        try (String(contentsOfFile: folder + "/Misra1a.dat", encoding: .utf8) + "\n").write(toFile: folder + "/Misra1a.dat", atomically: true, encoding: .utf8)
        let refused = try cli.run(["run", "--resume", bundle], in: folder)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("its inputs changed since the run") && refused.stderr.contains("Misra1a.dat"), "\(refused.stderr)")
        let forced = try cli.run(["run", "--resume", bundle, "--force"], in: folder)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("4/4 cases run"), "every case recomputed: \(forced.stderr)")
    }

    @Test func aFailingDiskKeepsTheFinishedCasesAndExitsThree() throws {
        let results = try temporaryDirectory()
        let writer = try ResultBundleWriter.create(resultsDirectory: results, experiment: "e", description: "")
        let plan = try ExperimentPlan.plan(text: cli.quickManifest(name: "e"), path: results + "/e.yaml", registry: .standard)
        var record = CaseRecord.pending(try #require(plan.cases.first))
        record.status = .ok
        try writer.writeCase(record)
        // The next case cannot be written (even as root): `cases` is now a file.
        try FileManager.default.removeItem(atPath: writer.partialPath + "/cases")
        try "".write(toFile: writer.partialPath + "/cases", atomically: true, encoding: .utf8)
        let failure = try #require(throws: BundleError.self) { try writer.writeCase(record) }
        #expect(failure.isInputOutputFailure)
        let reported = ExperimentRunner.keepingFinishedCases(failure, writer: writer)
        #expect(FileManager.default.fileExists(atPath: writer.partialPath), "finished cases are never deleted")
        #expect(reported.message.contains("1 finished case is kept in \(writer.partialPath)") && reported.message.contains("--resume"), "\(reported.message)")

        let empty = try ResultBundleWriter.create(resultsDirectory: results, experiment: "f", description: "")
        _ = ExperimentRunner.keepingFinishedCases(failure, writer: empty)
        #expect(!FileManager.default.fileExists(atPath: empty.partialPath), "a partial folder without cases is removed")
    }

    @Test func aStaleLatestLinkIsAWarningOnceTheBundleIsInPlace() throws {
        let results = try temporaryDirectory()
        let writer = try ResultBundleWriter.create(resultsDirectory: results, experiment: "e", description: "")
        // rename(2) cannot replace a non-empty directory with the new link, even as root.
        try FileManager.default.createDirectory(atPath: results + "/e/latest/inside", withIntermediateDirectories: true)
        let path = try writer.finish(records: [], complete: true)
        #expect(FileManager.default.fileExists(atPath: path + "/status.json"))
        #expect(writer.warnings.count == 1 && writer.warnings[0].contains("the bundle itself is complete at \(path)"), "\(writer.warnings)")
    }

    /// Wrong types in a bundle's files: `--resume` names the file and the field.
    @Test(arguments: [
        ("status.json", #"{"complete": "no", "cases": []}"#, "status.json: field 'complete' has the wrong type"),
        ("status.json", #"{"complete": false}"#, "status.json: field 'cases' is missing"),
        ("status.json", #"{"complete": false, "cases": [{"id": 5, "status": "ok"}]}"#, "status.json: field 'cases[0].id' has the wrong type"),
        ("status.json", #"{"complete": false, "cases": [{"id": "../../x", "status": "ok"}]}"#, "status.json: cases[0].id is not a case id"),
        ("status.json", #"{"complete": false, "cases": [{"id": "a", "status": "great"}]}"#, "status.json: field 'cases[0].status' has the wrong type"),
        ("status.json", #"{"complete": false, "cases": [7]}"#, "status.json: cases[0] is not an object"),
        ("resolved.json", #"{"manifest_path": 3}"#, "resolved.json: field 'manifest_path' has the wrong type"),
        ("resolved.json", #"{"manifest_path": "/m.yaml", "inputs": {"/m.yaml": 1}}"#, "resolved.json: field 'inputs' has the wrong type"),
        ("resolved.json", #"{"manifest_path": "/m.yaml", "overrides": "x"}"#, "resolved.json: field 'overrides' has the wrong type"),
        ("resolved.json", #"{"a": "\ud800"}"#, "resolved.json: 1:8: invalid JSON: lone high surrogate"),
        ("status.json", #"{"complete": 1e999999}"#, "status.json: 1:14"),
        ("status.json", String(repeating: "[", count: 100_000), "status.json: 1:201"),
    ])
    func resumeNamesTheFileAndFieldOfAMalformedBundle(file: String, text: String, expected: String) throws {
        let bundle = try temporaryDirectory() + "/20261205T000000Z-000000"
        try FileManager.default.createDirectory(atPath: bundle + "/cases", withIntermediateDirectories: true)
        try #"{"manifest_path": "/m.yaml"}"#.write(toFile: bundle + "/resolved.json", atomically: true, encoding: .utf8)
        try #"{"complete": false, "cases": []}"#.write(toFile: bundle + "/status.json", atomically: true, encoding: .utf8)
        try text.write(toFile: bundle + "/" + file, atomically: true, encoding: .utf8)
        let error = try #require(throws: BundleError.self) { _ = try ExperimentRunner.resume(bundlePath: bundle, registry: .standard) }
        #expect(error.message.contains(expected), "\(error.message)")
        #expect(!error.isInputOutputFailure)
    }
}
