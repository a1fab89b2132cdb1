import Foundation

/// How numbers are written in tick labels, value labels and table cells.
///
/// Every case is deterministic (no locale, no `printf`). Single values keep three
/// significant figures with trailing zeros dropped; tick labels of a linear axis share the
/// number of decimals implied by the tick step (`0.0, 0.5, 1.0`).
public enum ValueFormat: Sendable, Hashable {
    /// Plain decimals; 1000 and above with k, M, G, T suffixes (`1.5k`, `20M`); below 0.001
    /// as powers of ten (`10⁻⁴`, `2×10⁻⁵`).
    case automatic
    /// Exactly `places` decimals (0...6).
    case decimal(places: Int)
    /// Powers of ten throughout (`10⁻⁶`, `2×10³`, `10⁰`): costs spanning many decades.
    case scientific
    /// The value is a duration in microseconds, written in ns, µs, ms or s, whichever keeps
    /// the number at or above 1 (`850 ns`, `12.3 µs`, `1.5 ms`, `2 s`).
    case microseconds
    /// A multiple of something, such as forward-pass units: `3.2×`, `1.5k×`.
    case multiple

    /// `value` written with three significant figures in this format; NaN is `NaN`,
    /// infinities are `∞` / `-∞`.
    public func string(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        switch self {
        case .automatic: return Self.automaticText(value)
        case .decimal(let places): return SVGNumber.fixed(value, places: places)
        case .scientific: return Self.powerOfTenText(value)
        case .microseconds: return Self.durationText(microseconds: value)
        case .multiple: return Self.automaticText(value) + "×"
        }
    }

    /// Labels for the major ticks of an axis. Linear ticks (with a `step`) share one number
    /// of decimals and one k/M/G divisor (or one time unit); log ticks are written one by one.
    public func tickLabels(for ticks: AxisTicks) -> [String] {
        guard let step = ticks.step, step > 0 else { return ticks.major.map(string) }
        switch self {
        case .automatic, .multiple:
            let suffix = self == .multiple ? "×" : ""
            let divisors: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
            let (divisor, unit) = divisors.first { step >= $0.0 } ?? (1, "")
            let scaledStep = step / divisor
            guard scaledStep >= 1e-6 else { return ticks.major.map(string) }
            let places = max(0, Int(-floor(log10(scaledStep) + 1e-9)))
            return ticks.major.map { value in
                value == 0 ? "0" + suffix : SVGNumber.fixed(value / divisor, places: places) + unit + suffix
            }
        case .microseconds:
            // One unit for the whole axis, chosen by the largest tick, decimals by the step.
            let largest = ticks.major.map(abs).max() ?? 0
            let units: [(Double, String)] = [(1e6, "s"), (1e3, "ms"), (1, "µs")]
            let (scale, unit) = units.first { largest >= $0.0 * 0.9995 } ?? (1e-3, "ns")
            guard step / scale >= 1e-6 else { return ticks.major.map(string) }
            let places = max(0, Int(-floor(log10(step / scale) + 1e-9)))
            return ticks.major.map { $0 == 0 ? "0" : SVGNumber.fixed($0 / scale, places: places) + " " + unit }
        case .decimal, .scientific:
            return ticks.major.map(string)
        }
    }

    /// Three significant figures, trailing zeros dropped: 0.0123, 1.23, 12.3, 123.
    static func significant(_ value: Double, digits: Int = 3) -> String {
        guard value != 0 else { return "0" }
        let exponent = Int(floor(log10(abs(value))))
        return SVGNumber.format(value, places: max(0, digits - 1 - exponent))
    }

    private static func automaticText(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude == 0 { return "0" }
        if magnitude < 1e-3 { return powerOfTenText(value) }
        let suffixes: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (divisor, unit) in suffixes where magnitude >= divisor * 0.9995 {
            return significant(value / divisor) + unit
        }
        return significant(value)
    }

    private static func durationText(microseconds value: Double) -> String {
        let magnitude = abs(value)
        if magnitude == 0 { return "0 µs" }
        let units: [(Double, String)] = [(1e6, "s"), (1e3, "ms"), (1, "µs")]
        for (scale, unit) in units where magnitude >= scale * 0.9995 {
            return significant(value / scale) + " " + unit
        }
        return significant(value * 1e3) + " ns"
    }

    private static func powerOfTenText(_ value: Double) -> String {
        guard value != 0 else { return "0" }
        var exponent = Int(floor(log10(abs(value))))
        var mantissa = abs(value) / pow(10, Double(exponent))
        mantissa = (mantissa * 100).rounded() / 100
        if mantissa >= 10 {
            mantissa /= 10
            exponent += 1
        }
        let sign = value < 0 ? "-" : ""
        let power = "10" + superscript(exponent)
        return mantissa == 1 ? sign + power : sign + SVGNumber.format(mantissa, places: 2) + "×" + power
    }

    private static func superscript(_ exponent: Int) -> String {
        let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        let text = String(abs(exponent)).compactMap { $0.wholeNumberValue.map { digits[$0] } }
        return (exponent < 0 ? "⁻" : "") + String(text)
    }
}
