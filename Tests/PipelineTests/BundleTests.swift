import Foundation
import JSONDocuments
import Testing
import YAMLDecoding
@testable import Pipeline

/// What a run writes: the bundle layout, per-case files, status, summary; failures recorded;
/// interruption leaves an incomplete bundle that `resume` completes.
@Suite struct BundleTests {
    let manifest = """
        name: line-fit
        description: A line.
        seed: 5
        data: {kind: line, samples: 4, slope: 3.0}
        model: {kind: line}
        solver: {kind: exact-line, max-iterations: 2}
        evaluation:
          - {kind: probe}
        sweep:
          model.initial: [0.5, 1.5]
        """

    func read(_ path: String) throws -> JSONValue {
        try JSONParser.parse(String(contentsOfFile: path, encoding: .utf8))
    }

    @Test func runWritesEveryFileOfTheBundle() throws {
        let path = try writeManifest(manifest)
        let results = try temporaryDirectory()
        let plan = try ExperimentPlan.load(path: path, registry: .testing)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: results)

        #expect(outcome.complete && !outcome.interrupted && outcome.failedCount == 0)
        let bundle = outcome.bundlePath
        #expect(URL(fileURLWithPath: bundle).deletingLastPathComponent().path == results + "/line-fit")
        #expect(RunIdentifier.isRunIdentifier(URL(fileURLWithPath: bundle).lastPathComponent))
        for name in ["manifest.yaml", "resolved.json", "environment.json", "status.json", "summary.json", "summary.md"] {
            #expect(FileManager.default.fileExists(atPath: bundle + "/" + name), "\(name)")
        }
        #expect(try String(contentsOfFile: bundle + "/manifest.yaml", encoding: .utf8) == manifest)
        for id in ["initial=0.5", "initial=1.5"] {
            for name in ["metrics.json", "parameters.json", "trace.csv", "timings.csv"] {
                #expect(FileManager.default.fileExists(atPath: "\(bundle)/cases/\(id)/\(name)"), "\(id)/\(name)")
            }
        }
        // Only the bundle and `latest` are visible: no partial folders left behind.
        let entries = try FileManager.default.contentsOfDirectory(atPath: results + "/line-fit").sorted()
        #expect(entries == [URL(fileURLWithPath: bundle).lastPathComponent, "latest"].sorted())
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: results + "/line-fit/latest") == URL(fileURLWithPath: bundle).lastPathComponent)

        let status = try read(bundle + "/status.json")
        #expect(status["complete"] == .bool(true))
        #expect(status["counts"]?["ok"] == .number("2"))

        let summary = try read(bundle + "/summary.json")
        #expect(summary["schema"] == .number("1"))
        #expect(summary["experiment"] == .string("line-fit"))
        #expect(summary["metric_kinds"]?["probe.time_us"] == .string("timing"))
        #expect(summary["metric_kinds"]?["probe.parameter"] == .string("deterministic"))
        let cases = summary["cases"]?.arrayValue ?? []
        #expect(cases.count == 2)
        // The exact-line solver reaches the true slope 3 from any start.
        #expect(cases.allSatisfy { $0["metrics"]?["probe.parameter"]?.numberValue == 3.0 })
        #expect(cases[0]["sweep"]?["model.initial"] == .number("0.5"))
        #expect(cases[0]["data_seed"]?.integerValue.map(UInt64.init) == plan.cases[0].seeds.data)
        #expect(cases[0]["parameter_seed"]?.integerValue.map(UInt64.init) == plan.cases[0].seeds.parameters)
        #expect(cases[0]["replicate"] == .integer(0))

        let parameters = try read(bundle + "/cases/initial=0.5/parameters.json")
        #expect(parameters["names"] == .array([.string("slope")]))
        #expect(parameters["initial"] == .array([.number("0.5")]))
        #expect(parameters["values"] == .array([.number("3.0")]))

        let trace = try String(contentsOfFile: bundle + "/cases/initial=0.5/trace.csv", encoding: .utf8)
        // Cost at slope 0.5 over x = 1…4, y = 3x: ½·Σ(2.5x)² = ½·6.25·30.
        #expect(trace == "iteration,cost\n0.0,93.75\n1.0,0.0\n")
        let timings = try String(contentsOfFile: bundle + "/cases/initial=0.5/timings.csv", encoding: .utf8)
        #expect(timings.hasPrefix("name,repeats,min_us,q1_us,median_us,q3_us,max_us,forward_units\nstage.data,1,"))

        let resolved = try read(bundle + "/resolved.json")
        #expect(resolved["manifest_path"]?.stringValue == URL(fileURLWithPath: path).standardizedFileURL.path)
        #expect(resolved["cases"]?.arrayValue?.first?["manifest"]?["solver"]?["max-iterations"] == .number("2"))
        let markdown = try String(contentsOfFile: bundle + "/summary.md", encoding: .utf8)
        #expect(markdown.contains("| initial=0.5 | ok "))
    }

    @Test func aFailingCaseIsRecordedAndTheOthersContinue() throws {
        let text = manifest.replacingOccurrences(of: "model.initial: [0.5, 1.5]", with: "evaluation: [[{kind: probe, fail: true}], [{kind: probe}]]")
        let plan = try ExperimentPlan.load(path: try writeManifest(text), registry: .testing)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        #expect(outcome.complete)
        #expect(outcome.records.map(\.status) == [.failed, .ok])
        #expect(outcome.records[0].error == "evaluation.probe: probe asked to fail")
        let status = try read(outcome.bundlePath + "/status.json")
        #expect(status["cases"]?.arrayValue?.first?["error"] == .string("evaluation.probe: probe asked to fail"))
        #expect(status["counts"]?["failed"] == .number("1"))
        let errorText = try String(contentsOfFile: outcome.bundlePath + "/cases/\(outcome.records[0].id)/error.txt", encoding: .utf8)
        #expect(errorText == "evaluation.probe: probe asked to fail\n")
    }

    @Test func interruptionKeepsFinishedCasesAndResumeCompletesTheRest() throws {
        // The second of three cases sets the cancellation flag mid-evaluation, as SIGINT would.
        let text = manifest.replacingOccurrences(
            of: "model.initial: [0.5, 1.5]",
            with: "evaluation: [[{kind: probe}], [{kind: probe, cancel: true}], [{kind: probe, fail: false}]]")
        let path = try writeManifest(text)
        let results = try temporaryDirectory()
        let plan = try ExperimentPlan.load(path: path, registry: .testing)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: results)
        #expect(outcome.interrupted && !outcome.complete)
        #expect(outcome.records.map(\.status) == [.ok, .pending, .pending])
        let status = try read(outcome.bundlePath + "/status.json")
        #expect(status["complete"] == .bool(false))
        // The interrupted case stopped after its fit: the fit is written, the case still pending.
        let interruptedID = outcome.records[1].id
        #expect(try FileManager.default.contentsOfDirectory(atPath: outcome.bundlePath + "/cases").sorted() == [outcome.records[0].id, interruptedID].sorted())
        let note = status["cases"]?.arrayValue?[1]["error"]?.stringValue ?? ""
        #expect(note.hasPrefix("evaluation.probe: interrupted; the fit is kept as it stopped (status converged, 2 iterations"), "\(note)")
        #expect(status["cases"]?.arrayValue?[1]["status"] == .string("pending"))
        let keptParameters = try read(outcome.bundlePath + "/cases/\(interruptedID)/parameters.json")
        #expect(keptParameters["values"] == .array([.number("3.0")]))
        let keptTrace = try String(contentsOfFile: outcome.bundlePath + "/cases/\(interruptedID)/trace.csv", encoding: .utf8)
        #expect(keptTrace.split(separator: "\n").count == 3, "header and two iterations")
        #expect(try String(contentsOfFile: outcome.bundlePath + "/cases/\(interruptedID)/error.txt", encoding: .utf8) == note + "\n")
        // Resuming keeps that folder until the case is rerun: the bundle being resumed is whole.
        let stored = try StoredBundle(path: outcome.bundlePath).keptRecords(of: plan)
        #expect(stored[interruptedID]?.status == .pending && stored[interruptedID]?.error == note)
        #expect(stored[outcome.records[0].id]?.status == .ok)

        // Resume with a manifest whose second case no longer cancels: edit the stored
        // manifest as a user would fix the cause, then resume from the bundle alone.
        let storedManifest = outcome.bundlePath + "/manifest.yaml"
        try text.replacingOccurrences(of: "cancel: true", with: "cancel: false").write(toFile: storedManifest, atomically: true, encoding: .utf8)
        let resumedPlanIDs = try ExperimentPlan.load(path: storedManifest, registry: .testing).cases.map(\.id)
        #expect(resumedPlanIDs.count == 3)
        let resumed = try ExperimentRunner.resume(bundlePath: outcome.bundlePath, registry: .testing, cancellation: CancellationFlag())
        #expect(resumed.complete && !resumed.interrupted)
        #expect(resumed.bundlePath == outcome.bundlePath)
        #expect(resumed.records.map(\.status) == [.ok, .ok, .ok])
        let finalStatus = try read(outcome.bundlePath + "/status.json")
        #expect(finalStatus["complete"] == .bool(true))
        #expect(finalStatus["cases"]?.arrayValue?[1]["error"] == .null)
        #expect(!FileManager.default.fileExists(atPath: outcome.bundlePath + "/cases/\(interruptedID)/error.txt"), "rerun, not the kept fit")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outcome.bundlePath + "/cases").sorted() == resumed.records.map(\.id).sorted())
        // The first case was kept, not re-run: its summary entry is the original one.
        let summary = try read(outcome.bundlePath + "/summary.json")
        #expect(summary["cases"]?.arrayValue?.count == 3)
        #expect(summary["complete"] == .bool(true))
        // Nothing but the bundle and `latest` remains in the experiment folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: results + "/line-fit").count == 2)
    }

    @Test func resumingACompleteBundleIsRefused() throws {
        let plan = try ExperimentPlan.load(path: try writeManifest(manifest), registry: .testing)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        #expect(throws: BundleError.self) {
            _ = try ExperimentRunner.resume(bundlePath: outcome.bundlePath, registry: .testing, cancellation: CancellationFlag())
        }
    }

    @Test func concurrentRunsGetDistinctBundles() throws {
        let plan = try ExperimentPlan.load(path: try writeManifest(manifest), registry: .testing)
        let results = try temporaryDirectory()
        let writers = try (0..<20).map { _ in try ResultBundleWriter.create(resultsDirectory: results, experiment: "x", description: "") }
        #expect(Set(writers.map(\.runID)).count == 20)
        _ = plan
    }

    @Test func unwritableResultsFolderFailsBeforeAnyCase() throws {
        let plan = try ExperimentPlan.load(path: try writeManifest(manifest), registry: .testing)
        let file = try temporaryDirectory() + "/not-a-folder"
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: BundleError.self) {
            _ = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: file)
        }
    }

    @Test func numbersAreWrittenStablyAndNonFiniteExplicitly() throws {
        var record = CaseRecord.pending(try ExperimentPlan.load(path: try writeManifest(manifest), registry: .testing).cases[0])
        record.metrics = [.deterministic("b", .nan), .deterministic("a", .infinity), .deterministic("c", 0.1), .count("d", 3)]
        #expect(BundleDocuments.metrics(record) == "{\n  \"a\": \"Infinity\",\n  \"b\": \"NaN\",\n  \"c\": 0.1,\n  \"d\": 3\n}\n")
    }
}
