import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// `diff` on hand-made bundles, against golden output written by hand.
@Suite struct DiffTests {
    /// Names of the timing metrics used below (everything else is deterministic).
    static let timingNames = [
        "forward.median_us", "forward.min_us", "forward.q3_us", "forward.repeats", "fit.time_us",
        "jacobian.per-sample.forward_units", "jacobian.per-sample.median_us", "jacobian.per-sample.min_us",
        "jacobian.per-sample.q3_us", "jacobian.per-sample.repeats",
        "jacobian.reverse-loop.median_us", "jacobian.reverse-loop.min_us", "jacobian.reverse-loop.q3_us", "jacobian.reverse-loop.repeats",
    ]

    /// A summary.json with two cases (sweep model.layers) and the given metrics per case.
    func summary(run: String, first: String, second: String?, status: String = "ok", experiment: String = "x") -> String {
        let timing = Self.timingNames.map { "\"\($0)\": \"timing\"" }.joined(separator: ", ")
        let kinds = """
            "metric_kinds": {"fit.final_cost": "deterministic", "fit.status": "deterministic", \(timing),
              "nist.lre_min": "deterministic", "extra.count": "deterministic"}
            """
        let secondCase = second.map { """
            , {"id": "layers=5x32x3", "sweep": {"model.layers": [5, 32, 3]}, "seed": 2, "status": "ok", "error": null,
               "metrics": {\($0)}}
            """ } ?? ""
        return """
            {"schema": 1, "experiment": "\(experiment)", "run": "\(run)", "complete": true, \(kinds),
             "cases": [{"id": "layers=5x9x3", "sweep": {"model.layers": [5, 9, 3]}, "seed": 1, "status": "\(status)", "error": null,
                        "metrics": {\(first)}}\(secondCase)]}
            """
    }

    /// Bundle folders A and B holding `summary.json` (and `environment.json` when given).
    func bundles(_ a: String, _ b: String, environments: (String, String)? = nil) throws -> (String, String) {
        let root = try temporaryDirectory()
        for (name, text, environment) in [("A", a, environments?.0), ("B", b, environments?.1)] {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
            try text.write(toFile: root + "/\(name)/summary.json", atomically: true, encoding: .utf8)
            try environment?.write(toFile: root + "/\(name)/environment.json", atomically: true, encoding: .utf8)
        }
        return (root + "/A", root + "/B")
    }

    /// One forward pass of 10 µs and two strategies, each over 20 repeats with a ±5 % spread.
    let baseline = """
        "fit.final_cost": 0.5, "fit.status": "converged", "nist.lre_min": 8.5, "fit.time_us": 5000.0,
        "forward.median_us": 10.0, "forward.min_us": 9.5, "forward.q3_us": 10.5, "forward.repeats": 20,
        "jacobian.per-sample.forward_units": 10.0, "jacobian.per-sample.median_us": 100.0,
        "jacobian.per-sample.min_us": 95.0, "jacobian.per-sample.q3_us": 105.0, "jacobian.per-sample.repeats": 20,
        "jacobian.reverse-loop.median_us": 2000.0, "jacobian.reverse-loop.min_us": 1900.0,
        "jacobian.reverse-loop.q3_us": 2100.0, "jacobian.reverse-loop.repeats": 20
        """

    /// `baseline` with `replacements` (metric name → new value text).
    func edited(_ replacements: [String: String]) -> String {
        var text = baseline
        for (name, value) in replacements {
            let pattern = "\"\(name)\": "
            guard let range = text.range(of: pattern) else {
                text += ", \"\(name)\": \(value)"
                continue
            }
            let end = text[range.upperBound...].firstIndex { $0 == "," || $0 == "\n" } ?? text.endIndex
            text.replaceSubrange(range.upperBound..<end, with: value)
        }
        return text
    }

    @Test func identicalBundlesHaveNoDifferences() throws {
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: baseline), summary(run: "r2", first: baseline, second: baseline))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.regressions == 0)
        #expect(comparison.render(.table, all: false) == "A: r1  B: r2  —  no differences\ncase  metric  kind  A  B  change\n")
    }

    @Test func changesAreClassifiedAndOnlyChangedRowsShown() throws {
        let changed = edited([
            "fit.final_cost": "0.6", "fit.status": "\"max-iterations\"", "nist.lre_min": "9.5", "extra.count": "3",
            "jacobian.per-sample.forward_units": "13.0", "jacobian.per-sample.median_us": "130.0",
            "jacobian.per-sample.min_us": "124.0", "jacobian.per-sample.q3_us": "136.0",
            "jacobian.reverse-loop.median_us": "1000.0", "jacobian.reverse-loop.min_us": "950.0", "jacobian.reverse-loop.q3_us": "1050.0",
        ])
        let (a, b) = try bundles(
            summary(run: "r1", first: baseline, second: baseline),
            summary(run: "r2", first: changed, second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        let golden = """
            A: r1  B: r2  —  3 regressed, 2 improved, 1 added, 1 removed
            cases: 1 compared, 1 only in A, 0 only in B
            case                 metric                             kind           A              B               change
            model.layers=5x32x3  (case)                                            layers=5x32x3  —               removed
            model.layers=5x9x3   extra.count                        deterministic  —              3               added
            model.layers=5x9x3   fit.final_cost                     deterministic  0.5            0.6             regressed Δ0.167
            model.layers=5x9x3   fit.status                         deterministic  converged      max-iterations  regressed
            model.layers=5x9x3   jacobian.per-sample.forward_units  timing         10             13              regressed ×1.3
            model.layers=5x9x3   jacobian.reverse-loop.median_us    timing         2000           1000            improved ×0.5
            model.layers=5x9x3   nist.lre_min                       deterministic  8.5            9.5             improved Δ0.105

            """
        #expect(comparison.render(.table, all: false) == golden)
        // Colour wraps each changed row in ANSI codes: red for regressions, green for improvements.
        let coloured = comparison.render(.table, all: false, colour: true)
        #expect(coloured.contains("\u{1B}[31mmodel.layers=5x9x3   fit.final_cost"))
        #expect(coloured.contains("\u{1B}[32mmodel.layers=5x9x3   nist.lre_min"))
        let perSample = comparison.rows.first { $0.metric == "jacobian.per-sample.median_us" }
        #expect(perSample?.change == .info)
        #expect(perSample?.note == "judged with forward_units")
        #expect(comparison.regressions == 3)
        #expect(comparison.casesOnlyInA == 1 && comparison.casesOnlyInB == 0 && comparison.casesCompared == 1)
    }

    @Test func timingWithinNoiseToleranceIsSame() throws {
        let noisy = edited([
            "jacobian.per-sample.forward_units": "12.0", "jacobian.per-sample.median_us": "120.0",
            "jacobian.per-sample.min_us": "115.0", "jacobian.per-sample.q3_us": "125.0",
        ])
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: noisy, second: nil))
        #expect(try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25).regressions == 0)
        #expect(try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.1).regressions == 1)
    }

    @Test func deterministicToleranceIsRelative() throws {
        let nudged = edited(["fit.final_cost": "0.5000000001"])
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
        let changed = edited(["fit.final_cost": "0.25"])
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: changed, second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.render(.markdown, all: false) == """
            A: r1  B: r2  —  1 improved

            | case | metric | kind | A | B | change |
            | --- | --- | --- | ---: | ---: | --- |
            | model.layers=5x9x3 | fit.final_cost | deterministic | 0.5 | 0.25 | improved Δ0.5 |

            """)
        let json = try JSONParser.parse(comparison.render(.json, all: false))
        #expect(json["regressions"] == .number("0"))
        #expect(json["rows"]?.arrayValue?.count == 1)
        #expect(json["rows"]?.arrayValue?.first?["change"] == .string("improved"))
        #expect(json["rows"]?.arrayValue?.first?["measure"] == .number("0.5"))
        #expect(json["rows"]?.arrayValue?.first?["case"] == .string("model.layers=5x9x3"))
        #expect(json["cases"]?["compared"] == .number("1"))
        #expect(json["timings_judged"] == .bool(true))
    }

    // MARK: the noise rule

    /// Statistics of synthetic samples: `center` ± `halfWidth` in 21 evenly spaced repeats.
    func timing(center: Double, halfWidth: Double) -> RecordedTiming {
        let samples = (0...20).map { center - halfWidth + Double($0) * halfWidth / 10 }
        let statistics = TimingStatistics(samples: samples.shuffled())
        return RecordedTiming(
            median: statistics?.median ?? .nan, minimum: statistics?.minimum, thirdQuartile: statistics?.thirdQuartile,
            repeats: statistics?.repeats)
    }

    @Test func quartilesInterpolateBetweenOrderStatistics() throws {
        let four = try #require(TimingStatistics(samples: [4, 1, 3, 2]))
        #expect(four.minimum == 1 && four.maximum == 4 && four.repeats == 4)
        #expect(four.firstQuartile == 1.75 && four.median == 2.5 && four.thirdQuartile == 3.25)
        let five = try #require(TimingStatistics(samples: [10, 50, 20, 40, 30]))
        #expect(five.firstQuartile == 20 && five.median == 30 && five.thirdQuartile == 40)
        #expect(TimingStatistics(samples: []) == nil)
        #expect(TimingStatistics(single: 7) == TimingStatistics(samples: [7]))
    }

    @Test func ratioPastToleranceWithOverlappingQuartilesIsSame() {
        // Medians 100 and 130 (×1.3 > 1.25), but B's fastest (104) is below A's third quartile (115).
        let a = timing(center: 100, halfWidth: 30), b = timing(center: 130, halfWidth: 26)
        #expect(TimingNoiseRule.judge(a, b, tolerance: 0.25) == .same)
        #expect(TimingNoiseRule.judge(b, a, tolerance: 0.25) == .same)
    }

    @Test func clearlySeparatedTimingsAreRegressedOrImproved() {
        let a = timing(center: 100, halfWidth: 5), b = timing(center: 130, halfWidth: 5)
        #expect(TimingNoiseRule.judge(a, b, tolerance: 0.25) == .slower)
        #expect(TimingNoiseRule.judge(b, a, tolerance: 0.25) == .faster)
        // Separated, but within the tolerance: same.
        #expect(TimingNoiseRule.judge(a, timing(center: 120, halfWidth: 5), tolerance: 0.25) == .same)
    }

    @Test func singleRunsAreNotJudgedOnTheirRatio() {
        let once = RecordedTiming(median: 100, minimum: 100, thirdQuartile: 100, repeats: 1)
        let twice = RecordedTiming(median: 200, minimum: 200, thirdQuartile: 200, repeats: 1)
        #expect(TimingNoiseRule.judge(once, twice, tolerance: 0.25) == .unjudged)
        #expect(TimingNoiseRule.judge(once, RecordedTiming(median: 110, minimum: nil, thirdQuartile: nil, repeats: nil), tolerance: 0.25) == .same)
        // A median without quartiles (an older bundle) is not judged either.
        let bare = RecordedTiming(median: 300, minimum: 290, thirdQuartile: nil, repeats: nil)
        #expect(TimingNoiseRule.judge(timing(center: 100, halfWidth: 5), bare, tolerance: 0.25) == .unjudged)
    }

    @Test func singleRunTimingsAreShownWithANoteNotAsRegressions() throws {
        let (a, b) = try bundles(
            summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: edited(["fit.time_us": "9000.0"]), second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.regressions == 0)
        #expect(comparison.unjudgedTimings == 1)
        let row = comparison.rows.first { $0.metric == "fit.time_us" }
        #expect(row?.change == .info)
        #expect(row?.note == "no spread (single run): not judged")
        #expect(comparison.render(.table, all: false).contains("timings: 1 past the tolerance but not judged (single runs without spread); --all shows them"))
        #expect(comparison.render(.table, all: true).contains("info ×1.8 — no spread (single run): not judged"))
    }

    @Test func aForwardPassThatMovedLeavesUnitsUnflagged() throws {
        // seed-input run twice: the forward pass got faster (10 → 7 µs, separated), the
        // strategies did not; every units ratio grows by 1/0.7 but none is a regression.
        let faster = edited([
            "forward.median_us": "7.0", "forward.min_us": "6.8", "forward.q3_us": "7.2", "jacobian.per-sample.forward_units": "14.3",
        ])
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: faster, second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.regressions == 0)
        let units = comparison.rows.first { $0.metric == "jacobian.per-sample.forward_units" }
        #expect(units?.change == .same)
        #expect(units?.note == "µs unchanged by the rule; the forward pass moved ×0.7")
        #expect(comparison.rows.first { $0.metric == "jacobian.per-sample.median_us" }?.change == .info)
        // The yardstick's own move is stated, not counted.
        let forward = comparison.rows.first { $0.metric == "forward.median_us" }
        #expect(forward?.change == .changed)
        #expect(forward?.note == "the forward pass (units' yardstick) moved beyond noise")

        // The same forward pass but a strategy clearly slower in µs and in units: a regression.
        let slower = edited([
            "forward.median_us": "7.0", "forward.min_us": "6.8", "forward.q3_us": "7.2", "jacobian.per-sample.forward_units": "28.6",
            "jacobian.per-sample.median_us": "200.0", "jacobian.per-sample.min_us": "190.0", "jacobian.per-sample.q3_us": "210.0",
        ])
        let (c, d) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: slower, second: nil))
        let judged = try BundleComparison.load(c, d, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(judged.rows.first { $0.metric == "jacobian.per-sample.forward_units" }?.change == .regressed)
        #expect(judged.regressions == 1)
    }

    @Test func aWholeRunSlowerUnderLoadIsNoRegression() throws {
        // Measured here: one seed-input run under load had every time ×1.35–1.6, the forward
        // pass included, each separated from the other run's repeats. In units nothing moved.
        let loaded = edited([
            "forward.median_us": "13.7", "forward.min_us": "13.0", "forward.q3_us": "14.4",
            "jacobian.per-sample.forward_units": "10.2", "jacobian.per-sample.median_us": "140.0",
            "jacobian.per-sample.min_us": "133.0", "jacobian.per-sample.q3_us": "147.0",
            "jacobian.reverse-loop.median_us": "2700.0", "jacobian.reverse-loop.min_us": "2600.0", "jacobian.reverse-loop.q3_us": "2800.0",
        ])
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: loaded, second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        let units = comparison.rows.first { $0.metric == "jacobian.per-sample.forward_units" }
        #expect(units?.change == .same)
        #expect(units?.note == "µs moved with the forward pass (×1.37)")
        #expect(comparison.rows.first { $0.metric == "forward.median_us" }?.change == .changed)
        // Without units (reverse-loop here) the µs rule alone decides: that one is reported.
        #expect(comparison.rows.first { $0.metric == "jacobian.reverse-loop.median_us" }?.change == .regressed)
        #expect(comparison.regressions == 1)
    }

    @Test func aStillForwardPassWithNoisyUnitsIsSame() throws {
        // Forward pass 10 → 8 µs but overlapping (not moved by the rule); the strategy's µs
        // overlap too, so a units ratio of 1.3 is noise.
        let noisy = edited([
            "forward.median_us": "8.0", "forward.min_us": "7.0", "forward.q3_us": "11.0",
            "jacobian.per-sample.forward_units": "13.0", "jacobian.per-sample.median_us": "104.0",
            "jacobian.per-sample.min_us": "96.0", "jacobian.per-sample.q3_us": "110.0",
        ])
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: noisy, second: nil))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.rows.first { $0.metric == "jacobian.per-sample.forward_units" }?.change == .same)
        #expect(comparison.regressions == 0)
    }

    // MARK: gross changes and labels

    @Test func differentExperimentsAreAnError() throws {
        let (a, b) = try bundles(
            summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: baseline, second: nil, experiment: "other"))
        #expect(throws: BundleMismatch.self) { try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25) }
        do {
            _ = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        } catch let error as BundleMismatch {
            #expect(error.description == "\(a) is a run of experiment 'x' and \(b) of 'other': diff compares two runs of one experiment")
        }
    }

    @Test func disjointCaseSetsAreAnError() throws {
        let other = summary(run: "r2", first: baseline, second: nil)
            .replacingOccurrences(of: "\"model.layers\": [5, 9, 3]", with: "\"model.layers\": [5, 16, 3]")
        let (a, b) = try bundles(summary(run: "r1", first: baseline, second: baseline), other)
        do {
            _ = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
            Issue.record("disjoint case sets compared without an error")
        } catch let error as BundleMismatch {
            #expect(error.description.contains("have no case in common"))
            #expect(error.description.contains("A: model.layers=5x32x3; model.layers=5x9x3; B: model.layers=5x16x3"))
        }
    }

    @Test func casesAreLabelledBySweepValuesInManifestOrder() throws {
        let sweep = JSONValue.object(["model.layers": .array([.integer(5), .integer(9), .integer(3)]), "solver.kind": .string("lbfgs")])
        #expect(BundleComparison.label(sweep) == "model.layers=5x9x3, solver.kind=lbfgs")
        #expect(BundleComparison.label(sweep, keys: ["solver.kind", "model.layers"]) == "solver.kind=lbfgs, model.layers=5x9x3")
        #expect(BundleComparison.label(.object([:])) == "default")
        let solver = JSONValue.object(["solver": .object(["kind": .string("lbfgs"), "max-iterations": .integer(5000), "jacobian": .string("auto")])])
        #expect(BundleComparison.label(solver) == "solver=lbfgs(jacobian=auto, max-iterations=5000)")
        #expect(BundleComparison.label(.object(["model.start": .array([.string("1"), .string("x")])])) == "model.start=[1, x]")
        // load takes the key order from resolved.json.
        let two = { (run: String) in
            """
            {"schema": 1, "experiment": "x", "run": "\(run)", "complete": true, "metric_kinds": {"fit.final_cost": "deterministic"},
             "cases": [{"id": "c", "sweep": {"a.z": 1, "b.y": "q"}, "seed": 1, "status": "ok", "error": null,
                        "metrics": {"fit.final_cost": \(run == "r1" ? "1.0" : "2.0")}}]}
            """
        }
        let (a, b) = try bundles(two("r1"), two("r2"))
        try #"{"sweep_keys": ["b.y", "a.z"]}"#.write(toFile: a + "/resolved.json", atomically: true, encoding: .utf8)
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.rows.first { $0.metric == "fit.final_cost" }?.caseLabel == "b.y=q, a.z=1")
    }

    // MARK: environments

    func environment(host: String, threads: Int, commit: String) -> String {
        """
        {"cpu_model": "Test CPU 9000", "host": "\(host)", "threads": \(threads), "threads_source": "default",
         "blas_threads": \(threads), "blas_core": "SkylakeX", "commit": "\(commit)"}
        """
    }

    @Test func anotherMachineIsStatedAndItsTimingsAreNotRegressions() throws {
        let slower = edited([
            "jacobian.reverse-loop.median_us": "4000.0", "jacobian.reverse-loop.min_us": "3900.0", "jacobian.reverse-loop.q3_us": "4100.0",
        ])
        let (a, b) = try bundles(
            summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: slower, second: nil),
            environments: (environment(host: "box", threads: 1, commit: "aaaa"), environment(host: "node7", threads: 4, commit: "aaaa")))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(!comparison.timingsJudged)
        #expect(comparison.regressions == 0)
        #expect(comparison.rows.first { $0.metric == "jacobian.reverse-loop.median_us" }?.note == "other machine or threads: not judged")
        let text = comparison.render(.table, all: false)
        #expect(text.contains("environment differs: host box → node7; threads 1 → 4 — another machine or thread count: timings are stated, not judged"))
        let json = try JSONParser.parse(comparison.render(.json, all: false))
        #expect(json["environment_differences"]?.arrayValue?.count == 2)
        #expect(json["timings_judged"] == .bool(false))
        #expect(comparison.render(.markdown, all: false).contains("environment differs: host box → node7"))
    }

    @Test func aDifferentCommitIsStatedButTimingsAreStillJudged() throws {
        let slower = edited([
            "jacobian.reverse-loop.median_us": "4000.0", "jacobian.reverse-loop.min_us": "3900.0", "jacobian.reverse-loop.q3_us": "4100.0",
        ])
        let (a, b) = try bundles(
            summary(run: "r1", first: baseline, second: nil), summary(run: "r2", first: slower, second: nil),
            environments: (environment(host: "box", threads: 1, commit: "0123456789abcdef"), environment(host: "box", threads: 1, commit: "fedcba9876543210")))
        let comparison = try BundleComparison.load(a, b, tolerance: 1e-9, timingTolerance: 0.25)
        #expect(comparison.timingsJudged)
        #expect(comparison.regressions == 1)
        // Records written before build stamps have only the checkout's `commit`: compared as the build.
        #expect(comparison.render(.table, all: false).contains("environment differs: build_commit 0123456789ab → fedcba987654\n"))
    }

    @Test func theBuildCommitIsComparedWithItsDirtyFlag() {
        let built = "0123456789abcdef0123456789abcdef01234567", later = "fedcba9876543210fedcba9876543210fedcba98"
        let older = JSONValue.object(["commit": .string(built), "commit_dirty": .bool(false)])
        // The checkout moved on after the build: the binary that ran is the same.
        let stamped = JSONValue.object([
            "commit": .string(later), "commit_dirty": .bool(false), "build_commit": .string(built), "build_dirty": .bool(false),
        ])
        #expect(EnvironmentDifference.between(older, stamped).isEmpty)
        let dirty = JSONValue.object((stamped.objectValue ?? [:]).merging(["build_dirty": .bool(true)]) { _, new in new })
        let differences = EnvironmentDifference.between(stamped, dirty)
        #expect(differences == [EnvironmentDifference(field: "build_commit", a: built, b: built + " (dirty)")])
        #expect(differences.first?.phrase == "build_commit 0123456789ab → 0123456789ab (dirty)")
        // A build without a stamp is unknown, not the checkout's commit.
        let unstamped = JSONValue.object(["commit": .string(built), "build_commit": .null, "build_dirty": .null])
        #expect(EnvironmentDifference.between(stamped, unstamped) == [EnvironmentDifference(field: "build_commit", a: built, b: "?")])
        #expect(!(EnvironmentDifference.between(stamped, unstamped).first?.isMachine ?? true))
    }

    @Test func olderRecordsWithoutThreadsFallBackToBlasThreads() {
        let older = JSONValue.object(["blas_threads": .integer(2), "host": .string("box")])
        let newer = JSONValue.object(["threads": .integer(1), "blas_threads": .integer(1), "host": .string("box")])
        #expect(EnvironmentDifference.between(older, newer) == [EnvironmentDifference(field: "threads", a: "2", b: "1")])
        #expect(EnvironmentDifference.between(.null, .null).isEmpty)
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

/// `jacobench diff` exit codes from the built binary: a mismatch of bundles is invalid input.
@Suite(.serialized)
struct DiffCommandLineTests {
    func diff(_ a: String, _ b: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["diff", a, b]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func differentExperimentsExitWithInvalidInput() throws {
        let tests = DiffTests()
        let (a, b) = try tests.bundles(
            tests.summary(run: "r1", first: tests.baseline, second: nil),
            tests.summary(run: "r2", first: tests.baseline, second: nil, experiment: "nist"))
        let result = try diff(a, b)
        #expect(result.status == 2)
        #expect(result.stderr.contains("jacobench: error: \(a) is a run of experiment 'x' and \(b) of 'nist'"))
        let same = try diff(a, a)
        #expect(same.status == 0, "\(same.stderr)")
    }
}
