import Foundation
import JSONDocuments

/// One line of a bundle comparison: a metric (or a whole case, or its status) in A and B.
public struct ComparisonRow: Sendable, Equatable {
    /// What happened between A and B.
    public enum Change: String, Sendable {
        /// Equal within tolerance.
        case same
        /// Different, but neither better nor worse (text of a timing metric).
        case changed
        /// Worse beyond tolerance (or any change of a deterministic value without a known direction).
        case regressed
        /// Better beyond tolerance.
        case improved
        /// Only in B.
        case added
        /// Only in A.
        case removed
        /// Shown for context with `--all`: the statistics the noise rule reads, a timing
        /// compared in another quantity, or one past tolerance but not judged (see its note).
        case info
    }

    /// The case's sweep values, readable: `model.layers=5x9x3, solver.kind=lbfgs`
    /// (`default` without a sweep).
    public var caseLabel: String
    /// The metric name; `(case)` for a case only in A or B, `(status)` for its status.
    public var metric: String
    /// `deterministic` or `timing` (empty for case rows).
    public var kind: String
    /// The value in A.
    public var a: JSONValue?
    /// The value in B.
    public var b: JSONValue?
    /// Relative change (deterministic) or ratio B/A (timing), when numeric.
    public var measure: Double?
    /// The verdict.
    public var change: Change
    /// Why a timing row was not judged, or in which quantity it was (nil: nothing to add).
    public var note: String? = nil
}

/// Compares two bundles' summary.json case by case (cases matched by their sweep values).
///
/// Two bundles of different experiments (summary.json's `experiment`, the manifest's
/// `name`), or without a case in common, are a ``BundleMismatch``. Cases only in one bundle
/// are rows (`added` / `removed`) and counted in ``casesOnlyInA`` / ``casesOnlyInB``.
///
/// - Deterministic numbers: relative difference |b − a| / max(|a|, |b|) against `tolerance`;
///   direction from the name (errors, costs, RMSE, counts: lower is better; `nist.lre`:
///   higher is better); a change without a known direction is a regression. Text: any
///   change is a regression.
/// - Timings follow ``TimingNoiseRule`` (ratio past 1 + `timingTolerance` and the slower
///   run's minimum above the faster run's third quartile), per timed operation `P` (a
///   `P.median_us` with `P.min_us`, `P.q3_us`, `P.repeats`):
///   - a strategy with `P.forward_units` in both bundles is reported on that row, and only
///     when it changed both ways: in µs by the rule (ratio of medians and separation) and in
///     units (units ratio past the tolerance in the same direction). A forward pass that
///     moved alone (one run's forward pass faster) moves every units ratio but no strategy's
///     µs; a whole run slowed by load moves every µs but no units ratio: neither is a change.
///     Its `P.median_us` row is `info`;
///   - the forward pass (`forward.median_us`), the yardstick of units, is `changed` when it
///     moved by the rule: stated, not a regression (machine speed during a run looks the same);
///   - any other `P.median_us` (no units) is judged by the rule in µs;
///   - `P.min_us`, `.q1_us`, `.q3_us`, `.repeats`, `.spread` are `info` (the rule reads them);
///   - a timing without spread (a single run, repeats 1: `fit.*_us`, peers' figures) past
///     the tolerance is `info` with the note that it was not judged;
///   - when the two bundles ran on different machines, kernels or thread counts
///     (``EnvironmentDifference/isMachine``) no timing is judged: the difference is stated
///     and timing rows past the tolerance are `info`.
public struct BundleComparison: Sendable {
    /// Path of A.
    public var pathA: String
    /// Path of B.
    public var pathB: String
    /// Run id of A.
    public var runA: String
    /// Run id of B.
    public var runB: String
    /// Every row, sorted by case then metric.
    public var rows: [ComparisonRow]
    /// Environment fields that differ (empty when equal or not recorded).
    public var environmentDifferences: [EnvironmentDifference] = []
    /// Cases in both bundles.
    public var casesCompared = 0
    /// Cases only in A.
    public var casesOnlyInA = 0
    /// Cases only in B.
    public var casesOnlyInB = 0
    /// Timing rows past the tolerance that were not judged (no spread, or another machine).
    public var unjudgedTimings = 0

    /// Rows that are regressions.
    public var regressions: Int { rows.filter { $0.change == .regressed }.count }

    /// Whether timings were judged: both bundles ran on the same machine, kernels and threads.
    public var timingsJudged: Bool { !environmentDifferences.contains(where: \.isMachine) }

    /// Reads `summary.json`, and `environment.json` and `resolved.json` where present, of
    /// both bundles and compares them.
    ///
    /// - Throws: ``BundleError`` for an unreadable summary, ``BundleMismatch`` for bundles
    ///   of different experiments or without a case in common.
    public static func load(_ pathA: String, _ pathB: String, tolerance: Double, timingTolerance: Double) throws -> BundleComparison {
        let a = try CheckedBundleFiles.summary(pathA)
        let b = try CheckedBundleFiles.summary(pathB)
        func optional(_ path: String) -> JSONValue {
            FileManager.default.fileExists(atPath: path) ? (try? BundleFiles.readJSON(path)) ?? .null : .null
        }
        let resolvedA = optional(pathA + "/resolved.json"), resolvedB = optional(pathB + "/resolved.json")
        let sweepKeys = (resolvedA["sweep_keys"]?.arrayValue ?? resolvedB["sweep_keys"]?.arrayValue ?? []).compactMap(\.stringValue)
        var comparison = try compare(
            a, b, tolerance: tolerance, timingTolerance: timingTolerance,
            environmentA: optional(pathA + "/environment.json"), environmentB: optional(pathB + "/environment.json"),
            sweepKeys: sweepKeys, names: (pathA, pathB))
        comparison.pathA = pathA
        comparison.pathB = pathB
        return comparison
    }

    /// Compares two parsed summaries (with their environment records, `.null` when unknown).
    ///
    /// - Parameters:
    ///   - sweepKeys: the order of sweep keys in labels (others follow, sorted).
    ///   - names: how errors name A and B.
    /// - Throws: ``BundleMismatch`` for different experiments or no case in common.
    public static func compare(
        _ a: JSONValue, _ b: JSONValue, tolerance: Double, timingTolerance: Double,
        environmentA: JSONValue = .null, environmentB: JSONValue = .null, sweepKeys: [String] = [],
        names: (a: String, b: String) = ("A", "B")
    ) throws -> BundleComparison {
        if let experimentA = a["experiment"]?.stringValue, let experimentB = b["experiment"]?.stringValue, experimentA != experimentB {
            throw BundleMismatch(
                "\(names.a) is a run of experiment '\(experimentA)' and \(names.b) of '\(experimentB)': diff compares two runs of one experiment")
        }
        let casesA = cases(of: a), casesB = cases(of: b)
        let common = Set(casesA.keys).intersection(casesB.keys)
        guard !common.isEmpty else {
            func listed(_ cases: [String: JSONValue]) -> String {
                let labels = cases.values.map { label($0["sweep"] ?? .object([:]), keys: sweepKeys) }.sorted()
                return labels.isEmpty ? "none" : labels.prefix(3).joined(separator: "; ") + (labels.count > 3 ? "; … (\(labels.count))" : "")
            }
            throw BundleMismatch(
                "\(names.a) and \(names.b) have no case in common (cases are matched by their sweep values); A: \(listed(casesA)); B: \(listed(casesB))")
        }
        let kinds = (a["metric_kinds"]?.objectValue ?? [:]).merging(b["metric_kinds"]?.objectValue ?? [:]) { first, _ in first }
        var comparison = BundleComparison(pathA: "", pathB: "", runA: a["run"]?.stringValue ?? "", runB: b["run"]?.stringValue ?? "", rows: [])
        comparison.environmentDifferences = EnvironmentDifference.between(environmentA, environmentB)
        comparison.casesCompared = common.count
        comparison.casesOnlyInA = casesA.count - common.count
        comparison.casesOnlyInB = casesB.count - common.count
        let labelled = Set(casesA.keys).union(casesB.keys).map { key in
            (key: key, label: label((casesA[key] ?? casesB[key])?["sweep"] ?? .object([:]), keys: sweepKeys))
        }.sorted { ($0.label, $0.key) < ($1.label, $1.key) }
        for (key, caseLabel) in labelled {
            guard let caseA = casesA[key] else {
                comparison.rows.append(ComparisonRow(caseLabel: caseLabel, metric: "(case)", kind: "", a: nil, b: casesB[key]?["id"], measure: nil, change: .added))
                continue
            }
            guard let caseB = casesB[key] else {
                comparison.rows.append(ComparisonRow(caseLabel: caseLabel, metric: "(case)", kind: "", a: caseA["id"], b: nil, measure: nil, change: .removed))
                continue
            }
            let statusA = caseA["status"] ?? .null, statusB = caseB["status"] ?? .null
            var statusChange: ComparisonRow.Change = .same
            if statusA != statusB {
                statusChange = statusB == .string("ok") ? .improved : statusA == .string("ok") ? .regressed : .changed
            }
            comparison.rows.append(ComparisonRow(caseLabel: caseLabel, metric: "(status)", kind: "", a: statusA, b: statusB, measure: nil, change: statusChange))
            let metricsA = caseA["metrics"]?.objectValue ?? [:], metricsB = caseB["metrics"]?.objectValue ?? [:]
            let timings = CaseTimings(
                a: metricsA, b: metricsB, tolerance: timingTolerance, judged: comparison.timingsJudged)
            for name in Set(metricsA.keys).union(metricsB.keys).sorted() {
                let kind = kinds[name]?.stringValue ?? "deterministic"
                guard let valueA = metricsA[name], let valueB = metricsB[name] else {
                    comparison.rows.append(ComparisonRow(
                        caseLabel: caseLabel, metric: name, kind: kind, a: metricsA[name], b: metricsB[name], measure: nil,
                        change: metricsA[name] == nil ? .added : .removed))
                    continue
                }
                var row = ComparisonRow(caseLabel: caseLabel, metric: name, kind: kind, a: valueA, b: valueB, measure: nil, change: .same)
                if kind == "timing" {
                    let outcome = timings.compare(name, valueA, valueB)
                    (row.measure, row.change, row.note) = (outcome.measure, outcome.change, outcome.note)
                    if outcome.unjudged { comparison.unjudgedTimings += 1 }
                } else {
                    (row.measure, row.change) = compareDeterministic(name, valueA, valueB, tolerance: tolerance)
                }
                comparison.rows.append(row)
            }
        }
        return comparison
    }

    /// Cases by the compact JSON of their sweep values.
    static func cases(of summary: JSONValue) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for item in summary["cases"]?.arrayValue ?? [] {
            result[(item["sweep"] ?? .object([:])).canonicalText] = item
        }
        return result
    }

    /// `model.layers=5x9x3, solver.kind=lbfgs`: sweep values in `keys` order (then any other
    /// key, sorted) in ``readable(_:)`` form; `default` without a sweep.
    public static func label(_ sweep: JSONValue, keys: [String] = []) -> String {
        let members = sweep.objectValue ?? [:]
        guard !members.isEmpty else { return "default" }
        let ordered = keys.filter { members[$0] != nil } + members.keys.filter { !keys.contains($0) }.sorted()
        return ordered.map { "\($0)=\(readable(members[$0] ?? .null))" }.joined(separator: ", ")
    }

    /// A sweep value for a person: scalars as text, a list of numbers joined by `x` (`5x9x3`),
    /// other lists in brackets, a mapping as `kind(key=value, …)` (`lbfgs(max-iterations=5000)`).
    static func readable(_ value: JSONValue) -> String {
        switch value {
        case .array(let items):
            if items.allSatisfy({ $0.numberValue != nil }) { return items.map(readable).joined(separator: "x") }
            return "[" + items.map(readable).joined(separator: ", ") + "]"
        case .object(let members):
            let rest = members.keys.sorted().filter { $0 != "kind" }.map { "\($0)=\(readable(members[$0] ?? .null))" }
            return (members["kind"].map(readable) ?? "") + "(" + rest.joined(separator: ", ") + ")"
        default:
            return CaseIdentifier.compact(value)
        }
    }

    static func compareDeterministic(_ name: String, _ a: JSONValue, _ b: JSONValue, tolerance: Double) -> (Double?, ComparisonRow.Change) {
        guard let x = a.numberValue, let y = b.numberValue else { return (nil, a == b ? .same : .regressed) }
        if (x.isNaN && y.isNaN) || x == y { return (0, .same) }
        let scale = max(abs(x), abs(y))
        let relative = scale.isFinite ? abs(y - x) / scale : .infinity
        if x.isNaN || y.isNaN { return (.nan, .regressed) }
        guard relative > tolerance else { return (relative, .same) }
        switch direction(of: name) {
        case .lowerIsBetter: return (relative, y < x ? .improved : .regressed)
        case .higherIsBetter: return (relative, y > x ? .improved : .regressed)
        case .unknown: return (relative, .regressed)
        }
    }

    enum Direction { case lowerIsBetter, higherIsBetter, unknown }

    /// Which way is better for a deterministic metric, from its name.
    static func direction(of name: String) -> Direction {
        if name.hasPrefix("nist.lre") { return .higherIsBetter }
        let last = name.split(separator: ".").last.map(String.init) ?? name
        let lower: Set = [
            "rel_error", "final_cost", "test_rmse", "train_rmse", "iterations", "residual_evaluations",
            "jacobian_evaluations", "forward_evaluations", "pushforwards", "pullbacks", "tangent_lanes",
            "cotangent_lanes", "workspace_bytes",
        ]
        return lower.contains(last) ? .lowerIsBetter : .unknown
    }
}
