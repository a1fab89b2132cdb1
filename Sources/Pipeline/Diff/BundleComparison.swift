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
        /// Shown for context with `--all` (µs times superseded by forward-pass units, spreads).
        case info
    }

    /// The case's sweep values as compact JSON (`{"model.layers":[5,9,3]}`), `{}` without a sweep.
    public var caseKey: String
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
}

/// Compares two bundles' summary.json case by case (cases matched by their sweep values).
///
/// - Deterministic numbers: relative difference |b − a| / max(|a|, |b|) against `tolerance`;
///   direction from the name (errors, costs, RMSE, counts: lower is better; `nist.lre`:
///   higher is better); a change without a known direction is a regression. Text: any
///   change is a regression.
/// - Timing numbers: ratio b / a; above 1 + `timingTolerance` is a regression, below
///   1 / (1 + `timingTolerance`) an improvement. Forward-pass units are preferred: a
///   `.median_us` / `.min_us` metric whose `.forward_units` sibling exists in both bundles is
///   only `info`, as are spreads.
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

    /// Rows that are regressions.
    public var regressions: Int { rows.filter { $0.change == .regressed }.count }

    /// Reads `A/summary.json` and `B/summary.json` and compares them.
    public static func load(_ pathA: String, _ pathB: String, tolerance: Double, timingTolerance: Double) throws -> BundleComparison {
        let a = try BundleFiles.readJSON(pathA + "/summary.json")
        let b = try BundleFiles.readJSON(pathB + "/summary.json")
        var comparison = compare(a, b, tolerance: tolerance, timingTolerance: timingTolerance)
        comparison.pathA = pathA
        comparison.pathB = pathB
        return comparison
    }

    /// Compares two parsed summaries.
    public static func compare(_ a: JSONValue, _ b: JSONValue, tolerance: Double, timingTolerance: Double) -> BundleComparison {
        let casesA = cases(of: a), casesB = cases(of: b)
        let kinds = (a["metric_kinds"]?.objectValue ?? [:]).merging(b["metric_kinds"]?.objectValue ?? [:]) { first, _ in first }
        var rows: [ComparisonRow] = []
        for key in Set(casesA.keys).union(casesB.keys).sorted() {
            guard let caseA = casesA[key] else {
                rows.append(ComparisonRow(caseKey: key, metric: "(case)", kind: "", a: nil, b: casesB[key]?["id"], measure: nil, change: .added))
                continue
            }
            guard let caseB = casesB[key] else {
                rows.append(ComparisonRow(caseKey: key, metric: "(case)", kind: "", a: caseA["id"], b: nil, measure: nil, change: .removed))
                continue
            }
            let statusA = caseA["status"] ?? .null, statusB = caseB["status"] ?? .null
            var statusChange: ComparisonRow.Change = .same
            if statusA != statusB {
                statusChange = statusB == .string("ok") ? .improved : statusA == .string("ok") ? .regressed : .changed
            }
            rows.append(ComparisonRow(caseKey: key, metric: "(status)", kind: "", a: statusA, b: statusB, measure: nil, change: statusChange))
            let metricsA = caseA["metrics"]?.objectValue ?? [:], metricsB = caseB["metrics"]?.objectValue ?? [:]
            for name in Set(metricsA.keys).union(metricsB.keys).sorted() {
                let kind = kinds[name]?.stringValue ?? "deterministic"
                guard let valueA = metricsA[name], let valueB = metricsB[name] else {
                    rows.append(ComparisonRow(
                        caseKey: key, metric: name, kind: kind, a: metricsA[name], b: metricsB[name], measure: nil,
                        change: metricsA[name] == nil ? .added : .removed))
                    continue
                }
                let (measure, change) = kind == "timing"
                    ? compareTiming(name, valueA, valueB, tolerance: timingTolerance, preferUnits: hasUnits(name, metricsA, metricsB))
                    : compareDeterministic(name, valueA, valueB, tolerance: tolerance)
                rows.append(ComparisonRow(caseKey: key, metric: name, kind: kind, a: valueA, b: valueB, measure: measure, change: change))
            }
        }
        return BundleComparison(pathA: "", pathB: "", runA: a["run"]?.stringValue ?? "", runB: b["run"]?.stringValue ?? "", rows: rows)
    }

    /// Cases by the compact JSON of their sweep values.
    static func cases(of summary: JSONValue) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for item in summary["cases"]?.arrayValue ?? [] {
            result[(item["sweep"] ?? .object([:])).canonicalText] = item
        }
        return result
    }

    /// Whether a µs metric has a forward-units sibling in both bundles.
    static func hasUnits(_ name: String, _ a: [String: JSONValue], _ b: [String: JSONValue]) -> Bool {
        for suffix in [".median_us", ".min_us"] where name.hasSuffix(suffix) {
            let sibling = String(name.dropLast(suffix.count)) + ".forward_units"
            return a[sibling] != nil && b[sibling] != nil
        }
        return false
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

    static func compareTiming(_ name: String, _ a: JSONValue, _ b: JSONValue, tolerance: Double, preferUnits: Bool) -> (Double?, ComparisonRow.Change) {
        guard let x = a.numberValue, let y = b.numberValue else { return (nil, a == b ? .same : .changed) }
        let ratio = x == 0 ? (y == 0 ? 1 : .infinity) : y / x
        if preferUnits || name.hasSuffix(".spread") { return (ratio, .info) }
        if ratio > 1 + tolerance { return (ratio, .regressed) }
        if ratio < 1 / (1 + tolerance) { return (ratio, .improved) }
        return (ratio, .same)
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
