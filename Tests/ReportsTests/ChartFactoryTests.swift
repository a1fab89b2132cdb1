import Testing
@testable import Reports

@Suite struct ChartFactoryTests {
    let order = ChartFixtures.strategies

    @Test func timingBarsAreSortedFastestFirstWithUnmeasuredLast() {
        let chart = BarChart.jacobianTiming(
            timings: [
                .init(strategy: "reverse-loop", forwardPassUnits: 610, medianMicroseconds: 2440),
                .init(strategy: "swift-autodiff", forwardPassUnits: .nan, medianMicroseconds: .nan, note: "not applicable"),
                .init(strategy: "forward-vectorized", forwardPassUnits: 3.1, medianMicroseconds: 12.4),
                .init(strategy: "per-sample", forwardPassUnits: 2.4, medianMicroseconds: 9.6, note: "3 sweeps"),
            ],
            strategyOrder: order
        )
        #expect(chart.categories == ["per-sample", "forward-vectorized", "reverse-loop", "swift-autodiff"])
        #expect(chart.annotations == ["9.6 µs · 3 sweeps", "12.4 µs", "2.44 ms", "not applicable"])
        let colours = ChartPalette.assignment(for: order)
        #expect(chart.categoryColours == chart.categories.map { colours[$0] })
        let inspection = SVGInspection(chart.svg(standalone: true))
        #expect(inspection.parseError == nil)
        let fills = inspection.elements(named: "rect", inGroup: "bars").map { $0.attributes["fill"] }
        #expect(fills == ["per-sample", "forward-vectorized", "reverse-loop"].map { colours[$0]?.hex })
        #expect(inspection.texts(inGroup: "bars").contains("2.4× · 9.6 µs · 3 sweeps"))
    }

    @Test func crossoverMapSortsSizesAndPlacesCells() {
        let chart = CategoryGridChart.crossoverMap(
            cells: [
                .init(parameters: 1000, residuals: 10, winner: "reverse-vectorized", label: "auto ✓"),
                .init(parameters: 10, residuals: 10_000, winner: "forward-vectorized"),
                .init(parameters: 10, residuals: 10, winner: "forward-vectorized"),
                .init(parameters: 1000, residuals: 10_000, winner: nil, label: "over budget"),
            ],
            strategyOrder: order
        )
        #expect(chart.columnLabels == ["10", "1k"])
        #expect(chart.rowLabels == ["10", "10k"])
        #expect(chart.cells[0][1] == .init(category: "reverse-vectorized", label: "auto ✓"))
        #expect(chart.cells[1][1] == .init(category: nil, label: "over budget"))
        #expect(chart.categories.map(\.name) == ["forward-vectorized", "reverse-vectorized"])
        let colours = ChartPalette.assignment(for: order)
        #expect(chart.categories.map(\.colour) == ["forward-vectorized", "reverse-vectorized"].compactMap { colours[$0] })
    }

    @Test func unlistedCategoriesGetUnusedColours() {
        let listed = CategoryGridChart.Category(name: "a", colour: ChartPalette.colours[1])
        let chart = CategoryGridChart(
            title: "t", columnTitle: "x", rowTitle: "y", columnLabels: ["1", "2"], rowLabels: ["1"],
            cells: [[.init(category: "b"), .init(category: "a")]], categories: [listed]
        )
        let fills = SVGInspection(chart.svg(standalone: true)).elements(named: "rect", inGroup: "cells").map { $0.attributes["fill"] }
        #expect(fills == [ChartPalette.colours[0].hex, ChartPalette.colours[1].hex])
    }

    @Test func emptyChartsStillRenderValidSVG() {
        let charts: [any SVGChart] = [
            BarChart(title: "no bars", categories: [], series: [], valueAxis: .logarithmic("x")),
            LineChart(title: "no lines", xAxis: .linear("x"), yAxis: .logarithmic("y"), series: []),
            CategoryGridChart(title: "no cells", columnTitle: "x", rowTitle: "y", columnLabels: [], rowLabels: [], cells: []),
            BarChart.jacobianTiming(timings: []),
            CategoryGridChart.crossoverMap(cells: []),
        ]
        for chart in charts {
            let inspection = SVGInspection(chart.svg(standalone: true))
            #expect(inspection.parseError == nil, "\(chart.title): \(inspection.parseError ?? "")")
        }
    }

    @Test func linearTimeAxisUsesOneUnit() {
        let ticks = AxisTicks.linear(lower: 0, upper: 2000, targetCount: 4)
        #expect(ValueFormat.microseconds.tickLabels(for: ticks) == ["0", "0.5 ms", "1.0 ms", "1.5 ms", "2.0 ms"])
    }
}

@Suite struct TextFittingTests {
    @Test func longTextIsCutWithAnEllipsisWithinTheWidth() {
        let long = String(repeating: "reverse-vectorized ", count: 6)
        let cut = TextMetrics.truncated(long, fontSize: 11, maximumWidth: 120)
        #expect(cut.hasSuffix("…") && cut.count < long.count)
        #expect(TextMetrics.width(of: cut, fontSize: 11) <= 120)
        #expect(TextMetrics.truncated("auto", fontSize: 11, maximumWidth: 120) == "auto")
    }

    @Test func chartTextStaysInsideTheChart() throws {
        let long = String(repeating: "a very long name ", count: 8)
        let chart = LineChart(
            title: long, subtitle: long, xAxis: .linear("x"), yAxis: .linear("y"),
            series: [.init(name: long, points: [DataPoint(x: 0, y: 0), DataPoint(x: 1, y: 1)]), .init(name: "b", points: [])]
        )
        let inspection = SVGInspection(chart.svg(standalone: true))
        let width = try #require(inspection.elements.first?.attributes["width"].flatMap(Double.init))
        for (element, text) in zip(inspection.elements(named: "text"), inspection.texts) where element.attributes["text-anchor"] == nil {
            let x = try #require(element.attributes["x"].flatMap(Double.init))
            let size = try #require(element.attributes["font-size"].flatMap(Double.init))
            let bold = element.attributes["font-weight"] == "bold"
            #expect(x + TextMetrics.width(of: text, fontSize: size, bold: bold) <= width, "\(text) overflows")
        }
    }
}

@Suite struct BarChartLayoutTests {
    @Test func manySeriesWrapTheLegendInsideTheChart() throws {
        let names = (1...8).map { "machine number \($0)" }
        let chart = BarChart(
            title: "t", categories: ["a"], series: names.map { BarChart.Series(name: $0, values: [1]) },
            valueAxis: .linear("x")
        )
        let inspection = SVGInspection(chart.svg(standalone: true))
        let width = try #require(inspection.elements.first?.attributes["width"].flatMap(Double.init))
        let legendTexts = inspection.elements(named: "text", inGroup: "legend")
        #expect(inspection.texts(inGroup: "legend") == names)
        let rows = Set(legendTexts.compactMap { $0.attributes["y"] })
        #expect(rows.count >= 2, "eight long names do not fit on one row of 720 px")
        for (element, text) in zip(legendTexts, names) {
            let x = try #require(element.attributes["x"].flatMap(Double.init))
            #expect(x + TextMetrics.width(of: text, fontSize: 11.5) <= width)
        }
    }

    @Test func negativeLinearValuesGrowLeftFromZero() throws {
        let chart = BarChart(
            title: "t", categories: ["gain", "loss"], series: [.init(name: "s", values: [4, -2])],
            valueAxis: .linear("change")
        )
        let bars = SVGInspection(chart.svg(standalone: true)).elements(named: "rect", inGroup: "bars")
        try #require(bars.count == 2)
        let gain = try #require(bars[0].attributes["x"].flatMap(Double.init))
        let loss = try #require(bars[1].attributes["x"].flatMap(Double.init))
        let lossWidth = try #require(bars[1].attributes["width"].flatMap(Double.init))
        let gainWidth = try #require(bars[0].attributes["width"].flatMap(Double.init))
        #expect(abs(loss + lossWidth - gain) < 0.02, "both bars meet at zero")
        #expect(abs(gainWidth - 2 * lossWidth) < 0.03)
    }
}
