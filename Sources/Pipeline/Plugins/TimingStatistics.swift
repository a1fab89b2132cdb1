/// Order statistics of repeated wall-time samples, µs: what `diff`'s noise rule needs.
///
/// Quartiles interpolate linearly between order statistics (Hyndman–Fan type 7, NumPy's
/// default): with the n samples sorted x₀ ≤ … ≤ xₙ₋₁, the p-quantile is
/// x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋₊₁ − x_⌊h⌋) at h = (n − 1)p. The median is the middle sample, or
/// the mean of the middle two. One sample gives five equal statistics and `repeats` 1.
public struct TimingStatistics: Sendable, Equatable {
    /// Fastest sample.
    public var minimum: Double
    /// First quartile (p = 0.25).
    public var firstQuartile: Double
    /// Median.
    public var median: Double
    /// Third quartile (p = 0.75).
    public var thirdQuartile: Double
    /// Slowest sample.
    public var maximum: Double
    /// Number of samples.
    public var repeats: Int

    /// The statistics of `samples` (any order); nil when there are none.
    public init?(samples: [Double]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let middle = sorted.count / 2
        minimum = sorted[0]
        maximum = sorted[sorted.count - 1]
        median = sorted.count % 2 == 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle])
        firstQuartile = Self.quantile(sorted, 0.25)
        thirdQuartile = Self.quantile(sorted, 0.75)
        repeats = sorted.count
    }

    /// One timed run: every statistic is `value`, `repeats` 1.
    public init(single value: Double) {
        minimum = value
        firstQuartile = value
        median = value
        thirdQuartile = value
        maximum = value
        repeats = 1
    }

    /// The type-7 `p`-quantile of ascending `sorted` (non-empty).
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = Double(sorted.count - 1) * p
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return fraction == 0 ? sorted[lower] : sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}
