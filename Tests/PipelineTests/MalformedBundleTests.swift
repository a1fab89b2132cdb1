import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// Bundles with malformed or wrong-typed files: `report`, `diff` and `--pin-from` name the
/// file and field; `collect` skips the bundle with a warning and lists the rest.
@Suite struct MalformedBundleTests {
    static let malformedSummaries: [(text: String, expected: String)] = [
        (#"{"cases": 5}"#, "summary.json: field 'cases' has the wrong type"),
        (#"[]"#, "summary.json: not a JSON object"),
        (#"{"metric_kinds": {}}"#, "summary.json: field 'cases' is missing"),
        (#"{"cases": [], "metric_kinds": [1]}"#, "summary.json: field 'metric_kinds' has the wrong type"),
        (#"{"cases": [[]]}"#, "summary.json: cases[0] is not an object"),
        (#"{"cases": [{"id": [], "status": "ok", "metrics": {}}]}"#, "summary.json: field 'cases[0].id' has the wrong type"),
        (#"{"cases": [{"id": "a", "status": "fine", "metrics": {}}]}"#, "summary.json: field 'cases[0].status' has the wrong type"),
        (#"{"cases": [{"id": "a", "status": "ok", "metrics": 7}]}"#, "summary.json: field 'cases[0].metrics' has the wrong type"),
        (#"{"cases": [{"id": "a", "status": "ok", "metrics": {"m": {"x": 1}}}]}"#, "summary.json: field 'cases[0].metrics.m' has the wrong type"),
        (#"{"cases": [{"id": "a", "status": "ok", "metrics": {}, "sweep": "x"}]}"#, "summary.json: field 'cases[0].sweep' has the wrong type"),
        (#"{"cases": [{"id": "\udc00"}]}"#, "summary.json: 1:20: invalid JSON: lone low surrogate"),
        (#"{"cases": 1e400}"#, "summary.json: 1:11"),
    ]

    /// A bundle folder holding `summary` (and a valid status.json).
    func bundle(summary: String, in results: String, run: String = "20261205T000000Z-aaaaaa") throws -> String {
        let path = results + "/e/" + run
        try FileManager.default.createDirectory(atPath: path + "/cases", withIntermediateDirectories: true)
        try summary.write(toFile: path + "/summary.json", atomically: true, encoding: .utf8)
        try #"{"complete": true, "cases": [], "counts": {"ok": 0}}"#.write(toFile: path + "/status.json", atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: malformedSummaries)
    func reportAndDiffNameTheFileAndField(_ entry: (text: String, expected: String)) throws {
        let results = try temporaryDirectory()
        let bad = try bundle(summary: entry.text, in: results)
        let good = try bundle(summary: #"{"cases": []}"#, in: results, run: "20261205T000000Z-bbbbbb")
        let report = try #require(throws: BundleError.self) { try BundleReport.write(bundlePath: bad, description: "") }
        #expect(report.message.contains(entry.expected) && report.message.contains(bad), "\(report.message)")
        let diff = try #require(throws: BundleError.self) { _ = try BundleComparison.load(good, bad, tolerance: 0, timingTolerance: 0) }
        #expect(diff.message.contains(entry.expected), "\(diff.message)")
    }

    /// Through the built binary: `report` exits 2 naming the file and field, in bounded memory.
    @Test(arguments: malformedSummaries)
    func reportThroughTheBinaryExitsTwo(_ entry: (text: String, expected: String)) throws {
        let results = try temporaryDirectory()
        let bad = try bundle(summary: entry.text, in: results)
        let child = try ChildProcess.run(["report", bad])
        #expect(child.status == 2, "\(child.stderr)")
        #expect(child.stderr.contains(entry.expected), "\(child.stderr)")
        #expect(child.maximumResidentKiB < BadInputExitCodeTests.maximumResidentKiB)
    }

    @Test func collectSkipsABadBundleWithAWarningAndListsTheRest() throws {
        let results = try temporaryDirectory()
        let bad = try bundle(summary: #"{"cases": 5}"#, in: results)
        _ = try bundle(summary: #"{"cases": []}"#, in: results, run: "20261205T000000Z-bbbbbb")
        let badStatus = try bundle(summary: #"{"cases": []}"#, in: results, run: "20261205T000000Z-cccccc")
        try #"{"complete": "yes", "cases": []}"#.write(toFile: badStatus + "/status.json", atomically: true, encoding: .utf8)
        var warnings: [String] = []
        let bundles = try BundleCollection.readBundles(results) { warnings.append($0) }
        #expect(bundles.map(\.run) == ["20261205T000000Z-bbbbbb"])
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains(bad) && $0.contains("field 'cases' has the wrong type") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("status.json: field 'complete' has the wrong type") }, "\(warnings)")
    }
}
