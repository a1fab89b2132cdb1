/// A categorical heat map: a grid of cells, each coloured by the category it holds, with
/// optional text in the cell and a legend of categories.
///
/// Built for the crossover map: columns are widths N, rows are sample counts M, each cell
/// is coloured by the winning strategy and may say how `auto` scored there.
/// Rows are drawn bottom-up (row 0 at the bottom, like a y axis); columns left to right.
/// A cell without a category (skipped, failed) is grey and shows its label, if any.
public struct CategoryGridChart: SVGChart {
    /// One cell of the grid.
    public struct Cell: Sendable, Hashable {
        /// The category name that decides the colour; nil for an empty (skipped) cell.
        public var category: String?
        /// Text drawn in the cell ("" for none). All labels share the largest size (11 down
    /// to 8 px) at which every one fits; one that does not fit even at 8 px is left out.
        public var label: String

        /// A cell; see the properties.
        public init(category: String?, label: String = "") {
            self.category = category
            self.label = label
        }
    }

    /// A legend entry: a category name and its colour.
    public struct Category: Sendable, Hashable {
        /// The name cells refer to.
        public var name: String
        /// Fill of its cells.
        public var colour: Colour

        /// A category; see the properties.
        public init(name: String, colour: Colour) {
            self.name = name
            self.colour = colour
        }
    }

    /// Heading.
    public var title: String
    /// Smaller line under the heading.
    public var subtitle: String?
    /// Title under the column labels, e.g. "parameters N".
    public var columnTitle: String
    /// Title beside the row labels, e.g. "residuals M".
    public var rowTitle: String
    /// Column labels, left to right.
    public var columnLabels: [String]
    /// Row labels, bottom to top.
    public var rowLabels: [String]
    /// `cells[row][column]`; missing entries draw as empty cells.
    public var cells: [[Cell]]
    /// Legend order and colours. Categories met in `cells` but not listed here are appended
    /// in first-seen order (row by row), each with the first palette colour not yet used.
    public var categories: [Category]
    /// Legend text of empty cells (shown only if some cell is empty).
    public var emptyLabel: String
    /// Total width in pixels; the height follows from the number of rows.
    public var width: Double

    /// A grid chart; see the properties.
    public init(
        title: String, subtitle: String? = nil, columnTitle: String, rowTitle: String,
        columnLabels: [String], rowLabels: [String], cells: [[Cell]],
        categories: [Category] = [], emptyLabel: String = "skipped", width: Double = 720
    ) {
        self.title = title
        self.subtitle = subtitle
        self.columnTitle = columnTitle
        self.rowTitle = rowTitle
        self.columnLabels = columnLabels
        self.rowLabels = rowLabels
        self.cells = cells
        self.categories = categories
        self.emptyLabel = emptyLabel
        self.width = width
    }

    private func cell(row: Int, column: Int) -> Cell {
        guard row < cells.count, column < cells[row].count else { return Cell(category: nil) }
        return cells[row][column]
    }

    /// Listed categories, then any others found in the cells, each with its colour.
    private func resolvedCategories() -> [Category] {
        var result = categories
        var known = Set(categories.map(\.name))
        for row in cells {
            for cell in row {
                guard let name = cell.category, !known.contains(name) else { continue }
                known.insert(name)
                let used = Set(result.map(\.colour))
                let colour = ChartPalette.colours.first { !used.contains($0) } ?? ChartPalette.colour(at: result.count)
                result.append(Category(name: name, colour: colour))
            }
        }
        return result
    }

    /// The chart as SVG; see `SVGChart.svg(standalone:)`.
    public func svg(standalone: Bool = true) -> String {
        var svg = SVGWriter()
        let top = AxisDrawing.heading(title: title, subtitle: subtitle, width: width, into: &svg)
        let palette = resolvedCategories()
        let colours = Dictionary(palette.map { ($0.name, $0.colour) }, uniquingKeysWith: { first, _ in first })
        let rows = rowLabels.count
        let columns = columnLabels.count
        let hasEmpty = (0..<rows).contains { row in (0..<columns).contains { cell(row: row, column: $0).category == nil } }

        var legendEntries = palette.map { Legend.Entry(name: $0.name, colour: $0.colour, symbol: .swatch) }
        if hasEmpty { legendEntries.append(Legend.Entry(name: emptyLabel, colour: ChartStyle.missingFill, symbol: .swatch)) }
        let legend = Legend(entries: legendEntries)

        let titleX = ChartStyle.margin + ChartStyle.axisTitleSize / 2
        let fittedRowLabels = rowLabels.map {
            TextMetrics.truncated($0, fontSize: ChartStyle.tickLabelSize, maximumWidth: width * 0.25)
        }
        let rowLabelWidth = fittedRowLabels.map { TextMetrics.width(of: $0, fontSize: ChartStyle.tickLabelSize) }.max() ?? 0
        let left = titleX + ChartStyle.axisTitleSize / 2 + 8 + rowLabelWidth + 8
        let right = max(left + 60, width - ChartStyle.margin - legend.width - 24)
        let cellWidth = (right - left) / Double(max(columns, 1))
        let cellHeight = min(max(cellWidth * 0.62, 26), 44)
        let plot = PlotArea(left: left, top: top, width: right - left, height: cellHeight * Double(max(rows, 1)))

        // One font size for every cell label: the largest (11 down to 8 px) at which all fit;
        // at 8 px a label that still does not fit is left out.
        let widestLabel = cells.flatMap { $0 }.map { TextMetrics.width(of: $0.label, fontSize: 1) }.max() ?? 0
        let labelSize = widestLabel > 0
            ? min(ChartStyle.valueLabelSize, max(8, ((cellWidth - 6) / widestLabel * 2).rounded(.down) / 2))
            : ChartStyle.valueLabelSize
        svg.beginGroup(label: "cells")
        for row in 0..<rows {
            let y = plot.bottom - Double(row + 1) * cellHeight
            for column in 0..<columns {
                let x = plot.left + Double(column) * cellWidth
                let content = cell(row: row, column: column)
                let fill = content.category.flatMap { colours[$0] } ?? ChartStyle.missingFill
                svg.rectangle(x: x, y: y, width: cellWidth, height: cellHeight, fill: fill, stroke: .white, strokeWidth: 1.5)
                guard !content.label.isEmpty, TextMetrics.width(of: content.label, fontSize: labelSize) <= cellWidth - 6 else {
                    continue
                }
                let ink = content.category == nil ? ChartStyle.mutedText : fill.contrastingText
                svg.text(content.label, x: x + cellWidth / 2, y: y + cellHeight / 2, fontSize: labelSize, anchor: .middle, fill: ink)
            }
        }
        svg.endGroup()

        svg.beginGroup(label: "x axis")
        var lastLabelEnd = -Double.infinity
        for (column, label) in columnLabels.enumerated() {
            let centre = plot.left + (Double(column) + 0.5) * cellWidth
            let half = TextMetrics.width(of: label, fontSize: ChartStyle.tickLabelSize) / 2
            guard centre - half >= lastLabelEnd + 4 else { continue }
            svg.text(label, x: centre, y: plot.bottom + AxisDrawing.xLabelOffset - 3, fontSize: ChartStyle.tickLabelSize, anchor: .middle, fill: ChartStyle.mutedText)
            lastLabelEnd = centre + half
        }
        svg.text(columnTitle, x: plot.left + plot.width / 2, y: plot.bottom + AxisDrawing.xTitleOffset - 3, fontSize: ChartStyle.axisTitleSize, anchor: .middle)
        svg.endGroup()

        svg.beginGroup(label: "y axis")
        var lastLabelY = Double.infinity
        for (row, label) in fittedRowLabels.enumerated() {
            let centre = plot.bottom - (Double(row) + 0.5) * cellHeight
            guard lastLabelY - centre >= ChartStyle.tickLabelSize + 2 else { continue }
            svg.text(label, x: plot.left - 8, y: centre, fontSize: ChartStyle.tickLabelSize, anchor: .end, fill: ChartStyle.mutedText)
            lastLabelY = centre
        }
        svg.text(rowTitle, x: titleX, y: plot.top + plot.height / 2, fontSize: ChartStyle.axisTitleSize, anchor: .middle, rotation: -90)
        svg.endGroup()

        legend.draw(x: plot.right + 18, top: plot.top, into: &svg)
        let height = max(plot.bottom + AxisDrawing.bottomSpace, plot.top + legend.height) + ChartStyle.margin - 4
        return svg.document(width: width, height: height, title: title, standalone: standalone)
    }
}
