import JSONDocuments

/// One timed operation's statistics as a bundle records them (`<prefix>.median_us`,
/// `.min_us`, `.q1_us`, `.q3_us`, `.repeats`), µs.
public struct RecordedTiming: Sendable, Equatable {
    /// Median.
    public var median: Double
    /// Fastest repeat (nil: not recorded).
    public var minimum: Double?
    /// Third quartile (nil: not recorded, as in bundles before quartiles, or peers' figures).
    public var thirdQuartile: Double?
    /// Number of repeats (nil: not recorded).
    public var repeats: Int?

    /// Creates a record.
    public init(median: Double, minimum: Double?, thirdQuartile: Double?, repeats: Int?) {
        self.median = median
        self.minimum = minimum
        self.thirdQuartile = thirdQuartile
        self.repeats = repeats
    }

    /// The statistics of `prefix` in a case's metrics, when `<prefix>.median_us` is a number.
    static func read(_ prefix: String, in metrics: [String: JSONValue]) -> RecordedTiming? {
        guard let median = metrics[prefix + ".median_us"]?.numberValue else { return nil }
        return RecordedTiming(
            median: median, minimum: metrics[prefix + ".min_us"]?.numberValue,
            thirdQuartile: metrics[prefix + ".q3_us"]?.numberValue, repeats: metrics[prefix + ".repeats"]?.integerValue)
    }

    /// Whether the record carries a spread the rule can use: min and third quartile, and
    /// more than one repeat (a single run is its own min, quartiles and median).
    var hasSpread: Bool { minimum != nil && thirdQuartile != nil && (repeats ?? 2) >= 2 }
}

/// `diff`'s rule for when a timing changed beyond noise.
///
/// B is reported slower than A only when both hold:
///
/// 1. the ratio of medians B/A exceeds 1 + tolerance, and
/// 2. B's fastest repeat is slower than A's third quartile: min(B) > Q3(A), so at least
///    three quarters of A's repeats beat every repeat of B.
///
/// Faster is the mirror image (ratio below 1 / (1 + tolerance) and min(A) > Q3(B)).
/// Anything else is the same. (How a strategy's forward-pass units join in is
/// ``BundleComparison``'s part: units have no spread of their own.) A timing without that
/// spread in either bundle — a single run (`repeats` 1, such as `fit.time_us` or a stage),
/// or a bundle that recorded only a median — is never judged: past the tolerance it is
/// ``Verdict/unjudged``, shown with a note and not counted as a regression.
public enum TimingNoiseRule {
    /// The outcome for one timing.
    public enum Verdict: String, Sendable, Equatable {
        /// Within tolerance, or the repeats overlap.
        case same
        /// B slower, beyond the noise.
        case slower
        /// B faster, beyond the noise.
        case faster
        /// Past the tolerance by its ratio, but without the spread to judge it.
        case unjudged
    }

    /// Judges `ratio` (B over A) with the separation of `a` and `b`.
    public static func judge(ratio: Double, _ a: RecordedTiming, _ b: RecordedTiming, tolerance: Double) -> Verdict {
        let slowerRatio = ratio > 1 + tolerance, fasterRatio = ratio < 1 / (1 + tolerance)
        guard slowerRatio || fasterRatio else { return .same }
        guard a.hasSpread, b.hasSpread, let minimumA = a.minimum, let minimumB = b.minimum,
              let thirdA = a.thirdQuartile, let thirdB = b.thirdQuartile else { return .unjudged }
        if slowerRatio { return minimumB > thirdA ? .slower : .same }
        return minimumA > thirdB ? .faster : .same
    }

    /// Judges the ratio of medians of `a` and `b`.
    public static func judge(_ a: RecordedTiming, _ b: RecordedTiming, tolerance: Double) -> Verdict {
        judge(ratio: ratio(a.median, b.median), a, b, tolerance: tolerance)
    }

    /// b / a, with 0/0 = 1 and x/0 = ∞.
    static func ratio(_ a: Double, _ b: Double) -> Double {
        a == 0 ? (b == 0 ? 1 : .infinity) : b / a
    }
}
