/// The rectangle data is drawn in, in SVG pixels (y grows downwards).
struct PlotArea: Hashable {
    var left: Double
    var top: Double
    var width: Double
    var height: Double

    var right: Double { left + width }
    var bottom: Double { top + height }

    /// Whether (x, y) is inside, with `tolerance` pixels of slack.
    func contains(x: Double, y: Double, tolerance: Double = 0.5) -> Bool {
        x >= left - tolerance && x <= right + tolerance && y >= top - tolerance && y <= bottom + tolerance
    }

    /// The part of segment p0–p1 inside the rectangle (Liang–Barsky), nil if none.
    func clip(
        _ p0: (x: Double, y: Double), _ p1: (x: Double, y: Double)
    ) -> (start: (x: Double, y: Double), end: (x: Double, y: Double))? {
        let dx = p1.x - p0.x
        let dy = p1.y - p0.y
        var t0 = 0.0
        var t1 = 1.0
        let edges: [(p: Double, q: Double)] = [
            (-dx, p0.x - left), (dx, right - p0.x), (-dy, p0.y - top), (dy, bottom - p0.y),
        ]
        for (p, q) in edges {
            if p == 0 {
                if q < 0 { return nil }
                continue
            }
            let r = q / p
            if p < 0 {
                if r > t1 { return nil }
                t0 = max(t0, r)
            } else {
                if r < t0 { return nil }
                t1 = min(t1, r)
            }
        }
        return ((p0.x + t0 * dx, p0.y + t0 * dy), (p0.x + t1 * dx, p0.y + t1 * dy))
    }

    /// Polyline runs clipped to the rectangle: a run is split where it leaves the area.
    func clip(runs: [[(x: Double, y: Double)]]) -> [[(x: Double, y: Double)]] {
        var result: [[(x: Double, y: Double)]] = []
        for run in runs where run.count >= 2 {
            var current: [(x: Double, y: Double)] = []
            for index in 1..<run.count {
                guard let segment = clip(run[index - 1], run[index]) else {
                    if current.count >= 2 { result.append(current) }
                    current = []
                    continue
                }
                let continues = current.last.map { abs($0.x - segment.start.x) < 1e-9 && abs($0.y - segment.start.y) < 1e-9 } ?? false
                if !continues {
                    if current.count >= 2 { result.append(current) }
                    current = [segment.start]
                }
                current.append(segment.end)
            }
            if current.count >= 2 { result.append(current) }
        }
        return result
    }
}

/// One axis resolved for drawing: its configuration, scale, ticks and tick labels.
struct ResolvedAxis {
    let axis: ChartAxis
    let scale: AxisScale
    let ticks: AxisTicks
    let labels: [String]

    /// Resolves `axis` over `values` onto the pixel range `start...end`, with about one
    /// major tick per `pixelsPerTick` pixels on a linear axis.
    init(_ axis: ChartAxis, values: [Double], start: Double, end: Double, pixelsPerTick: Double) {
        let count = max(2, min(10, Int((abs(end - start) / pixelsPerTick).rounded())))
        let domain = axis.domain(covering: values, targetTickCount: count)
        self.axis = axis
        self.scale = AxisScale(kind: axis.scale, lower: domain.lower, upper: domain.upper, start: start, end: end)
        let ticks = axis.ticks(lower: domain.lower, upper: domain.upper, targetCount: count)
        self.ticks = ticks
        self.labels = axis.format.tickLabels(for: ticks)
    }

    /// Width of the widest tick label at the tick label size.
    var widestLabel: Double {
        labels.map { TextMetrics.width(of: $0, fontSize: ChartStyle.tickLabelSize) }.max() ?? 0
    }
}

/// Drawing of gridlines, axis lines, ticks, tick labels and axis titles around a plot area.
enum AxisDrawing {
    /// Distance from the plot's bottom edge to the centre of x tick labels.
    static let xLabelOffset = 15.0
    /// Distance from the plot's bottom edge to the centre of the x axis title.
    static let xTitleOffset = 37.0
    /// Space below the plot needed for x labels and title.
    static let bottomSpace = 48.0

    /// Vertical gridlines at the x ticks and horizontal ones at the y ticks (minor lighter).
    static func grid(x: ResolvedAxis?, y: ResolvedAxis?, in plot: PlotArea, into svg: inout SVGWriter) {
        svg.beginGroup(label: "grid")
        if let x {
            for value in x.ticks.minor { if let px = x.scale.position(of: value) {
                svg.line(x1: px, y1: plot.top, x2: px, y2: plot.bottom, stroke: ChartStyle.minorGridColour)
            } }
            for value in x.ticks.major { if let px = x.scale.position(of: value) {
                svg.line(x1: px, y1: plot.top, x2: px, y2: plot.bottom, stroke: ChartStyle.gridColour)
            } }
        }
        if let y {
            for value in y.ticks.minor { if let py = y.scale.position(of: value) {
                svg.line(x1: plot.left, y1: py, x2: plot.right, y2: py, stroke: ChartStyle.minorGridColour)
            } }
            for value in y.ticks.major { if let py = y.scale.position(of: value) {
                svg.line(x1: plot.left, y1: py, x2: plot.right, y2: py, stroke: ChartStyle.gridColour)
            } }
        }
        svg.endGroup()
    }

    /// The x axis along the plot's bottom: line, ticks (minor shorter), labels that would
    /// overlap their left neighbour are skipped, title centred below.
    static func xAxis(_ x: ResolvedAxis, in plot: PlotArea, into svg: inout SVGWriter) {
        svg.beginGroup(label: "x axis")
        svg.line(x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, stroke: ChartStyle.axisColour)
        for value in x.ticks.minor { if let px = x.scale.position(of: value) {
            svg.line(x1: px, y1: plot.bottom, x2: px, y2: plot.bottom + 3, stroke: ChartStyle.axisColour)
        } }
        var lastLabelEnd = -Double.infinity
        for (value, label) in zip(x.ticks.major, x.labels) {
            guard let px = x.scale.position(of: value) else { continue }
            svg.line(x1: px, y1: plot.bottom, x2: px, y2: plot.bottom + 5, stroke: ChartStyle.axisColour)
            let half = TextMetrics.width(of: label, fontSize: ChartStyle.tickLabelSize) / 2
            guard px - half >= lastLabelEnd + 4 else { continue }
            svg.text(label, x: px, y: plot.bottom + xLabelOffset, fontSize: ChartStyle.tickLabelSize, anchor: .middle, fill: ChartStyle.mutedText)
            lastLabelEnd = px + half
        }
        if !x.axis.title.isEmpty {
            svg.text(x.axis.title, x: plot.left + plot.width / 2, y: plot.bottom + xTitleOffset, fontSize: ChartStyle.axisTitleSize, anchor: .middle)
        }
        svg.endGroup()
    }

    /// The y axis along the plot's left edge: line, ticks, right-aligned labels (skipped
    /// when closer than a line height to the previous one), title rotated at `titleX`.
    static func yAxis(_ y: ResolvedAxis, in plot: PlotArea, titleX: Double, into svg: inout SVGWriter) {
        svg.beginGroup(label: "y axis")
        svg.line(x1: plot.left, y1: plot.top, x2: plot.left, y2: plot.bottom, stroke: ChartStyle.axisColour)
        for value in y.ticks.minor { if let py = y.scale.position(of: value) {
            svg.line(x1: plot.left - 3, y1: py, x2: plot.left, y2: py, stroke: ChartStyle.axisColour)
        } }
        var lastLabelY = Double.infinity
        for (value, label) in zip(y.ticks.major, y.labels) {
            guard let py = y.scale.position(of: value) else { continue }
            svg.line(x1: plot.left - 5, y1: py, x2: plot.left, y2: py, stroke: ChartStyle.axisColour)
            guard lastLabelY - py >= ChartStyle.tickLabelSize + 2 else { continue }
            svg.text(label, x: plot.left - 8, y: py, fontSize: ChartStyle.tickLabelSize, anchor: .end, fill: ChartStyle.mutedText)
            lastLabelY = py
        }
        if !y.axis.title.isEmpty {
            svg.text(y.axis.title, x: titleX, y: plot.top + plot.height / 2, fontSize: ChartStyle.axisTitleSize, anchor: .middle, rotation: -90)
        }
        svg.endGroup()
    }

    /// Title and subtitle at the top left, fitted to `width` (the title shrinks from 15 to
    /// 12 px, then both are cut with "…"); returns the y below them.
    static func heading(title: String, subtitle: String?, width: Double, into svg: inout SVGWriter) -> Double {
        let available = width - 2 * ChartStyle.margin
        var titleSize = ChartStyle.titleSize
        while titleSize > 12 && TextMetrics.width(of: title, fontSize: titleSize, bold: true) > available { titleSize -= 0.5 }
        let fittedTitle = TextMetrics.truncated(title, fontSize: titleSize, maximumWidth: available, bold: true)
        var y = ChartStyle.margin + ChartStyle.titleSize / 2
        svg.text(fittedTitle, x: ChartStyle.margin, y: y, fontSize: titleSize, bold: true)
        y += ChartStyle.titleSize / 2 + 4
        if let subtitle, !subtitle.isEmpty {
            y += ChartStyle.subtitleSize / 2 + 2
            let fitted = TextMetrics.truncated(subtitle, fontSize: ChartStyle.subtitleSize, maximumWidth: available)
            svg.text(fitted, x: ChartStyle.margin, y: y, fontSize: ChartStyle.subtitleSize, fill: ChartStyle.mutedText)
            y += ChartStyle.subtitleSize / 2
        }
        return y + 12
    }
}
