import Foundation

/// Tick marks of one axis: labelled major ticks and unlabelled minor ticks.
public struct AxisTicks: Sendable, Hashable {
    /// Labelled tick values, increasing.
    public var major: [Double]
    /// Unlabelled tick values, increasing (log axes: the 2…9 multiples between decades).
    public var minor: [Double]
    /// Spacing of linear major ticks (a 1, 2 or 5 times a power of ten); nil on log axes.
    /// Tick labels use it to choose how many decimals to show.
    public var step: Double?

    /// Ticks with the given values.
    public init(major: [Double], minor: [Double] = [], step: Double? = nil) {
        self.major = major
        self.minor = minor
        self.step = step
    }

    /// The 1-2-5 step nearest to `span / targetCount`: the raw step's mantissa is rounded to
    /// 1, 2, 5 or 10 at the geometric midpoints √2, √10, √50.
    public static func niceStep(span: Double, targetCount: Int) -> Double {
        guard span.isFinite, span > 0 else { return 1 }
        let raw = span / Double(max(targetCount, 1))
        let magnitude = pow(10, floor(log10(raw)))
        let mantissa = raw / magnitude
        let nice: Double
        if mantissa >= 50.0.squareRoot() {
            nice = 10
        } else if mantissa >= 10.0.squareRoot() {
            nice = 5
        } else if mantissa >= 2.0.squareRoot() {
            nice = 2
        } else {
            nice = 1
        }
        return nice * magnitude
    }

    /// Linear ticks at every multiple of a 1-2-5 step inside `lower...upper`, about
    /// `targetCount` of them. Values are computed as `i·step` (no accumulated drift), and
    /// ticks within 1e-9 step of zero are exactly zero.
    public static func linear(lower: Double, upper: Double, targetCount: Int = 6) -> AxisTicks {
        guard lower.isFinite, upper.isFinite, upper > lower else {
            return AxisTicks(major: lower.isFinite ? [lower] : [], step: nil)
        }
        let step = niceStep(span: upper - lower, targetCount: targetCount)
        let first = Int((lower / step - 1e-9).rounded(.up))
        let last = Int((upper / step + 1e-9).rounded(.down))
        guard first <= last else { return AxisTicks(major: [], step: step) }
        let major = (first...last).map { index -> Double in
            let value = Double(index) * step
            return abs(value) < step * 1e-9 ? 0 : value
        }
        return AxisTicks(major: major, step: step)
    }

    /// Logarithmic ticks inside `lower...upper` (both positive).
    ///
    /// Major ticks are the powers of ten in range (every k-th one when there are more than
    /// `maximumMajorCount`, the others then become minor); minor ticks are the 2…9 multiples.
    /// When fewer than two decades fall in range, the 1-2-5 multiples become major (and if
    /// still fewer than two, every 1…9 multiple), so a narrow range is still labelled.
    /// Example: 3...2000 gives major 10, 100, 1000 and minor 3…9, 20…90, 200…900, 2000.
    public static func logarithmic(lower: Double, upper: Double, maximumMajorCount: Int = 8) -> AxisTicks {
        guard lower.isFinite, upper.isFinite, lower > 0, upper > lower else {
            return AxisTicks(major: (lower.isFinite && lower > 0) ? [lower] : [])
        }
        let lowExponent = Int(floor(log10(lower))) - 1
        let highExponent = Int(ceil(log10(upper))) + 1
        let tolerance = 1e-9
        func inRange(_ value: Double) -> Bool {
            value >= lower * (1 - tolerance) && value <= upper * (1 + tolerance)
        }
        func multiples(_ mantissas: [Int]) -> [Double] {
            var values: [Double] = []
            for exponent in lowExponent...highExponent {
                for mantissa in mantissas {
                    let value = exponent >= 0
                        ? Double(mantissa) * pow(10, Double(exponent))
                        : Double(mantissa) / pow(10, Double(-exponent))
                    if inRange(value) { values.append(value) }
                }
            }
            return values
        }
        let decades = multiples([1])
        if decades.count >= 2 {
            let stride = max(1, Int((Double(decades.count) / Double(max(maximumMajorCount, 1))).rounded(.up)))
            if stride == 1 {
                return AxisTicks(major: decades, minor: multiples(Array(2...9)))
            }
            // Thin decades from the top so the largest power of ten stays labelled.
            let offset = (decades.count - 1) % stride
            let major = decades.enumerated().filter { ($0.offset - offset) % stride == 0 }.map(\.element)
            let minor = decades.enumerated().filter { ($0.offset - offset) % stride != 0 }.map(\.element)
            return AxisTicks(major: major, minor: minor)
        }
        let oneTwoFive = multiples([1, 2, 5])
        if oneTwoFive.count >= 2 {
            return AxisTicks(major: oneTwoFive, minor: multiples([3, 4, 6, 7, 8, 9]))
        }
        return AxisTicks(major: multiples(Array(1...9)))
    }
}
