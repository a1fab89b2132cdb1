/// A horizontal bar chart: one row per category, one bar per series in each row, a value
/// axis (linear or log) at the bottom and the value written at the end of every bar.
///
/// Built for "Jacobian time per strategy": bars in forward-pass units on a log axis, each
/// labelled `12.3× · 45.1 µs` (value, then the category's annotation). A second series (for
/// example a second machine or a second size) draws grouped bars with a legend.
///
/// A value that cannot be drawn (NaN, infinite, or ≤ 0 on a log axis) has no bar; its row
/// shows "—" and the annotation instead (say why: "not applicable", "over budget").
public struct BarChart: SVGChart {
    /// One set of bars, one value per category.
    public struct Series: Sendable, Hashable {
        /// Legend name (the legend is shown when there are two or more series).
        public var name: String
        /// One value per category, in category order; NaN for none.
        public var values: [Double]
        /// Bar colour; nil takes the palette colour of the series' index.
        public var colour: Colour?

        /// A series; see the properties.
        public init(name: String, values: [Double], colour: Colour? = nil) {
            self.name = name
            self.values = values
            self.colour = colour
        }
    }

    /// A vertical dashed line at a value, labelled above the plot (e.g. "1 forward pass").
    public struct ValueMarker: Sendable, Hashable {
        /// Where the line is drawn.
        public var value: Double
        /// Its label.
        public var label: String

        /// A marker line; see the properties.
        public init(value: Double, label: String) {
            self.value = value
            self.label = label
        }
    }

    /// Heading.
    public var title: String
    /// Smaller line under the heading.
    public var subtitle: String?
    /// Row labels, top to bottom.
    public var categories: [String]
    /// The bars; every series has one value per category.
    public var series: [Series]
    /// The value axis (its format also writes the bar labels).
    public var valueAxis: ChartAxis
    /// Text after the value label of each category's last bar ("" for none); at most one
    /// per category, in category order.
    public var annotations: [String]
    /// Reference lines across all rows.
    public var markers: [ValueMarker]
    /// Per-category bar colours for a single-series chart (nil entries, or a missing
    /// entry, keep the series colour): lets a strategy keep its colour from other charts.
    public var categoryColours: [Colour?]
    /// Total width in pixels; the height follows from the number of rows.
    public var width: Double

    /// A bar chart; see the properties.
    public init(
        title: String, subtitle: String? = nil, categories: [String], series: [Series],
        valueAxis: ChartAxis, annotations: [String] = [], markers: [ValueMarker] = [],
        categoryColours: [Colour?] = [], width: Double = 720
    ) {
        self.title = title
        self.subtitle = subtitle
        self.categories = categories
        self.series = series
        self.valueAxis = valueAxis
        self.annotations = annotations
        self.markers = markers
        self.categoryColours = categoryColours
        self.width = width
    }

    private func value(series index: Int, category: Int) -> Double {
        let values = series[index].values
        return category < values.count ? values[category] : .nan
    }

    private func annotation(of category: Int) -> String {
        category < annotations.count ? annotations[category] : ""
    }

    private func drawable(_ value: Double) -> Bool {
        value.isFinite && (valueAxis.scale == .linear || value > 0)
    }

    /// The label written at the end of a bar (or in place of a missing one).
    private func label(series index: Int, category: Int) -> String {
        let v = value(series: index, category: category)
        var text = drawable(v) ? valueAxis.format.string(v) : "—"
        let note = annotation(of: category)
        if index == series.count - 1 && !note.isEmpty { text += drawable(v) ? " · " + note : " " + note }
        return text
    }

    /// The chart as SVG; see `SVGChart.svg(standalone:)`.
    public func svg(standalone: Bool = true) -> String {
        var svg = SVGWriter()
        var top = AxisDrawing.heading(title: title, subtitle: subtitle, width: width, into: &svg)

        if series.count > 1 {
            let legendColours = series.indices.map { series[$0].colour ?? ChartPalette.colour(at: $0) }
            // One row of swatches, wrapping to a new row where the next entry would not fit.
            let legend = Legend(entries: series.enumerated().map { index, entry in
                Legend.Entry(name: entry.name, colour: legendColours[index], symbol: .swatch)
            })
            var x = ChartStyle.margin
            svg.beginGroup(label: "legend")
            for entry in legend.entries {
                let entryWidth = 19 + TextMetrics.width(of: entry.name, fontSize: ChartStyle.legendSize)
                if x > ChartStyle.margin && x + entryWidth > width - ChartStyle.margin {
                    x = ChartStyle.margin
                    top += Legend.rowHeight
                }
                svg.rectangle(x: x, y: top - 6.5, width: 13, height: 13, fill: entry.colour)
                svg.text(entry.name, x: x + 19, y: top, fontSize: ChartStyle.legendSize)
                x += entryWidth + 18
            }
            svg.endGroup()
            top += 20
        }
        if !markers.isEmpty { top += 16 }

        let thickness = series.count <= 1 ? 18.0 : 13.0
        let band = thickness * Double(max(series.count, 1)) + 12
        let plotHeight = band * Double(max(categories.count, 1))
        let categoryLabels = categories.map {
            TextMetrics.truncated($0, fontSize: ChartStyle.axisTitleSize, maximumWidth: width * 0.35)
        }
        let categoryWidth = categoryLabels.map { TextMetrics.width(of: $0, fontSize: ChartStyle.axisTitleSize) }.max() ?? 0
        let left = ChartStyle.margin + categoryWidth + 10
        // Labels of drawn bars sit right of the bar and need room beyond the plot; labels of
        // missing bars sit inside the plot from its start and need the plot to be wide enough.
        var labelWidth = 0.0
        var missingLabelWidth = 0.0
        for category in categories.indices {
            for index in series.indices {
                let width = TextMetrics.width(of: label(series: index, category: category), fontSize: ChartStyle.valueLabelSize)
                if drawable(value(series: index, category: category)) {
                    labelWidth = max(labelWidth, width)
                } else {
                    missingLabelWidth = max(missingLabelWidth, width)
                }
            }
        }
        let right = max(left + 120, left + missingLabelWidth + 16, width - ChartStyle.margin - labelWidth - 8)

        var values = series.flatMap(\.values).filter(drawable)
        var axis = valueAxis
        switch axis.scale {
        case .linear: axis.includesZero = true
        case .logarithmic: if let smallest = values.min() { values.append(smallest / 3) }
        }
        let x = ResolvedAxis(axis, values: values, start: left, end: right, pixelsPerTick: 90)
        let plot = PlotArea(left: left, top: top, width: right - left, height: plotHeight)
        let base = x.scale.position(of: axis.scale == .linear ? 0 : x.scale.lower) ?? plot.left

        AxisDrawing.grid(x: x, y: nil, in: plot, into: &svg)
        if !markers.isEmpty {
            svg.beginGroup(label: "markers")
            for marker in markers {
                guard x.scale.contains(marker.value), let px = x.scale.position(of: marker.value) else { continue }
                svg.line(x1: px, y1: plot.top - 4, x2: px, y2: plot.bottom, stroke: ChartStyle.referenceColour, width: 1.25, dash: "5 4")
                svg.text(marker.label, x: px, y: plot.top - 11, fontSize: ChartStyle.valueLabelSize, anchor: .middle, fill: ChartStyle.referenceColour, italic: true)
            }
            svg.endGroup()
        }
        svg.beginGroup(label: "bars")
        for (category, name) in categoryLabels.enumerated() {
            let bandTop = plot.top + Double(category) * band
            svg.text(name, x: left - 10, y: bandTop + band / 2, fontSize: ChartStyle.axisTitleSize, anchor: .end)
            for index in series.indices {
                let barTop = bandTop + 6 + Double(index) * thickness
                let centre = barTop + (thickness - 2) / 2
                let v = value(series: index, category: category)
                let text = label(series: index, category: category)
                guard drawable(v), let end = x.scale.position(of: v) else {
                    svg.text(text, x: base + 6, y: centre, fontSize: ChartStyle.valueLabelSize, fill: ChartStyle.mutedText, italic: true, halo: true)
                    continue
                }
                let clamped = min(max(end, plot.left), plot.right)
                let categoryColour = series.count == 1 && category < categoryColours.count ? categoryColours[category] : nil
                let colour = categoryColour ?? series[index].colour ?? ChartPalette.colour(at: index)
                svg.rectangle(x: min(base, clamped), y: barTop, width: abs(clamped - base), height: thickness - 2, fill: colour)
                svg.text(text, x: max(clamped, base) + 5, y: centre, fontSize: ChartStyle.valueLabelSize)
            }
        }
        svg.endGroup()

        AxisDrawing.xAxis(x, in: plot, into: &svg)
        let height = plot.bottom + AxisDrawing.bottomSpace + ChartStyle.margin - 4
        return svg.document(width: width, height: height, title: title, standalone: standalone)
    }
}
