extension CategoryGridChart {
    /// One measured cell of the crossover experiment.
    public struct CrossoverCell: Sendable, Hashable {
        /// Parameters N of the case (the column).
        public var parameters: Int
        /// Residuals M of the case (the row).
        public var residuals: Int
        /// The measured fastest strategy; nil when the cell was skipped or failed.
        public var winner: String?
        /// Text in the cell: how `auto` scored ("auto ✓", "auto 1.3×"), or why it was skipped.
        public var label: String

        /// A cell; see the properties.
        public init(parameters: Int, residuals: Int, winner: String?, label: String = "") {
            self.parameters = parameters
            self.residuals = residuals
            self.winner = winner
            self.label = label
        }
    }

    /// The crossover map: one column per distinct N (increasing, left to right), one row
    /// per distinct M (increasing, bottom to top), each cell coloured by its winner.
    /// Axis labels are compact (`1k`, `10k`); a (N, M) pair given twice keeps the last.
    /// Axis titles default to a parameter Jacobian's (N columns, M rows).
    /// Legend: the winners that occur, in `strategyOrder` with colours from
    /// `ChartPalette.assignment(for: strategyOrder)`, then any others.
    public static func crossoverMap(
        title: String = "Fastest strategy per (N, M)", subtitle: String? = nil,
        cells: [CrossoverCell], strategyOrder: [String] = [],
        columnTitle: String = "parameters N", rowTitle: String = "residuals M"
    ) -> CategoryGridChart {
        let widths = Array(Set(cells.map(\.parameters))).sorted()
        let sizes = Array(Set(cells.map(\.residuals))).sorted()
        let column = Dictionary(uniqueKeysWithValues: widths.enumerated().map { ($0.element, $0.offset) })
        let row = Dictionary(uniqueKeysWithValues: sizes.enumerated().map { ($0.element, $0.offset) })
        var grid = Array(repeating: Array(repeating: Cell(category: nil), count: widths.count), count: sizes.count)
        for cell in cells {
            guard let r = row[cell.residuals], let c = column[cell.parameters] else { continue }
            grid[r][c] = Cell(category: cell.winner, label: cell.label)
        }
        let winners = Set(cells.compactMap(\.winner))
        let colours = ChartPalette.assignment(for: strategyOrder)
        let categories = strategyOrder.filter { winners.contains($0) }.reduce(into: [Category]()) { list, name in
            if let colour = colours[name], !list.contains(where: { $0.name == name }) {
                list.append(Category(name: name, colour: colour))
            }
        }
        return CategoryGridChart(
            title: title, subtitle: subtitle,
            columnTitle: columnTitle, rowTitle: rowTitle,
            columnLabels: widths.map { ValueFormat.automatic.string(Double($0)) },
            rowLabels: sizes.map { ValueFormat.automatic.string(Double($0)) },
            cells: grid, categories: categories
        )
    }
}
