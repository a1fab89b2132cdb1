import Foundation

/// Several series of (x, y) points on linear or log axes, with markers, a legend and
/// optional reference lines (theoretical slopes such as ∝ N or ∝ M² on log-log axes).
///
/// Convergence curves are line charts too: cost (log y) against iteration or time, one
/// series per optimizer; see `LineChart.convergence`.
///
/// Points that cannot be placed (NaN, infinities, zero or negative on a log axis) are
/// skipped and break the line there; they never stop the chart from rendering.
public struct LineChart: SVGChart {
    /// One named line.
    public struct Series: Sendable, Hashable {
        /// Legend name.
        public var name: String
        /// Points in drawing order (not re-sorted).
        public var points: [DataPoint]
        /// Line colour; nil takes the palette colour of the series' index.
        public var colour: Colour?
        /// Marker; nil draws the index's shape when the series has at most 30 points and
        /// none otherwise (dense convergence traces).
        public var marker: MarkerShape?
        /// SVG dash pattern such as `"6 3"`; nil is solid. Only digits, spaces, commas and
        /// dots are kept when written.
        public var dash: String?
        /// Whether the points are joined by a line; false draws markers only (data points).
        public var connects: Bool = true

        /// A series; see the properties.
        public init(name: String, points: [DataPoint], colour: Colour? = nil, marker: MarkerShape? = nil, dash: String? = nil) {
            self.name = name
            self.points = points
            self.colour = colour
            self.marker = marker
            self.dash = dash
        }
    }

    /// A grey dashed guide line, labelled at its right end.
    public struct ReferenceLine: Sendable, Hashable {
        /// The line's shape.
        public enum Shape: Sendable, Hashable {
            /// y = anchor.y · (x / anchor.x)^exponent: a straight line of slope `exponent` on
            /// log-log axes through the anchor point (exponent 1 for ∝ N, 2 for ∝ M²).
            case powerLaw(exponent: Double, through: DataPoint)
            /// y = value.
            case horizontal(Double)
            /// x = value.
            case vertical(Double)
        }

        /// Label drawn at the line's end, e.g. "∝ M²".
        public var label: String
        /// The line.
        public var shape: Shape

        /// A reference line; see the properties.
        public init(label: String, shape: Shape) {
            self.label = label
            self.shape = shape
        }

        /// A power law through `anchor`: y ∝ x^exponent.
        public static func powerLaw(_ label: String, exponent: Double, through anchor: DataPoint) -> ReferenceLine {
            ReferenceLine(label: label, shape: .powerLaw(exponent: exponent, through: anchor))
        }
    }

    /// Heading.
    public var title: String
    /// Smaller line under the heading (units, machine, what is compared).
    public var subtitle: String?
    /// Horizontal axis.
    public var xAxis: ChartAxis
    /// Vertical axis.
    public var yAxis: ChartAxis
    /// The lines, drawn in order (later on top).
    public var series: [Series]
    /// Guides drawn under the data; they do not widen the axes.
    public var referenceLines: [ReferenceLine]
    /// Total width in pixels.
    public var width: Double
    /// Total height in pixels.
    public var height: Double

    /// A line chart; see the properties.
    public init(
        title: String, subtitle: String? = nil, xAxis: ChartAxis, yAxis: ChartAxis,
        series: [Series], referenceLines: [ReferenceLine] = [], width: Double = 720, height: Double = 420
    ) {
        self.title = title
        self.subtitle = subtitle
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
        self.referenceLines = referenceLines
        self.width = width
        self.height = height
    }

    /// Convergence curves: one series per optimizer of cost against `xTitle` (iteration
    /// or time; pass `xFormat: .microseconds` for times in µs), with a log cost axis in
    /// powers of ten. Series without an explicit style are drawn without markers (traces
    /// are dense) and with dash patterns in turn.
    public static func convergence(
        title: String, subtitle: String? = nil, xTitle: String, xScale: AxisScaleKind = .linear,
        xFormat: ValueFormat = .automatic, costTitle: String = "cost ½‖r‖²", series: [Series]
    ) -> LineChart {
        LineChart(
            title: title, subtitle: subtitle,
            xAxis: ChartAxis(title: xTitle, scale: xScale, format: xFormat, includesZero: xScale == .linear, fitting: .nice),
            yAxis: ChartAxis(title: costTitle, scale: .logarithmic, format: .scientific, fitting: .padded(0.04)),
            series: series.enumerated().map { index, line in
                var styled = line
                if styled.marker == nil { styled.marker = MarkerShape.none }
                if styled.dash == nil { styled.dash = dashPatterns[index % dashPatterns.count] }
                return styled
            }
        )
    }

    /// Dash patterns given to convergence series in turn, so lines differ without colour.
    static let dashPatterns: [String?] = [nil, "7 3", "2 3", "9 3 2 3", "4 4"]

    /// The chart as SVG; see `SVGChart.svg(standalone:)`.
    public func svg(standalone: Bool = true) -> String {
        var svg = SVGWriter()
        let top = AxisDrawing.heading(title: title, subtitle: subtitle, width: width, into: &svg)

        let legend = Legend(entries: series.enumerated().map { index, line in
            Legend.Entry(name: line.name, colour: colour(of: index), symbol: .line(dash: line.dash, marker: marker(of: index)))
        })
        let legendSpace = series.count > 1 || !(series.first?.name.isEmpty ?? true) ? legend.width + 24 : 0
        let plotBottom = max(top + 60, height - ChartStyle.margin - AxisDrawing.bottomSpace)
        let y = ResolvedAxis(
            yAxis, values: series.flatMap { $0.points.map(\.y) }, start: plotBottom, end: top, pixelsPerTick: 55
        )
        let titleX = ChartStyle.margin + ChartStyle.axisTitleSize / 2
        let left = titleX + ChartStyle.axisTitleSize / 2 + 8 + y.widestLabel + 8
        let plotRight = max(left + 60, width - ChartStyle.margin - legendSpace)
        let x = ResolvedAxis(
            xAxis, values: series.flatMap { $0.points.map(\.x) }, start: left, end: plotRight, pixelsPerTick: 90
        )
        let plot = PlotArea(left: left, top: top, width: plotRight - left, height: plotBottom - top)

        AxisDrawing.grid(x: x, y: y, in: plot, into: &svg)
        drawReferenceLines(x: x, y: y, plot: plot, into: &svg)
        for (index, line) in series.enumerated() {
            drawSeries(line, index: index, x: x, y: y, plot: plot, into: &svg)
        }
        AxisDrawing.xAxis(x, in: plot, into: &svg)
        AxisDrawing.yAxis(y, in: plot, titleX: titleX, into: &svg)
        if legendSpace > 0 {
            legend.draw(x: plot.right + 18, top: plot.top, into: &svg)
        }
        let totalHeight = max(height, plot.top + legend.height + ChartStyle.margin)
        return svg.document(width: width, height: totalHeight, title: title, standalone: standalone)
    }

    private func colour(of index: Int) -> Colour {
        series[index].colour ?? ChartPalette.colour(at: index)
    }

    private func marker(of index: Int) -> MarkerShape {
        series[index].marker ?? (series[index].points.count <= 30 ? MarkerShape.shape(at: index) : .none)
    }

    private func drawSeries(_ line: Series, index: Int, x: ResolvedAxis, y: ResolvedAxis, plot: PlotArea, into svg: inout SVGWriter) {
        svg.beginGroup(label: "series " + line.name)
        var runs: [[(x: Double, y: Double)]] = [[]]
        var placed: [(x: Double, y: Double)] = []
        placed.reserveCapacity(line.points.count)
        for point in line.points {
            if let px = x.scale.position(of: point.x), let py = y.scale.position(of: point.y) {
                runs[runs.count - 1].append((px, py))
                placed.append((px, py))
            } else if !(runs.last?.isEmpty ?? true) {
                runs.append([])
            }
        }
        let colour = colour(of: index)
        if line.connects { svg.polyline(runs: plot.clip(runs: runs), stroke: colour, width: 2, dash: line.dash) }
        let shape = line.connects ? marker(of: index) : (line.marker ?? .circle)
        if shape != .none {
            for point in placed where plot.contains(x: point.x, y: point.y) {
                svg.marker(shape, x: point.x, y: point.y, size: 7, colour: colour)
            }
        }
        svg.endGroup()
    }

    /// Where to write a reference line's label: at the last point of the run (searching
    /// backwards) where the text fits inside the plot on the side away from the line —
    /// above-left of a rising line, above-right of a falling one, so the text never
    /// crosses the line it names.
    static func labelPlacement(
        _ label: String, along run: [(x: Double, y: Double)], in plot: PlotArea
    ) -> (x: Double, y: Double, anchor: SVGWriter.TextAnchor)? {
        guard let last = run.last, let first = run.first else { return nil }
        let width = TextMetrics.width(of: label, fontSize: ChartStyle.valueLabelSize)
        let height = ChartStyle.valueLabelSize
        if abs(last.x - first.x) < 1e-6 {
            let top = min(first.y, last.y)
            return (last.x + 5, top + height, .start)
        }
        for index in stride(from: run.count - 1, through: 1, by: -1) {
            let point = run[index]
            let previous = run[index - 1]
            let falling = (point.y - previous.y) * (point.x - previous.x) > 0
            let centreY = point.y - 5 - height / 2
            guard centreY - height / 2 >= plot.top + 1 else { continue }
            if falling {
                if point.x + 4 + width <= plot.right - 2 { return (point.x + 4, centreY, .start) }
            } else if point.x - 4 - width >= plot.left + 2 {
                return (point.x - 4, centreY, .end)
            }
        }
        return nil
    }

    private func drawReferenceLines(x: ResolvedAxis, y: ResolvedAxis, plot: PlotArea, into svg: inout SVGWriter) {
        guard !referenceLines.isEmpty else { return }
        svg.beginGroup(label: "reference lines")
        for reference in referenceLines {
            var run: [(x: Double, y: Double)] = []
            switch reference.shape {
            case .horizontal(let value):
                if let py = y.scale.position(of: value) { run = [(plot.left, py), (plot.right, py)] }
            case .vertical(let value):
                if let px = x.scale.position(of: value) { run = [(px, plot.bottom), (px, plot.top)] }
            case .powerLaw(let exponent, let anchor):
                guard anchor.x.isFinite, anchor.y.isFinite, anchor.x != 0 else { continue }
                let samples = 64
                run.reserveCapacity(samples + 1)
                for step in 0...samples {
                    let t = Double(step) / Double(samples)
                    let xValue: Double
                    switch x.scale.kind {
                    case .linear: xValue = x.scale.lower + t * (x.scale.upper - x.scale.lower)
                    case .logarithmic: xValue = pow(10, log10(x.scale.lower) + t * (log10(x.scale.upper) - log10(x.scale.lower)))
                    }
                    let yValue = anchor.y * pow(xValue / anchor.x, exponent)
                    if let px = x.scale.position(of: xValue), let py = y.scale.position(of: yValue) {
                        run.append((px, py))
                    }
                }
            }
            let clipped = plot.clip(runs: [run])
            svg.polyline(runs: clipped, stroke: ChartStyle.referenceColour, width: 1.25, dash: "5 4")
            guard let visible = clipped.last, let placement = Self.labelPlacement(reference.label, along: visible, in: plot) else {
                continue
            }
            svg.text(
                reference.label, x: placement.x, y: placement.y, fontSize: ChartStyle.valueLabelSize,
                anchor: placement.anchor, fill: ChartStyle.referenceColour, italic: true, halo: true
            )
        }
        svg.endGroup()
    }
}
