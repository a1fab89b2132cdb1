import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// `collect` on hand-made results folders: complete, incomplete, duplicated and missing bundles.
@Suite struct CollectTests {
    /// Writes a bundle `results/<folder>/<run>/` with a status.json and a summary.json of one case per metrics entry.
    func writeBundle(_ results: String, experiment: String, run: String, complete: Bool,
                     cases: [(status: String, metrics: String)], folder: String? = nil) throws {
        let path = results + "/" + (folder ?? experiment) + "/" + run
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        func count(_ status: String) -> Int { cases.filter { $0.status == status }.count }
        let status = """
            {"schema": 1, "experiment": "\(experiment)", "run": "\(run)", "complete": \(complete),
             "counts": {"ok": \(count("ok")), "failed": \(count("failed")), "pending": \(count("pending")), "skipped": \(count("skipped"))}, "cases": []}
            """
        let items = cases.enumerated().map { index, item in
            #"{"id": "c\#(index)", "sweep": {}, "seed": 1, "status": "\#(item.status)", "error": null, "metrics": {\#(item.metrics)}}"#
        }
        let summary = #"{"schema": 1, "experiment": "\#(experiment)", "run": "\#(run)", "complete": \#(complete), "metric_kinds": {}, "cases": [\#(items.joined(separator: ", "))]}"#
        try status.write(toFile: path + "/status.json", atomically: true, encoding: .utf8)
        try summary.write(toFile: path + "/summary.json", atomically: true, encoding: .utf8)
    }

    /// Manifests a (complete once), b (complete twice), c (only an incomplete bundle), d (no bundle).
    func makeResults() throws -> (results: String, manifests: String) {
        let root = try temporaryDirectory()
        let manifests = root + "/experiments", results = root + "/results"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        for name in ["a", "b", "c", "d"] {
            try "# \(name)\nname: exp-\(name)\ndata: {kind: nist, file: x.dat}\n".write(toFile: manifests + "/\(name).yaml", atomically: true, encoding: .utf8)
        }
        try writeBundle(results, experiment: "exp-a", run: "r1", complete: true,
                        cases: [("ok", #""fit.final_cost": 0.5, "nist.lre_min": 9.5"#), ("ok", #""fit.final_cost": 2.0, "nist.lre_min": 7.25"#),
                                ("skipped", "")])
        try writeBundle(results, experiment: "exp-b", run: "r1", complete: true, cases: [("ok", #""fit.final_cost": 1"#)])
        try writeBundle(results, experiment: "exp-b", run: "r2", complete: true, cases: [("failed", "")])
        try writeBundle(results, experiment: "exp-c", run: "r1", complete: false, cases: [("ok", ""), ("pending", "")])
        // A run killed mid-way: only a hidden .partial folder, which is not a bundle.
        try writeBundle(results, experiment: "exp-d", run: ".r9.partial", complete: true, cases: [("ok", "")])
        try "task output".write(toFile: results + "/slurm-12_0.out", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: results + "/exp-a/latest", withDestinationPath: "r1")
        return (results, manifests)
    }

    @Test func readsEveryVisibleBundleWithCountsAndWorstMetrics() throws {
        let (results, _) = try makeResults()
        let collection = try BundleCollection.load(results: results)
        #expect(collection.bundles.map { "\($0.experiment)/\($0.run)" } == ["exp-a/r1", "exp-b/r1", "exp-b/r2", "exp-c/r1"])
        let a = try #require(collection.bundles.first)
        #expect(a.complete && a.ok == 2 && a.failed == 0 && a.skipped == 1 && a.pending == 0)
        #expect(a.metrics["fit.final_cost"] == 2.0)  // the larger cost of the two cases
        #expect(a.metrics["nist.lre_min"] == 7.25)   // the fewer correct digits
        #expect(collection.bundles[2].failed == 1)
        #expect(collection.bundles[3].complete == false && collection.bundles[3].pending == 1)
        #expect(collection.manifests.isEmpty)
    }

    @Test func namesMissingAndDuplicatedManifests() throws {
        let (results, manifests) = try makeResults()
        let collection = try BundleCollection.load(results: results, manifestDirectory: manifests)
        #expect(collection.manifests.map(\.name) == ["exp-a", "exp-b", "exp-c", "exp-d"])
        #expect(collection.missing.map(\.name) == ["exp-c", "exp-d"])
        #expect(collection.duplicated.map(\.name) == ["exp-b"])
        #expect(collection.duplicated.first?.completeRuns == ["r1", "r2"])
        #expect(collection.missing.first?.incompleteRuns == ["r1"])
        #expect(!collection.isEveryManifestCompleteOnce)

        let table = collection.render(.table)
        #expect(table.contains("missing: exp-c — no complete bundle for \(manifests)/c.yaml (incomplete: r1)"), "\(table)")
        #expect(table.contains("missing: exp-d — no complete bundle for \(manifests)/d.yaml\n"))
        #expect(table.contains("duplicated: exp-b — 2 complete bundles: r1, r2"))
        #expect(table.contains("2/4 manifests have a complete bundle; 1 have more than one"))
        let header = try #require(table.split(separator: "\n").first)
        #expect(header.split(separator: " ").filter { !$0.isEmpty } == ["experiment", "run", "complete", "ok", "failed", "skipped", "pending", "fit.final_cost", "nist.lre_min"])
        let rowA = try #require(table.split(separator: "\n").first { $0.hasPrefix("exp-a") })
        #expect(rowA.split(separator: " ").filter { !$0.isEmpty } == ["exp-a", "r1", "yes", "2", "0", "1", "0", "2", "7.25"])
    }

    @Test func everyManifestCompleteOnceWhenEachHasOneCompleteBundle() throws {
        let (results, manifests) = try makeResults()
        try FileManager.default.removeItem(atPath: results + "/exp-b/r2")
        try FileManager.default.removeItem(atPath: manifests + "/c.yaml")
        try FileManager.default.removeItem(atPath: manifests + "/d.yaml")
        let collection = try BundleCollection.load(results: results, manifestDirectory: manifests)
        #expect(collection.isEveryManifestCompleteOnce)
        #expect(collection.render(.table).hasSuffix("2/2 manifests have a complete bundle\n"))
    }

    @Test func jsonListsBundlesAndManifests() throws {
        let (results, manifests) = try makeResults()
        let json = try JSONParser.parse(BundleCollection.load(results: results, manifestDirectory: manifests).render(.json))
        #expect(json["bundles"]?.arrayValue?.count == 4)
        #expect(json["bundles"]?.arrayValue?.first?["metrics"]?["nist.lre_min"]?.numberValue == 7.25)
        #expect(json["bundles"]?.arrayValue?.first?["skipped"]?.integerValue == 1)
        #expect(json["manifests"]?.arrayValue?[1]["complete_runs"] == .array([.string("r1"), .string("r2")]))
    }

    @Test func manifestWithoutNameAndMissingFolderAreErrors() throws {
        let (results, manifests) = try makeResults()
        #expect(throws: BundleError.self) { try BundleCollection.load(results: results + "/nowhere") }
        try "data: {kind: nist}\n".write(toFile: manifests + "/e.yaml", atomically: true, encoding: .utf8)
        #expect {
            try BundleCollection.load(results: results, manifestDirectory: manifests)
        } throws: { error in
            "\(error)".contains("e.yaml: the manifest has no top-level `name`")
        }
    }

    @Test func slurmFixtureManifestsAreValidAndDistinctlyNamed() throws {
        let folder = BuiltBinary.packageRoot + "/Tests/Fixtures/slurm-experiments"
        let paths = try BatchPlan.manifests(in: folder, shard: nil)
        #expect(paths.count >= 3)
        let names = try paths.map { try ExperimentPlan.load(path: $0, registry: .standard).name }
        #expect(Set(names).count == paths.count)
    }
}
