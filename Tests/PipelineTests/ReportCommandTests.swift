import Foundation
import Testing
@testable import Pipeline

/// `jacobench report BUNDLE` rebuilds summary.md and report.html from a bundle's files.
@Suite
struct ReportCommandTests {
    func jacobench(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func reportRegeneratesBothFilesThroughTheLatestLink() throws {
        let manifest = """
            name: line-cli
            data: {kind: line, samples: 3, slope: 2.0}
            model: {kind: line}
            solver: {kind: exact-line, max-iterations: 2}
            evaluation: [{kind: probe}]
            """
        let results = try temporaryDirectory()
        let plan = try ExperimentPlan.load(path: try writeManifest(manifest), registry: .testing)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: results)
        let html = try String(contentsOfFile: outcome.bundlePath + "/report.html", encoding: .utf8)
        for name in ["report.html", "summary.md"] { try FileManager.default.removeItem(atPath: outcome.bundlePath + "/" + name) }

        #expect(try jacobench(["report", results + "/line-cli/latest"]) == 0)
        #expect(try String(contentsOfFile: outcome.bundlePath + "/report.html", encoding: .utf8) == html)
        #expect(FileManager.default.fileExists(atPath: outcome.bundlePath + "/summary.md"))
        #expect(try jacobench(["report", try temporaryDirectory()]) == 2)
    }
}
