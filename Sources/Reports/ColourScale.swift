/// A continuous map from numbers to colours, piecewise linear between stops.
///
/// Values below the first stop take its colour, above the last stop the last colour;
/// NaN and infinities have no colour (`nil`), so a table cell without a value stays plain.
public struct ColourScale: Sendable, Hashable {
    /// One anchor of the scale: `value` is drawn in `colour`.
    public struct Stop: Sendable, Hashable {
        /// The value at which the colour is exact.
        public var value: Double
        /// The colour at `value`.
        public var colour: Colour

        /// A stop at `value` with `colour`.
        public init(value: Double, colour: Colour) {
            self.value = value
            self.colour = colour
        }
    }

    /// Stops in increasing `value` order.
    public let stops: [Stop]

    /// A scale through `stops`, which are sorted by value; at least one stop is required
    /// for a colour to be returned.
    public init(stops: [Stop]) {
        self.stops = stops.sorted { $0.value < $1.value }
    }

    /// The colour for `value`: linear sRGB interpolation between the two surrounding stops.
    /// - Complexity: O(number of stops).
    public func colour(for value: Double) -> Colour? {
        guard value.isFinite, let first = stops.first, let last = stops.last else { return nil }
        if value <= first.value { return first.colour }
        if value >= last.value { return last.colour }
        for index in 1..<stops.count where value <= stops[index].value {
            let low = stops[index - 1]
            let high = stops[index]
            let span = high.value - low.value
            let t = span > 0 ? (value - low.value) / span : 1
            return low.colour.mixed(with: high.colour, fraction: t)
        }
        return last.colour
    }

    /// ColorBrewer's five-class RdYlGn spread evenly from `low` (red) to `high` (green):
    /// the scale of "more is better" scores such as NIST log relative errors (0 red → 11 green).
    public static func redYellowGreen(from low: Double, to high: Double) -> ColourScale {
        let hexes = ["#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641"]
        let colours = hexes.compactMap { Colour(hex: $0) }
        let stops = colours.enumerated().map { index, colour in
            Stop(value: low + (high - low) * Double(index) / Double(colours.count - 1), colour: colour)
        }
        return ColourScale(stops: stops)
    }
}
