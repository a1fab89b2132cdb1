import Foundation
import Testing
@testable import Reports

@Suite struct SVGStructureTests {
    static let fixtures: [(name: String, chart: any SVGChart)] = [
        ("strategy bars", ChartFixtures.strategyBars), ("grouped bars", ChartFixtures.groupedBars),
        ("scaling lines", ChartFixtures.scalingLines), ("convergence", ChartFixtures.convergence),
        ("crossover", ChartFixtures.crossover),
    ]

    @Test(arguments: fixtures.indices)
    func everyChartIsWellFormedXML(index: Int) {
        let (name, chart) = Self.fixtures[index]
        let svg = chart.svg(standalone: true)
        let inspection = SVGInspection(svg)
        #expect(inspection.parseError == nil, "\(name): \(inspection.parseError ?? "")")
        #expect(inspection.elements.first?.name == "svg")
        #expect(inspection.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        #expect(!svg.contains("NaN") && !svg.contains("inf"), "\(name) wrote a non-finite number")
        #expect(!chart.svg(standalone: false).contains("xmlns"))
    }

    @Test func lineChartLegendNamesEverySeries() {
        let inspection = SVGInspection(ChartFixtures.scalingLines.svg(standalone: true))
        #expect(inspection.texts(inGroup: "legend") == ["forward-loop", "reverse-loop", "forward-vectorized"])
        #expect(inspection.texts(inGroup: "reference lines") == ["∝ N", "∝ N²"])
    }

    @Test func gridLegendListsCategoriesThenEmptyCells() {
        let inspection = SVGInspection(ChartFixtures.crossover.svg(standalone: true))
        #expect(inspection.texts(inGroup: "legend") == ["forward-vectorized", "reverse-vectorized", "per-sample", "skipped"])
        #expect(inspection.elements(named: "rect", inGroup: "cells").count == 6 * 4)
    }

    @Test func gridCellsTakeTheirCategoryColourAndEmptyCellsAreGrey() {
        let blue = Colour(red: 0, green: 0x72, blue: 0xb2)
        let chart = CategoryGridChart(
            title: "t", columnTitle: "N", rowTitle: "M", columnLabels: ["1", "2"], rowLabels: ["a"],
            cells: [[.init(category: "x", label: "in x"), .init(category: nil, label: "")]],
            categories: [.init(name: "x", colour: blue)]
        )
        let inspection = SVGInspection(chart.svg(standalone: true))
        let fills = inspection.elements(named: "rect", inGroup: "cells").map { $0.attributes["fill"] }
        #expect(fills == [blue.hex, "#eeeeee"])
        let label = inspection.elements(named: "text", inGroup: "cells").first
        #expect(label?.attributes["fill"] == Colour.white.hex)
    }

    @Test func unplaceablePointsAreSkippedAndBreakTheLine() throws {
        let points = [1.0, 2, .nan, 4, 5, -1, 7].enumerated().map { DataPoint(x: Double($0.offset + 1), y: $0.element) }
        let chart = LineChart(
            title: "gaps", xAxis: .linear("x"), yAxis: .logarithmic("y"),
            series: [.init(name: "s", points: points, marker: .circle)]
        )
        let inspection = SVGInspection(chart.svg(standalone: true))
        #expect(inspection.parseError == nil)
        #expect(inspection.elements(named: "circle", inGroup: "series s").count == 5)
        let path = try #require(inspection.elements(named: "path", inGroup: "series s").first?.attributes["d"])
        #expect(path.filter { $0 == "M" }.count == 2, "runs 1–2 and 4–5 are lines; 7 stands alone: \(path)")
    }

    @Test func seriesWithNothingDrawableStillRenders() {
        let chart = LineChart(
            title: "empty", xAxis: .logarithmic("x"), yAxis: .logarithmic("y"),
            series: [.init(name: "s", points: [DataPoint(x: 0, y: 1), DataPoint(x: .nan, y: .nan)])]
        )
        let inspection = SVGInspection(chart.svg(standalone: true))
        #expect(inspection.parseError == nil)
        #expect(inspection.elements(named: "path", inGroup: "series s").isEmpty)
    }

    @Test func labelsAreEscaped() {
        let chart = BarChart(
            title: "a<b & c>d", categories: ["x<y>", "\"q\" & 'r'"],
            series: [.init(name: "s", values: [1, 2])], valueAxis: .linear("t < 5 & u > 3"),
            annotations: ["<&>", ""]
        )
        let svg = chart.svg(standalone: true)
        #expect(!svg.contains("a<b") && !svg.contains("x<y>") && svg.contains("a&lt;b &amp; c&gt;d"))
        let inspection = SVGInspection(svg)
        #expect(inspection.parseError == nil)
        #expect(inspection.texts.contains("a<b & c>d"))
        #expect(inspection.texts.contains("\"q\" & 'r'"))
        #expect(inspection.texts.contains("t < 5 & u > 3"))
        #expect(inspection.texts.contains("1 · <&>"))
    }

    /// x positions of the major tick marks (5 px long) of the x axis.
    private func majorTickPositions(_ inspection: SVGInspection) -> [Double] {
        inspection.elements(named: "line", inGroup: "x axis").compactMap { line -> Double? in
            guard let y1 = line.attributes["y1"].flatMap(Double.init), let y2 = line.attributes["y2"].flatMap(Double.init),
                  abs(y2 - y1 - 5) < 1e-9 else { return nil }
            return line.attributes["x1"].flatMap(Double.init)
        }
    }

    @Test func logAxisPlacesDecadesAtEqualDistances() throws {
        var axis = ChartAxis.logarithmic("x")
        axis.lowerBound = 1
        axis.upperBound = 10_000
        let chart = LineChart(
            title: "log", xAxis: axis, yAxis: .linear("y"),
            series: [.init(name: "s", points: [DataPoint(x: 3, y: 1), DataPoint(x: 300, y: 2)])]
        )
        let inspection = SVGInspection(chart.svg(standalone: true))
        let ticks = majorTickPositions(inspection)
        try #require(ticks.count == 5)
        let gaps = zip(ticks.dropFirst(), ticks).map { $0 - $1 }
        for gap in gaps { #expect(abs(gap - gaps[0]) <= 0.02, "decade gaps \(gaps)") }
        #expect(inspection.texts(inGroup: "x axis").prefix(5) == ["1", "10", "100", "1k", "10k"])
    }

    @Test func logBarLengthsFollowTheLogarithmOfTheValue() throws {
        let inspection = SVGInspection(ChartFixtures.strategyBars.svg(standalone: true))
        let bars = inspection.elements(named: "rect", inGroup: "bars")
        #expect(bars.count == 9, "swift-autodiff has no value and no bar")
        let widths = try bars.map { try #require($0.attributes["width"].flatMap(Double.init)) }
        // Bars 4 (41×) and 8 (610×) against bar 0 (3.1×): pixel differences are in the ratio
        // of log10(610/3.1) to log10(41/3.1).
        let ratio = (widths[8] - widths[0]) / (widths[4] - widths[0])
        #expect(abs(ratio - log10(610 / 3.1) / log10(41 / 3.1)) < 1e-3)
        #expect(inspection.texts(inGroup: "bars").contains("— not applicable"))
        #expect(inspection.texts(inGroup: "bars").contains("610× · 2.44 ms"))
    }

    @Test func powerLawReferenceLineIsStraightOnLogLogAxes() throws {
        let inspection = SVGInspection(ChartFixtures.scalingLines.svg(standalone: true))
        let paths = inspection.elements(named: "path", inGroup: "reference lines")
        #expect(paths.count == 2)
        let d = try #require(paths.first?.attributes["d"])
        let numbers = d.split(whereSeparator: { $0 == " " || $0 == "M" || $0 == "L" }).compactMap { Double($0) }
        let points = stride(from: 0, to: numbers.count - 1, by: 2).map { (numbers[$0], numbers[$0 + 1]) }
        try #require(points.count >= 3)
        let (first, last) = (points[0], points[points.count - 1])
        for point in points {
            let cross = (last.0 - first.0) * (point.1 - first.1) - (last.1 - first.1) * (point.0 - first.0)
            let length = ((last.0 - first.0) * (last.0 - first.0) + (last.1 - first.1) * (last.1 - first.1)).squareRoot()
            #expect(abs(cross / length) < 0.05, "point \(point) is off the line")
        }
    }

    @Test func linesAreClippedToThePlotArea() {
        let clipped = PlotArea(left: 0, top: 0, width: 10, height: 10).clip(runs: [[(-5, 5), (5, 5), (15, 5)]])
        #expect(clipped.count == 1)
        #expect(clipped.first?.map(\.x) == [0, 5, 10])
        let outside = PlotArea(left: 0, top: 0, width: 10, height: 10).clip(runs: [[(-5, -5), (-1, 20)]])
        #expect(outside.isEmpty)
    }
}
