import JSONDocuments
import YAMLDecoding
/// One named measurement of a case: `jacobian.per-sample.rel_error`, `fit.iterations`.
///
/// Names are flat, dotted and carry their unit (`_us`, `_units`). Every metric is either
/// `deterministic` (the same manifest and seed give the same value bit for bit; `diff`
/// compares it with a relative tolerance) or `timing` (compared as a ratio with a noise
/// tolerance).
public struct Metric: Sendable, Equatable {
    /// How `diff` treats a metric.
    public enum Kind: String, Sendable, Codable {
        /// Reproducible to the bit given the manifest and seed.
        case deterministic
        /// A measured time, noisy.
        case timing
    }

    /// The flat dotted name.
    public var name: String
    /// The value: a number, integer or text (e.g. `jacobian.auto.choice`).
    public var value: JSONValue
    /// Deterministic or timing.
    public var kind: Kind

    /// A deterministic number.
    public static func deterministic(_ name: String, _ value: Double) -> Metric {
        Metric(name: name, value: .number(value), kind: .deterministic)
    }

    /// A deterministic integer (counts, iterations).
    public static func count(_ name: String, _ value: Int) -> Metric {
        Metric(name: name, value: .integer(value), kind: .deterministic)
    }

    /// A deterministic text value (a choice, a status).
    public static func text(_ name: String, _ value: String) -> Metric {
        Metric(name: name, value: .string(value), kind: .deterministic)
    }

    /// A timing in the unit its name states.
    public static func timing(_ name: String, _ value: Double) -> Metric {
        Metric(name: name, value: .number(value), kind: .timing)
    }
}

/// One row of `timings.csv`: a measured operation and its statistics over `repeats` runs.
public struct TimingRow: Sendable, Equatable {
    /// What was timed (`jacobian.per-sample`, `forward-pass`, `stage.solver`).
    public var name: String
    /// Number of timed repetitions (1: a single-shot time, such as a stage's).
    public var repeats: Int
    /// Median wall time, µs.
    public var medianMicroseconds: Double
    /// Fastest repetition, µs.
    public var minimumMicroseconds: Double
    /// Slowest repetition, µs.
    public var maximumMicroseconds: Double
    /// First quartile, µs (nil: not recorded, as for peers' own figures).
    public var firstQuartileMicroseconds: Double?
    /// Third quartile, µs (nil: not recorded).
    public var thirdQuartileMicroseconds: Double?
    /// Median divided by the median of one forward pass over the batch, when measured.
    public var forwardUnits: Double?

    /// Creates a row; with `repeats` 1 and no quartiles given, both quartiles are the median
    /// (one run is its own every statistic).
    public init(
        name: String, repeats: Int, medianMicroseconds: Double, minimumMicroseconds: Double, maximumMicroseconds: Double,
        forwardUnits: Double? = nil, firstQuartileMicroseconds: Double? = nil, thirdQuartileMicroseconds: Double? = nil
    ) {
        self.name = name
        self.repeats = repeats
        self.medianMicroseconds = medianMicroseconds
        self.minimumMicroseconds = minimumMicroseconds
        self.maximumMicroseconds = maximumMicroseconds
        self.firstQuartileMicroseconds = firstQuartileMicroseconds ?? (repeats == 1 ? medianMicroseconds : nil)
        self.thirdQuartileMicroseconds = thirdQuartileMicroseconds ?? (repeats == 1 ? medianMicroseconds : nil)
        self.forwardUnits = forwardUnits
    }

    /// A row from the statistics of repeated runs.
    public init(name: String, statistics: TimingStatistics, forwardUnits: Double? = nil) {
        self.init(
            name: name, repeats: statistics.repeats, medianMicroseconds: statistics.median, minimumMicroseconds: statistics.minimum,
            maximumMicroseconds: statistics.maximum, forwardUnits: forwardUnits,
            firstQuartileMicroseconds: statistics.firstQuartile, thirdQuartileMicroseconds: statistics.thirdQuartile)
    }
}
