import Testing
@testable import Reports

@Suite struct AxisTicksTests {
    @Test func logAxisThreeToTwoThousandHasDecadesTenToThousand() {
        let ticks = AxisTicks.logarithmic(lower: 3, upper: 2000)
        #expect(ticks.major == [10, 100, 1000])
        let expectedMinor: [Double] = [3, 4, 5, 6, 7, 8, 9, 20, 30, 40, 50, 60, 70, 80, 90, 200, 300, 400, 500, 600, 700, 800, 900, 2000]
        #expect(ticks.minor == expectedMinor)
        #expect(ticks.step == nil)
    }

    @Test func logAxisBelowOneUsesExactDecimalPowers() {
        let ticks = AxisTicks.logarithmic(lower: 1e-4, upper: 1)
        #expect(ticks.major == [0.0001, 0.001, 0.01, 0.1, 1])
    }

    @Test func logAxisWithOneDecadeFallsBackToOneTwoFive() {
        #expect(AxisTicks.logarithmic(lower: 0.5, upper: 8).major == [0.5, 1, 2, 5])
    }

    @Test func logAxisWithinOneDecadeLabelsEveryMultiple() {
        #expect(AxisTicks.logarithmic(lower: 30, upper: 80).major == [30, 40, 50, 60, 70, 80])
    }

    @Test func manyDecadesAreThinnedKeepingTheTopOne() {
        let ticks = AxisTicks.logarithmic(lower: 1e-12, upper: 100, maximumMajorCount: 8)
        #expect(ticks.major == [1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1, 100])
        #expect(ticks.minor.contains(1e-11) && ticks.minor.contains(10))
    }

    @Test func invalidLogRangesDoNotCrash() {
        #expect(AxisTicks.logarithmic(lower: 0, upper: 10).major.isEmpty)
        #expect(AxisTicks.logarithmic(lower: 5, upper: 5).major == [5])
        #expect(AxisTicks.logarithmic(lower: .nan, upper: 10).major.isEmpty)
    }

    @Test(arguments: [
        (span: 1.0, count: 5, step: 0.2), (span: 10, count: 4, step: 2), (span: 100, count: 3, step: 50),
        (span: 7, count: 7, step: 1), (span: 0.03, count: 6, step: 0.005), (span: 9000, count: 5, step: 2000),
    ])
    func niceStepIsOneTwoOrFiveTimesAPowerOfTen(span: Double, count: Int, step: Double) {
        #expect(abs(AxisTicks.niceStep(span: span, targetCount: count) - step) < step * 1e-12)
    }

    @Test func linearTicksAreMultiplesOfTheStepInRange() {
        let ticks = AxisTicks.linear(lower: -3, upper: 7, targetCount: 5)
        #expect(ticks.major == [-2, 0, 2, 4, 6])
        #expect(ticks.step == 2)
    }

    @Test func linearTickLabelsShareDecimals() {
        let ticks = AxisTicks.linear(lower: 0, upper: 0.3, targetCount: 6)
        #expect(ValueFormat.automatic.tickLabels(for: ticks) == ["0", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30"])
    }

    @Test func largeLinearTickLabelsUseThousands() {
        let ticks = AxisTicks.linear(lower: 0, upper: 10_000, targetCount: 5)
        #expect(ValueFormat.automatic.tickLabels(for: ticks) == ["0", "2k", "4k", "6k", "8k", "10k"])
        #expect(ValueFormat.multiple.tickLabels(for: ticks).last == "10k×")
    }

    @Test func logTickLabelsAreCompact() {
        let ticks = AxisTicks.logarithmic(lower: 3, upper: 20_000)
        #expect(ValueFormat.automatic.tickLabels(for: ticks) == ["10", "100", "1k", "10k"])
        #expect(ValueFormat.microseconds.tickLabels(for: ticks) == ["10 µs", "100 µs", "1 ms", "10 ms"])
    }
}

@Suite struct AxisScaleTests {
    @Test func logScaleSpacesDecadesEqually() {
        let scale = AxisScale(kind: .logarithmic, lower: 1, upper: 1000, start: 0, end: 300)
        #expect(scale.position(of: 1) == 0)
        #expect(abs((scale.position(of: 10) ?? .nan) - 100) < 1e-9)
        #expect(abs((scale.position(of: 100) ?? .nan) - 200) < 1e-9)
        #expect(abs((scale.position(of: 10.0.squareRoot()) ?? .nan) - 50) < 1e-9)
    }

    @Test(arguments: [0.0, -1, .nan, .infinity])
    func logScaleRejectsValuesItCannotPlace(value: Double) {
        let scale = AxisScale(kind: .logarithmic, lower: 1, upper: 1000, start: 0, end: 300)
        #expect(scale.position(of: value) == nil)
        #expect(!scale.contains(value))
    }

    @Test func linearScaleMapsOntoAnInvertedRange() {
        let scale = AxisScale(kind: .linear, lower: 0, upper: 10, start: 100, end: 0)
        #expect(scale.position(of: 2.5) == 75)
        #expect(scale.position(of: -5) == 150)
        #expect(!scale.contains(-5) && scale.contains(10))
    }

    @Test func fittedDomainsEndOnRoundNumbers() {
        let linear = ChartAxis.linear("x").domain(covering: [0.7, 9.2], targetTickCount: 5)
        #expect(linear.lower == 0 && linear.upper == 10)
        let log = ChartAxis.logarithmic("y").domain(covering: [3, 2000, 0, -4, .nan], targetTickCount: 5)
        #expect(log.lower == 2 && log.upper == 2000)
        let empty = ChartAxis.logarithmic("y").domain(covering: [0, .nan], targetTickCount: 5)
        #expect(empty.lower == 1 && empty.upper == 10)
    }
}
