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
    /// Whether the forward pass itself changed by the rule.
    let forwardMoved: Bool

    init(a: [String: JSONValue], b: [String: JSONValue], tolerance: Double, judged: Bool) {
        self.a = a
        self.b = b
        self.tolerance = tolerance
        self.judged = judged
        if let forwardA = RecordedTiming.read(Self.forwardPrefix, in: a), let forwardB = RecordedTiming.read(Self.forwardPrefix, in: b) {
            forwardRatio = TimingNoiseRule.ratio(forwardA.median, forwardB.median)
            let verdict = TimingNoiseRule.judge(forwardA, forwardB, tolerance: tolerance)
            forwardMoved = verdict == .slower || verdict == .faster
        } else {
            forwardRatio = nil
            forwardMoved = false
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
            return Outcome(measure: ratio, change: .info, note: "other machine: not judged", unjudged: true)
        }
        let movedNote = forwardRatio.map { "forward pass moved ×" + String(format: "%.3g", $0) + ": compared in µs" }
        if let prefix = Self.prefix(of: name, among: [".median_us"]) {
            let hasUnits = prefix != Self.forwardPrefix && a[prefix + ".forward_units"] != nil && b[prefix + ".forward_units"] != nil
            if hasUnits && !forwardMoved { return Outcome(measure: ratio, change: .info, note: "compared in forward-pass units") }
            return judged(ratio: ratio, prefix: prefix, note: hasUnits ? movedNote : nil)
        }
        if let prefix = Self.prefix(of: name, among: [".forward_units"]) {
            if forwardMoved { return Outcome(measure: ratio, change: .info, note: movedNote) }
            return judged(ratio: ratio, prefix: prefix, note: nil)
        }
        return verdict(ratio: ratio, TimingNoiseRule.judge(ratio: ratio, .single(valueA), .single(valueB), tolerance: tolerance), note: nil)
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
