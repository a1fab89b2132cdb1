extension BarChart {
    /// One strategy's measured Jacobian time, as the pipeline's timing evaluation reports it.
    public struct StrategyTiming: Sendable, Hashable {
        /// Strategy name as in manifests (`forward-vectorized`).
        public var strategy: String
        /// Median time as a multiple of one forward pass over the batch; NaN when not measured.
        public var forwardPassUnits: Double
        /// Median time in microseconds; NaN when not measured.
        public var medianMicroseconds: Double
        /// Extra text after the time, or the reason there is no bar ("not applicable: ...").
        public var note: String

        /// A timing row; see the properties.
        public init(strategy: String, forwardPassUnits: Double, medianMicroseconds: Double, note: String = "") {
            self.strategy = strategy
            self.forwardPassUnits = forwardPassUnits
            self.medianMicroseconds = medianMicroseconds
            self.note = note
        }
    }

    /// "Jacobian time per strategy": bars in forward-pass units on a log axis, labelled
    /// `3.1× · 12.4 µs`, fastest at the top (unmeasured strategies last, in the given
    /// order, showing their note), a dashed line at one forward pass, and each bar in its
    /// strategy's colour from `ChartPalette.assignment(for: strategyOrder)` when
    /// `strategyOrder` is given (pass the full canonical list so colours match other charts).
    public static func jacobianTiming(
        title: String = "Jacobian time per strategy", subtitle: String? = nil,
        timings: [StrategyTiming], strategyOrder: [String] = []
    ) -> BarChart {
        let measured = timings.enumerated()
            .filter { $0.element.forwardPassUnits.isFinite && $0.element.forwardPassUnits > 0 }
            .sorted { ($0.element.forwardPassUnits, $0.offset) < ($1.element.forwardPassUnits, $1.offset) }
            .map(\.element)
        let unmeasured = timings.filter { !($0.forwardPassUnits.isFinite && $0.forwardPassUnits > 0) }
        let rows = measured + unmeasured
        let colours = ChartPalette.assignment(for: strategyOrder)
        let annotations = rows.map { row -> String in
            let time = row.medianMicroseconds.isFinite ? ValueFormat.microseconds.string(row.medianMicroseconds) : ""
            return [time, row.note].filter { !$0.isEmpty }.joined(separator: " · ")
        }
        return BarChart(
            title: title, subtitle: subtitle,
            categories: rows.map(\.strategy),
            series: [Series(name: "forward-pass units", values: rows.map(\.forwardPassUnits))],
            valueAxis: ChartAxis(title: "time per Jacobian (forward-pass units, log scale)", scale: .logarithmic, format: .multiple),
            annotations: annotations,
            markers: [ValueMarker(value: 1, label: "1 forward pass")],
            categoryColours: rows.map { colours[$0.strategy] }
        )
    }
}
