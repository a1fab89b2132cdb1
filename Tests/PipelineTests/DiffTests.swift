import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// `diff` on hand-made bundles, against golden output written by hand.
@Suite struct DiffTests {
    /// A summary.json with two cases (sweep model.layers) and the given metrics per case.
    func summary(run: String, first: String, second: String?, status: String = "ok") -> String {
        let kinds = """
            "metric_kinds": {"fit.final_cost": "deterministic", "fit.status": "deterministic",
              "jacobian.per-sample.forward_units": "timing", "jacobian.per-sample.median_us": "timing",
              "jacobian.reverse-loop.median_us": "timing", "nist.lre_min": "deterministic", "extra.count": "deterministic"}
            """
        let secondCase = second.map { """
            , {"id": "layers=5x32x3", "sweep": {"model.layers": [5, 32, 3]}, "seed": 2, "status": "ok", "error": null,
               "metrics": {\($0)}}
            """ } ?? ""
        return """
            {"schema": 1, "experiment": "x", "run": "\(run)", "complete": true, \(kinds),
             "cases": [{"id": "layers=5x9x3", "sweep": {"model.layers": [5, 9, 3]}, "seed": 1, "status": "\(status)", "error": null,
                        "metrics": {\(first)}}\(secondCase)]}
            """
    }

    func bundles(_ a: String, _ b: String) throws -> (String, String) {
        let root = try temporaryDirectory()
        for (name, text) in [("A", a), ("B", b)] {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
            try text.write(toFile: root + "/\(name)/summary.json", atomically: true, encoding: .utf8)
        }
        return (root + "/A", root + "/B")
    }

    let baseline = """
        "fit.final_cost": 0.5, "fit.status": "converged", "jacobian.per-sample.forward_units": 10.0,
        "jacobian.per-sample.median_us": 100.0, "jacobian.reverse-loop.median_us": 2000.0, "nist.lre_min": 8.5
        """

    @Test func identicalBundlesHaveNoDifferences() throws {
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: baseline), summary(run: "r2", first: baseline, second: baseline))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.regressions == 0)
        #expect(comparison.render(.table, all: false) == "A: r1  B: r2  —  no differences\ncase  metric  kind  A  B  change\n")
    }

    @Test func changesAreClassifiedAndOnlyChangedRowsShown() throws {
        let changed = """
            "fit.final_cost": 0.6, "fit.status": "max-iterations", "jacobian.per-sample.forward_units": 13.0,
            "jacobian.per-sample.median_us": 500.0, "jacobian.reverse-loop.median_us": 1000.0, "nist.lre_min": 9.5,
            "extra.count": 3
            """
        let (a, b) = try bundles(
            summary(run: "r1", first: baseline, second: baseline),
            summary(run: "r2", first: changed, second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        let golden = """
            A: r1  B: r2  —  3 regressed, 2 improved, 1 added, 1 removed
            case                       metric                             kind           A              B               change
            {"model.layers":[5,32,3]}  (case)                                            layers=5x32x3  —               removed
            {"model.layers":[5,9,3]}   extra.count                        deterministic  —              3               added
            {"model.layers":[5,9,3]}   fit.final_cost                     deterministic  0.5            0.6             regressed Δ0.167
            {"model.layers":[5,9,3]}   fit.status                         deterministic  converged      max-iterations  regressed
            {"model.layers":[5,9,3]}   jacobian.per-sample.forward_units  timing         10             13              regressed ×1.3
            {"model.layers":[5,9,3]}   jacobian.reverse-loop.median_us    timing         2000           1000            improved ×0.5
            {"model.layers":[5,9,3]}   nist.lre_min                       deterministic  8.5            9.5             improved Δ0.105

            """
        #expect(comparison.render(.table, all: false) == golden)
        // Colour wraps each changed row in ANSI codes: red for regressions, green for improvements.
        let coloured = comparison.render(.table, all: false, colour: true)
        #expect(coloured.contains("\u{1B}[31m{\"model.layers\":[5,9,3]}   fit.final_cost"))
        #expect(coloured.contains("\u{1B}[32m{\"model.layers\":[5,9,3]}   nist.lre_min"))
        #expect(comparison.rows.first { $0.metric == "jacobian.per-sample.median_us" }?.change == .info)
        #expect(comparison.regressions == 3)
    }

    @Test func timingWithinNoiseToleranceIsSame() throws {
        let noisy = baseline.replacingOccurrences(of: "\"jacobian.per-sample.forward_units\": 10.0", with: "\"jacobian.per-sample.forward_units\": 12.0")
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: noisy, second: nil))
        #expect(try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25).regressions == 0)
        #expect(try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.1).regressions == 1)
    }

    @Test func deterministicToleranceIsRelative() throws {
        let nudged = baseline.replacingOccurrences(of: "\"fit.final_cost\": 0.5", with: "\"fit.final_cost\": 0.5000000001")
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: nudged, second: nil))
        #expect(try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25).regressions == 0)
        #expect(try BundleComparison.load(a, b, tolerance: 1e-12, timingTolerance: 0.25).regressions == 1)
    }

    @Test func aCaseThatStartsFailingIsARegression() throws {
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: baseline, second: nil, status: "failed"))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.rows.first { $0.metric == "(status)" }?.change == .regressed)
    }

    @Test func markdownAndJSONCarryTheSameRows() throws {
        let changed = baseline.replacingOccurrences(of: "\"fit.final_cost\": 0.5", with: "\"fit.final_cost\": 0.25")
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: changed, second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.render(.markdown, all: false) == """
            A: r1  B: r2  —  1 improved

            | case | metric | kind | A | B | change |
            | --- | --- | --- | ---: | ---: | --- |
            | {"model.layers":[5,9,3]} | fit.final_cost | deterministic | 0.5 | 0.25 | improved Δ0.5 |

            """)
        let json = try JSONParser.parse(comparison.render(.json, all: false))
        #expect(json["regressions"] == .number("0"))
        #expect(json["rows"]?.arrayValue?.count == 1)
        #expect(json["rows"]?.arrayValue?.first?["change"] == .string("improved"))
        #expect(json["rows"]?.arrayValue?.first?["measure"] == .number("0.5"))
    }

    @Test func latestPairPicksTheTwoNewestRuns() throws {
        let root = try temporaryDirectory()
        for name in ["20260101T000000Z-aaaaaa", "20260102T000000Z-bbbbbb", "20260103T000000Z-cccccc", "latest", ".20260104T000000Z-dddddd.partial"] {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
        }
        let (a, b) = try BundleComparison.latestPair(in: root)
        #expect(a == root + "/20260102T000000Z-bbbbbb")
        #expect(b == root + "/20260103T000000Z-cccccc")
    }
}
