import Foundation
import JSONDocuments
import Testing
@testable import Pipeline

/// What a bundle records about `auto`: its choice, reason and mode for the evaluations
/// (`jacobian.auto.*`) and the solver (`fit.auto.*`), one decision per case shared by both,
/// the unit costs when it calibrated, and `--pin-from` replaying the solver's and the
/// evaluations' choices apart. Runs go through the runner API (no binary, no clock asserts).
@Suite struct AutoDecisionRecordTests {
    /// A small network fitted with `auto` and measured by both Jacobian evaluations.
    static func manifest(auto: String? = nil, withRespectTo: String = "parameters") -> String {
        """
        name: auto-record
        seed: 3
        data: {kind: teacher-mlp, layers: [2, 4, 2], samples: 16, noise: 0.01}
        model: {kind: mlp, layers: [2, 3, 2]}
        jacobian: {with-respect-to: \(withRespectTo), strategies: [per-sample, auto]\(auto.map { ", auto: \($0)" } ?? "")}
        solver: {kind: levenberg-marquardt, jacobian: auto, max-iterations: 5}
        evaluation: [{kind: jacobian-accuracy}, {kind: jacobian-timing, repeats: 2, warmup: 0, max-seconds: 0.01}, {kind: fit}]
        sweep:
          seed: [1, 2]
        """
    }

    /// Runs `plan` into a fresh results folder; the bundle's summary.json.
    func run(_ plan: ExperimentPlan) throws -> (bundle: String, summary: JSONValue) {
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        #expect(outcome.complete && outcome.failedCount == 0, "\(outcome.records.map(\.error))")
        return (outcome.bundlePath, try BundleFiles.readJSON(outcome.bundlePath + "/summary.json"))
    }

    func plan(_ text: String) throws -> ExperimentPlan {
        try ExperimentPlan.load(path: try writeManifest(text), registry: .standard)
    }

    /// case id → metrics.
    func cases(_ summary: JSONValue) -> [String: [String: JSONValue]] {
        var result: [String: [String: JSONValue]] = [:]
        for entry in summary["cases"]?.arrayValue ?? [] {
            if let id = entry["id"]?.stringValue { result[id] = entry["metrics"]?.objectValue ?? [:] }
        }
        return result
    }

    @Test func theCostModelsDecisionIsRecordedAsDeterministic() throws {
        let summary = try run(try plan(Self.manifest())).summary
        let kinds = summary["metric_kinds"]?.objectValue ?? [:]
        let recorded = cases(summary)
        #expect(recorded.count == 2)
        for (id, metrics) in recorded {
            for prefix in ["jacobian.auto.", "fit.auto."] {
                #expect(metrics[prefix + "choice"] == .string("per-sample"), "\(id) \(prefix)")
                #expect(metrics[prefix + "mode"] == .string("cost-model"), "\(id) \(prefix)")
                #expect(metrics[prefix + "reason"]?.stringValue?.hasPrefix("cost model: ") == true, "\(id) \(prefix)")
            }
            #expect(!metrics.keys.contains { $0.contains(".calibration.") }, "\(id): nothing was timed to decide")
        }
        for (id, metrics) in recorded {
            // auto is predicted as its choice plus its own per-call overhead.
            let auto = try #require(metrics["jacobian.auto.predicted_units"]?.numberValue)
            let perSample = try #require(metrics["jacobian.per-sample.predicted_units"]?.numberValue)
            #expect(auto > perSample, "\(id): auto costs its choice and its overhead")
            #expect(auto < 2 * perSample, "\(id): auto predicted as its choice, not as another strategy")
        }
        for name in ["jacobian.auto.choice", "jacobian.auto.reason", "jacobian.auto.mode", "jacobian.auto.predicted_units",
                     "fit.auto.choice", "fit.auto.reason", "fit.auto.mode"] {
            #expect(kinds[name] == .string("deterministic"), "\(name)")
        }
    }

    /// `{calibrate: true}`: the case's one `auto` times the residual map once (in the fit), and
    /// the evaluations reuse that decision — the unit costs they report are the fit's, bit for
    /// bit — all timing-kind except the mode.
    @Test func aCalibratedDecisionRecordsItsUnitCostsOncePerCase() throws {
        let summary = try run(try plan(Self.manifest(auto: "{calibrate: true}"))).summary
        let kinds = summary["metric_kinds"]?.objectValue ?? [:]
        let recorded = cases(summary)
        #expect(recorded.count == 2)
        let units = ["evaluation_us", "pushforward_fixed_us", "pushforward_per_lane_us", "pullback_fixed_us", "pullback_per_lane_us", "per_sample_us"]
        for (id, metrics) in recorded {
            #expect(metrics["jacobian.auto.mode"] == .string("calibrated"), "\(id)")
            #expect(metrics["fit.auto.mode"] == .string("calibrated"), "\(id)")
            #expect(metrics["jacobian.auto.choice"] != nil && metrics["jacobian.auto.choice"] == metrics["fit.auto.choice"], "\(id)")
            for unit in units {
                let fit = metrics["fit.auto.calibration." + unit], evaluations = metrics["jacobian.auto.calibration." + unit]
                #expect(fit?.numberValue != nil, "\(id): fit.auto.calibration.\(unit)")
                #expect(fit == evaluations, "\(id): \(unit) measured once per case")
            }
        }
        for unit in units {
            #expect(kinds["jacobian.auto.calibration." + unit] == .string("timing"), "\(unit)")
            #expect(kinds["fit.auto.calibration." + unit] == .string("timing"), "\(unit)")
        }
        for name in ["jacobian.auto.choice", "jacobian.auto.reason", "jacobian.auto.predicted_units", "fit.auto.choice", "fit.auto.reason"] {
            #expect(kinds[name] == .string("timing"), "\(name): a timed choice is not reproducible")
        }
        #expect(kinds["jacobian.auto.mode"] == .string("deterministic"))
    }

    /// Writes a bundle-like folder whose summary.json records `choices` (case id → metrics).
    func fakeBundle(_ choices: [String: [String: String]]) throws -> String {
        let folder = try temporaryDirectory()
        let cases = choices.keys.sorted().map { id in
            JSONValue.object(["id": .string(id), "status": .string("ok"), "metrics": .object(choices[id, default: [:]].mapValues(JSONValue.string))])
        }
        try JSONValue.object(["cases": .array(cases)]).text().write(toFile: folder + "/summary.json", atomically: true, encoding: .utf8)
        return folder
    }

    /// With `with-respect-to: inputs` the evaluations and the fit differentiate different maps,
    /// so a bundle may record two choices: `--pin-from` pins each to its own.
    @Test func pinFromPinsTheSolverAndTheEvaluationsToTheirOwnChoices() throws {
        var plan = try plan(Self.manifest(withRespectTo: "inputs"))
        let ids = plan.cases.map(\.id)
        #expect(ids.count == 2)
        let bundle = try fakeBundle([
            ids[0]: ["jacobian.auto.choice": "forward-vectorized", "fit.auto.choice": "reverse-vectorized"],
            ids[1]: ["jacobian.auto.choice": "forward-loop", "fit.jacobian_strategy": "auto → forward-loop"],
        ])
        #expect(try plan.pinAuto(from: bundle).isEmpty)
        #expect(plan.cases[0].jacobian.auto == "forward-vectorized" && plan.cases[0].jacobian.solverAuto == "reverse-vectorized")
        #expect(plan.cases[1].jacobian.auto == "forward-loop" && plan.cases[1].jacobian.solverAuto == nil)
        let recorded = cases(try run(plan).summary)
        #expect(recorded[ids[0]]?["jacobian.auto.choice"] == .string("forward-vectorized"))
        #expect(recorded[ids[0]]?["fit.auto.choice"] == .string("reverse-vectorized"))
        #expect(recorded[ids[0]]?["fit.jacobian_strategy"] == .string("auto → reverse-vectorized"))
        #expect(recorded[ids[1]]?["fit.auto.choice"] == .string("forward-loop"))
        for id in ids {
            #expect(recorded[id]?["jacobian.auto.mode"] == .string("pinned-from-bundle"), "\(id)")
            #expect(recorded[id]?["fit.auto.mode"] == .string("pinned-from-bundle"), "\(id)")
        }
    }

    /// Cases the bundle lacks, or for which it recorded no choice (a failed case), decide as
    /// usual and are named; a bundle that records no choice at all, or a name that is no
    /// strategy, is an error naming the bundle.
    @Test func pinFromNamesCasesLeftToDecideAndRefusesUselessBundles() throws {
        var plan = try plan(Self.manifest())
        let ids = plan.cases.map(\.id)
        let partial = try fakeBundle([ids[0]: [:], "seed=9": ["jacobian.auto.choice": "per-sample"]])
        let notes = try plan.pinAuto(from: partial)
        #expect(notes == [
            "case \(ids[0]) recorded no auto choice in \(partial): auto decides as usual",
            "case \(ids[1]) is not in \(partial): auto decides as usual",
        ])
        #expect(plan.cases.allSatisfy { $0.jacobian.auto == nil && $0.jacobian.autoMode == "cost-model" })

        let empty = try fakeBundle([ids[0]: [:]])
        #expect {
            try plan.pinAuto(from: empty)
        } throws: { error in
            "\(error)".contains(empty) && "\(error)".contains("records no auto choice")
        }
        let wrong = try fakeBundle([ids[0]: ["jacobian.auto.choice": "per-sampel"]])
        #expect {
            try plan.pinAuto(from: wrong)
        } throws: { error in
            "\(error)".contains(wrong) && "\(error)".contains("'per-sampel', not a Jacobian strategy")
        }
    }
}
