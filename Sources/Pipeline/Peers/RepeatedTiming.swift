import Foundation
import JSONDocuments

/// Wall-time statistics of a repeated call, measured the way `peers/peer_benchmark.py`
/// measures its variants so that both sides of a peer comparison are comparable: one
/// warm-up call, then between `minimumRepeats` and `maximumRepeats` timed calls, as many as
/// the first timed call says fit in the budget (one call only when that call alone
/// exceeded the budget).
public struct RepeatedTiming: Sendable, Equatable {
    /// Median over the timed calls, µs.
    public var medianMicroseconds: Double
    /// Fastest call, µs.
    public var minimumMicroseconds: Double
    /// Slowest call, µs.
    public var maximumMicroseconds: Double
    /// Number of timed calls.
    public var repeats: Int
    /// First and third quartiles over the timed calls, µs (``TimingStatistics``).
    public var firstQuartileMicroseconds: Double = 0, thirdQuartileMicroseconds: Double = 0

    /// The fewest timed calls, whatever the budget.
    public static let minimumRepeats = 3

    /// Times `body`; checks `cancellation` before every call.
    ///
    /// - Parameters:
    ///   - budgetSeconds: time the timed calls may take together (at least `minimumRepeats` run).
    ///   - maximumRepeats: the most timed calls.
    /// - Throws: ``RunCancelled`` when the run is interrupted, and whatever `body` throws.
    public static func measure(
        budgetSeconds: Double, maximumRepeats: Int, cancellation: CancellationFlag, _ body: () throws -> Void
    ) throws -> RepeatedTiming {
        try cancellation.check()
        try body()
        var samples: [Double] = []
        samples.reserveCapacity(max(maximumRepeats, minimumRepeats))
        func timedCall() throws {
            try cancellation.check()
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3)
        }
        try timedCall()
        let fitting = Int(min(budgetSeconds * 1e6 / max(samples[0], 1e-3), Double(Int.max / 2)))
        let count = fitting < 1 ? 1 : max(minimumRepeats, min(maximumRepeats, fitting))
        for _ in 1..<count { try timedCall() }
        let statistics = TimingStatistics(samples: samples) ?? TimingStatistics(single: 0)
        return RepeatedTiming(
            medianMicroseconds: statistics.median, minimumMicroseconds: statistics.minimum, maximumMicroseconds: statistics.maximum,
            repeats: statistics.repeats, firstQuartileMicroseconds: statistics.firstQuartile,
            thirdQuartileMicroseconds: statistics.thirdQuartile)
    }

    /// `<prefix>.median_us`, `.min_us`, `.q1_us`, `.q3_us` and `.repeats` (timing): what
    /// `diff`'s noise rule reads (``TimingNoiseRule``).
    public func metrics(prefix: String) -> [Metric] {
        [
            .timing(prefix + ".median_us", medianMicroseconds), .timing(prefix + ".min_us", minimumMicroseconds),
            .timing(prefix + ".q1_us", firstQuartileMicroseconds), .timing(prefix + ".q3_us", thirdQuartileMicroseconds),
            Metric(name: prefix + ".repeats", value: .integer(repeats), kind: .timing),
        ]
    }
}
