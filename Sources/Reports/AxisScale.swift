import Foundation

/// How an axis maps values to positions.
public enum AxisScaleKind: String, Sendable, Hashable {
    /// Equal distances for equal differences.
    case linear
    /// Equal distances for equal ratios (log base 10); only positive values can be drawn.
    case logarithmic
}

/// A map from a value domain `[lower, upper]` onto a pixel range `[start, end]`
/// (`start` may exceed `end`, as for a y axis that grows upwards).
///
/// Linear: `start + (v − lower)/(upper − lower)·(end − start)`. Logarithmic: the same with
/// every value replaced by its log10. Values that cannot be placed (NaN, infinities,
/// and zero or negatives on a log scale) map to `nil`, never to a crash.
public struct AxisScale: Sendable, Hashable {
    /// Linear or logarithmic.
    public var kind: AxisScaleKind
    /// The smallest value of the domain (positive on a log scale).
    public var lower: Double
    /// The largest value of the domain.
    public var upper: Double
    /// Pixel position of `lower`.
    public var start: Double
    /// Pixel position of `upper`.
    public var end: Double

    /// A scale from `lower...upper` to `start...end`.
    public init(kind: AxisScaleKind, lower: Double, upper: Double, start: Double, end: Double) {
        self.kind = kind
        self.lower = lower
        self.upper = upper
        self.start = start
        self.end = end
    }

    /// The value transformed into the space where the scale is linear (itself or its log10);
    /// nil if it cannot be placed.
    func transformed(_ value: Double) -> Double? {
        guard value.isFinite else { return nil }
        switch kind {
        case .linear: return value
        case .logarithmic: return value > 0 ? log10(value) : nil
        }
    }

    /// Pixel position of `value`, or nil for NaN, infinities and (log) non-positive values.
    /// Values outside the domain extrapolate linearly in transformed space.
    public func position(of value: Double) -> Double? {
        guard let v = transformed(value), let low = transformed(lower), let high = transformed(upper) else {
            return nil
        }
        let span = high - low
        let t = span != 0 ? (v - low) / span : 0.5
        return start + t * (end - start)
    }

    /// Whether `value` can be placed and lies in the domain (with a relative tolerance of
    /// 1e-9 of the transformed span at both ends).
    public func contains(_ value: Double) -> Bool {
        guard let v = transformed(value), let low = transformed(lower), let high = transformed(upper) else {
            return false
        }
        let tolerance = abs(high - low) * 1e-9
        return v >= min(low, high) - tolerance && v <= max(low, high) + tolerance
    }
}
