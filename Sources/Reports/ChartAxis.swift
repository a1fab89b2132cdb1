import Foundation

/// Configuration of a value axis: title, scale, label format and optional fixed bounds.
public struct ChartAxis: Sendable, Hashable {
    /// How the axis sizes its domain from the data when no bounds are given.
    public enum Fitting: Sendable, Hashable {
        /// Extend to the enclosing 1-2-5 tick values (linear) or 1-2-5 multiples of powers of
        /// ten (log), so the axis ends on round numbers.
        case nice
        /// Pad both ends by this fraction of the (transformed) data span.
        case padded(Double)
    }

    /// Axis title, including the unit: "time per Jacobian (µs)".
    public var title: String
    /// Linear or logarithmic.
    public var scale: AxisScaleKind
    /// Format of tick labels (and of value labels on bar charts).
    public var format: ValueFormat
    /// Fixed lower end; nil fits the data.
    public var lowerBound: Double?
    /// Fixed upper end; nil fits the data.
    public var upperBound: Double?
    /// Whether a fitted linear domain is stretched to include 0.
    public var includesZero: Bool
    /// Domain fitting when bounds are not fixed.
    public var fitting: Fitting

    /// An axis; see the properties for the meaning of each parameter.
    public init(
        title: String, scale: AxisScaleKind = .linear, format: ValueFormat = .automatic,
        lowerBound: Double? = nil, upperBound: Double? = nil, includesZero: Bool = false,
        fitting: Fitting = .nice
    ) {
        self.title = title
        self.scale = scale
        self.format = format
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.includesZero = includesZero
        self.fitting = fitting
    }

    /// A linear axis.
    public static func linear(_ title: String, format: ValueFormat = .automatic, includesZero: Bool = false) -> ChartAxis {
        ChartAxis(title: title, scale: .linear, format: format, includesZero: includesZero)
    }

    /// A log10 axis.
    public static func logarithmic(_ title: String, format: ValueFormat = .automatic) -> ChartAxis {
        ChartAxis(title: title, scale: .logarithmic, format: format)
    }

    /// The domain `(lower, upper)` covering `values`: values that cannot be drawn on this
    /// scale (NaN, infinities, non-positive on log) are ignored; with none left the domain
    /// is 0...1 (linear) or 1...10 (log). Fixed bounds win over fitting.
    func domain(covering values: [Double], targetTickCount: Int) -> (lower: Double, upper: Double) {
        let usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        var low: Double
        var high: Double
        if let minimum = usable.min(), let maximum = usable.max() {
            low = minimum
            high = maximum
        } else {
            (low, high) = scale == .linear ? (0, 1) : (1, 10)
        }
        if scale == .linear && includesZero {
            low = min(low, 0)
            high = max(high, 0)
        }
        if let lowerBound { low = lowerBound }
        if let upperBound { high = upperBound }
        if high <= low {
            switch scale {
            case .linear:
                let spread = low == 0 ? 1 : abs(low) * 0.1
                if lowerBound == nil { low -= spread }
                if upperBound == nil || high <= low { high = low + 2 * spread }
            case .logarithmic:
                if lowerBound == nil { low /= 3 }
                if upperBound == nil || high <= low { high = low * 10 }
            }
        }
        let fitLow = lowerBound == nil
        let fitHigh = upperBound == nil
        switch (scale, fitting) {
        case (.linear, .nice):
            let step = AxisTicks.niceStep(span: high - low, targetCount: targetTickCount)
            if fitLow { low = floor(low / step + 1e-9) * step }
            if fitHigh { high = ceil(high / step - 1e-9) * step }
        case (.linear, .padded(let fraction)):
            let pad = (high - low) * fraction
            if fitLow && !(includesZero && low == 0) { low -= pad }
            if fitHigh && !(includesZero && high == 0) { high += pad }
        case (.logarithmic, .nice):
            if fitLow { low = Self.oneTwoFive(below: low) }
            if fitHigh { high = Self.oneTwoFive(above: high) }
        case (.logarithmic, .padded(let fraction)):
            let pad = (log10(high) - log10(low)) * fraction
            if fitLow { low = pow(10, log10(low) - pad) }
            if fitHigh { high = pow(10, log10(high) + pad) }
        }
        return (low, high)
    }

    /// The largest 1, 2 or 5 times a power of ten that is ≤ `value` (> 0).
    static func oneTwoFive(below value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for mantissa in [5.0, 2, 1] where mantissa * magnitude <= value * (1 + 1e-9) {
            return mantissa * magnitude
        }
        return magnitude
    }

    /// The smallest 1, 2 or 5 times a power of ten that is ≥ `value` (> 0).
    static func oneTwoFive(above value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        for mantissa in [1.0, 2, 5, 10] where mantissa * magnitude >= value * (1 - 1e-9) {
            return mantissa * magnitude
        }
        return 10 * magnitude
    }

    /// Ticks for a resolved domain.
    func ticks(lower: Double, upper: Double, targetCount: Int) -> AxisTicks {
        switch scale {
        case .linear: return AxisTicks.linear(lower: lower, upper: upper, targetCount: targetCount)
        case .logarithmic: return AxisTicks.logarithmic(lower: lower, upper: upper)
        }
    }
}
