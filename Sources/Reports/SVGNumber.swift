/// Deterministic fixed-point formatting of numbers written into SVG and HTML.
///
/// Output never depends on the locale or on the platform's `printf`: the value is rounded
/// half away from zero to `places` decimals, trailing zeros are dropped and `-0` becomes
/// `0`, so the same input always produces byte-identical text (snapshot tests rely on it).
enum SVGNumber {
    /// Powers of ten used to scale before rounding; `places` is clamped to this table.
    private static let scales: [Double] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]

    /// Formats `value` with at most `places` decimals (0...6), trailing zeros removed.
    ///
    /// Non-finite values format as `0` (a coordinate must stay valid SVG); callers that can
    /// meet NaN skip the element before reaching here.
    static func format(_ value: Double, places: Int = 2) -> String {
        guard value.isFinite else { return "0" }
        let digits = min(max(places, 0), scales.count - 1)
        let scale = scales[digits]
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e15 else { return String(Int64(value.rounded())) }
        let units = Int64(scaled)
        if units == 0 { return "0" }
        let divisor = Int64(scale)
        let whole = units / divisor
        var fraction = units % divisor
        var text = value < 0 ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var width = digits
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
            let fractionText = String(fraction)
            text += "."
            text += String(repeating: "0", count: width - fractionText.count)
            text += fractionText
        }
        return text
    }

    /// Formats `value` with exactly `places` decimals (0...6), keeping trailing zeros, as
    /// in tick labels `0.0`, `0.5`, `1.0`.
    static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-∞" : "∞") }
        let digits = min(max(places, 0), scales.count - 1)
        let scale = scales[digits]
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e15 else { return String(Int64(value.rounded())) }
        let units = Int64(scaled)
        let divisor = Int64(scale)
        var text = (value < 0 && units != 0) ? "-" : ""
        text += String(units / divisor)
        if digits > 0 {
            let fractionText = String(units % divisor)
            text += "."
            text += String(repeating: "0", count: digits - fractionText.count)
            text += fractionText
        }
        return text
    }
}
