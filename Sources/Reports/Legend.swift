/// A chart legend: one entry per series or category, drawn as a vertical list.
struct Legend {
    /// What an entry shows beside its name.
    enum Symbol {
        /// A short line with an optional dash pattern and a marker in its middle.
        case line(dash: String?, marker: MarkerShape)
        /// A filled square, as for bars and grid cells.
        case swatch
    }

    struct Entry {
        var name: String
        var colour: Colour
        var symbol: Symbol
    }

    var entries: [Entry]

    /// Names longer than this many pixels are cut with "…".
    static let maximumNameWidth = 200.0

    /// Entries with names fitted to `maximumNameWidth`.
    init(entries: [Entry]) {
        self.entries = entries.map { entry in
            var fitted = entry
            fitted.name = TextMetrics.truncated(entry.name, fontSize: ChartStyle.legendSize, maximumWidth: Self.maximumNameWidth)
            return fitted
        }
    }

    static let rowHeight = 19.0
    static let symbolWidth = 24.0
    static let gap = 7.0

    /// Width of the widest entry.
    var width: Double {
        let widest = entries.map { TextMetrics.width(of: $0.name, fontSize: ChartStyle.legendSize) }.max() ?? 0
        return Self.symbolWidth + Self.gap + widest
    }

    /// Height of the list.
    var height: Double { Double(entries.count) * Self.rowHeight }

    /// Draws the entries from (x, top) downwards.
    func draw(x: Double, top: Double, into svg: inout SVGWriter) {
        svg.beginGroup(label: "legend")
        for (index, entry) in entries.enumerated() {
            let y = top + (Double(index) + 0.5) * Self.rowHeight
            switch entry.symbol {
            case .line(let dash, let marker):
                svg.line(x1: x, y1: y, x2: x + Self.symbolWidth, y2: y, stroke: entry.colour, width: 2, dash: dash)
                svg.marker(marker, x: x + Self.symbolWidth / 2, y: y, size: 7, colour: entry.colour)
            case .swatch:
                svg.rectangle(x: x + 5, y: y - 6.5, width: 13, height: 13, fill: entry.colour, stroke: ChartStyle.axisColour, strokeWidth: 0.5)
            }
            svg.text(entry.name, x: x + Self.symbolWidth + Self.gap, y: y, fontSize: ChartStyle.legendSize)
        }
        svg.endGroup()
    }
}
