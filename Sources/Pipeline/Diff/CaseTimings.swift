import Foundation
import JSONDocuments

/// The timing metrics of one case in A and B, judged by ``TimingNoiseRule`` as
/// ``BundleComparison`` documents.
struct CaseTimings {
    /// The verdict on one timing metric.
    struct Outcome {
        var measure: Double?
        var change: ComparisonRow.Change
        var note: String?
        /// Past the tolerance by its ratio but not judged (no spread, or another machine).
        var unjudged = false
    }

    /// Suffixes of the statistics that come with a `P.median_us` (read by the rule, shown as info).
    static let statisticSuffixes = [".min_us", ".q1_us", ".q3_us", ".repeats", ".spread"]
    /// The prefix of the forward pass's statistics.
    static let forwardPrefix = "forward"

    let a: [String: JSONValue]
    let b: [String: JSONValue]
    let tolerance: Double
    /// False when the bundles ran on different machines, kernels or thread counts.
    let judged: Bool
    /// The forward pass's ratio of medians B/A, when both recorded it.
    let forwardRatio: Double?

    init(a: [String: JSONValue], b: [String: JSONValue], tolerance: Double, judged: Bool) {
        self.a = a
        self.b = b
        self.tolerance = tolerance
        self.judged = judged
        forwardRatio = RecordedTiming.read(Self.forwardPrefix, in: a).flatMap { forwardA in
            RecordedTiming.read(Self.forwardPrefix, in: b).map { TimingNoiseRule.ratio(forwardA.median, $0.median) }
        }
    }

    /// The verdict on metric `name` with values `x` in A and `y` in B.
    func compare(_ name: String, _ x: JSONValue, _ y: JSONValue) -> Outcome {
        guard let valueA = x.numberValue, let valueB = y.numberValue else {
            return Outcome(measure: nil, change: x == y ? .same : .changed)
        }
        let ratio = TimingNoiseRule.ratio(valueA, valueB)
        if let prefix = Self.prefix(of: name, among: Self.statisticSuffixes), a[prefix + ".median_us"] != nil {
            return Outcome(measure: ratio, change: .info)
        }
        if !judged {
            guard TimingNoiseRule.judge(ratio: ratio, .single(valueA), .single(valueB), tolerance: tolerance) != .same else {
                return Outcome(measure: ratio, change: .same)
            }
            return Outcome(measure: ratio, change: .info, note: "other machine or threads: not judged", unjudged: true)
        }
        if let prefix = Self.prefix(of: name, among: [".median_us"]) {
            if prefix == Self.forwardPrefix { return forwardPass(ratio: ratio) }
            if hasUnits(prefix) { return Outcome(measure: ratio, change: .info, note: "judged with forward_units") }
            return judged(ratio: ratio, prefix: prefix, note: nil)
        }
        if let prefix = Self.prefix(of: name, among: [".forward_units"]), a[prefix + ".median_us"] != nil {
            return units(ratio: ratio, prefix: prefix)
        }
        return verdict(ratio: ratio, TimingNoiseRule.judge(ratio: ratio, .single(valueA), .single(valueB), tolerance: tolerance), note: nil)
    }

    /// Whether both bundles give `prefix` in forward-pass units.
    func hasUnits(_ prefix: String) -> Bool {
        a[prefix + ".forward_units"] != nil && b[prefix + ".forward_units"] != nil
    }

    /// The forward pass is the yardstick of units: a move beyond noise is `changed` (machine
    /// speed during the run, or the forward pass itself), stated, never a regression.
    private func forwardPass(ratio: Double) -> Outcome {
        let outcome = judged(ratio: ratio, prefix: Self.forwardPrefix, note: nil)
        guard outcome.change == .regressed || outcome.change == .improved else { return outcome }
        return Outcome(measure: ratio, change: .changed, note: "the forward pass (units' yardstick) moved beyond noise")
    }

    /// A strategy in units: changed only when its µs changed by the rule and its units ratio
    /// passes the tolerance the same way.
    private func units(ratio unitsRatio: Double, prefix: String) -> Outcome {
        guard let timingA = RecordedTiming.read(prefix, in: a), let timingB = RecordedTiming.read(prefix, in: b) else {
            return verdict(ratio: unitsRatio, .unjudged, note: nil)
        }
        let inMicroseconds = TimingNoiseRule.judge(timingA, timingB, tolerance: tolerance)
        let forward = forwardRatio.map { "×" + String(format: "%.3g", $0) } ?? "?"
        let slowerUnits = unitsRatio > 1 + tolerance, fasterUnits = unitsRatio < 1 / (1 + tolerance)
        switch inMicroseconds {
        case .unjudged:
            return verdict(ratio: unitsRatio, .unjudged, note: nil)
        case .slower where slowerUnits, .faster where fasterUnits:
            return verdict(ratio: unitsRatio, inMicroseconds, note: nil)
        case .slower, .faster:
            return Outcome(measure: unitsRatio, change: .same, note: "µs moved with the forward pass (\(forward))")
        case .same:
            guard slowerUnits || fasterUnits else { return Outcome(measure: unitsRatio, change: .same) }
            return Outcome(measure: unitsRatio, change: .same, note: "µs unchanged by the rule; the forward pass moved \(forward)")
        }
    }

    /// `ratio` judged with the µs statistics of `prefix` (a single run when not recorded).
    private func judged(ratio: Double, prefix: String, note: String?) -> Outcome {
        let timingA = RecordedTiming.read(prefix, in: a) ?? .single(.nan)
        let timingB = RecordedTiming.read(prefix, in: b) ?? .single(.nan)
        return verdict(ratio: ratio, TimingNoiseRule.judge(ratio: ratio, timingA, timingB, tolerance: tolerance), note: note)
    }

    private func verdict(ratio: Double, _ verdict: TimingNoiseRule.Verdict, note: String?) -> Outcome {
        switch verdict {
        case .same: return Outcome(measure: ratio, change: .same, note: note)
        case .slower: return Outcome(measure: ratio, change: .regressed, note: note)
        case .faster: return Outcome(measure: ratio, change: .improved, note: note)
        case .unjudged: return Outcome(measure: ratio, change: .info, note: "no spread (single run): not judged", unjudged: true)
        }
    }

    /// `P` when `name` is `P` followed by one of `suffixes`.
    static func prefix(of name: String, among suffixes: [String]) -> String? {
        for suffix in suffixes where name.hasSuffix(suffix) && name.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        return nil
    }
}

extension RecordedTiming {
    /// One run of `value`: no spread.
    static func single(_ value: Double) -> RecordedTiming {
        RecordedTiming(median: value, minimum: value, thirdQuartile: value, repeats: 1)
    }
}
