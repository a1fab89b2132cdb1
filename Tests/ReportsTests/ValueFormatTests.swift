import Testing
@testable import Reports

@Suite struct ValueFormatTests {
    @Test(arguments: [
        (ValueFormat.automatic, 0.0, "0"), (.automatic, 576, "576"), (.automatic, 1234, "1.23k"),
        (.automatic, 1_000_000, "1M"), (.automatic, 999.6, "1k"), (.automatic, 0.0123, "0.0123"),
        (.automatic, -2.5, "-2.5"), (.automatic, 1e-4, "10⁻⁴"), (.automatic, 2e-5, "2×10⁻⁵"),
        (.automatic, .nan, "NaN"), (.automatic, .infinity, "∞"),
        (.microseconds, 0.85, "850 ns"), (.microseconds, 12.34, "12.3 µs"), (.microseconds, 1500, "1.5 ms"),
        (.microseconds, 2e6, "2 s"),
        (.multiple, 3.14159, "3.14×"), (.multiple, 1500, "1.5k×"),
        (.scientific, 100, "10²"), (.scientific, 1, "10⁰"), (.scientific, 0.002, "2×10⁻³"),
        (.decimal(places: 1), 9.86, "9.9"), (.decimal(places: 1), -0.04, "0.0"), (.decimal(places: 2), 3, "3.00"),
    ])
    func formatsSingleValues(format: ValueFormat, value: Double, expected: String) {
        #expect(format.string(value) == expected)
    }

    @Test(arguments: [
        (12.5, 2, "12.5"), (3.0, 2, "3"), (-0.001, 2, "0"), (0.1 + 0.2, 2, "0.3"), (-7.25, 1, "-7.3"),
        (1_234_567.891, 2, "1234567.89"), (0.5, 0, "1"),
    ])
    func coordinatesAreFixedPointWithoutTrailingZeros(value: Double, places: Int, expected: String) {
        #expect(SVGNumber.format(value, places: places) == expected)
    }

    @Test func fixedKeepsTrailingZeros() {
        #expect(SVGNumber.fixed(1, places: 2) == "1.00")
        #expect(SVGNumber.fixed(0.05, places: 2) == "0.05")
        #expect(SVGNumber.fixed(-1.5, places: 0) == "-2")
    }
}

@Suite struct ColourTests {
    @Test func hexRoundTrips() {
        #expect(Colour(hex: "#0072B2")?.hex == "#0072b2")
        #expect(Colour(hex: "00ff08") == Colour(red: 0, green: 255, blue: 8))
        #expect(Colour(hex: "#12345") == nil)
        #expect(Colour(hex: "zzzzzz") == nil)
    }

    @Test func textOnAFillContrasts() {
        #expect(Colour.white.contrastingText == .ink)
        #expect(Colour(red: 0, green: 0, blue: 0).contrastingText == .white)
        #expect(abs(Colour.white.relativeLuminance - 1) < 1e-12)
    }

    @Test func lreScaleRunsFromRedThroughYellowToGreen() throws {
        let scale = ColourScale.redYellowGreen(from: 0, to: 11)
        #expect(scale.colour(for: 0)?.hex == "#d7191c")
        #expect(scale.colour(for: 5.5)?.hex == "#ffffbf")
        #expect(scale.colour(for: 11)?.hex == "#1a9641")
        #expect(scale.colour(for: -3)?.hex == "#d7191c")
        #expect(scale.colour(for: 15)?.hex == "#1a9641")
        #expect(scale.colour(for: .nan) == nil)
        // Halfway between the red (0) and orange (2.75) stops: each channel the mean.
        let halfway = try #require(scale.colour(for: 1.375))
        #expect(halfway == Colour(red: 234, green: 100, blue: 63))
    }

    @Test func paletteAssignmentFollowsTheGivenOrder() {
        let colours = ChartPalette.assignment(for: ["b", "a", "b", "c"])
        #expect(colours["b"] == ChartPalette.colours[0])
        #expect(colours["a"] == ChartPalette.colours[1])
        #expect(colours["c"] == ChartPalette.colours[2])
        #expect(Set(ChartPalette.colours).count == ChartPalette.colours.count)
    }
}
