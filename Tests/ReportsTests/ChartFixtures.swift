import Foundation
@testable import Reports

/// Fixed chart inputs shaped like the real experiments (numbers are illustrative, not
/// measurements), shared by snapshot and structural tests.
enum ChartFixtures {
    static let strategies = [
        "forward-vectorized", "per-sample", "auto", "reverse-vectorized", "forward-loop",
        "forward-difference", "complex-step", "central-difference", "reverse-loop", "swift-autodiff",
    ]

    /// Jacobian time per strategy in forward-pass units with µs annotations; swift-autodiff
    /// has no value (not applicable).
    static var strategyBars: BarChart {
        let units = [3.1, 2.4, 2.5, 5.8, 41, 85, 96, 170, 610, .nan]
        let microseconds = [12.4, 9.6, 10.0, 23.2, 164, 340, 384, 680, 2440, .nan]
        let notes = microseconds.map { $0.isNaN ? "not applicable" : ValueFormat.microseconds.string($0) }
        return BarChart(
            title: "Jacobian time per strategy",
            subtitle: "seed-lm: N = 84 parameters, M = 576 residuals; median of 50 repeats",
            categories: strategies,
            series: [BarChart.Series(name: "forward-pass units", values: units)],
            valueAxis: ChartAxis(title: "time per Jacobian (forward-pass units)", scale: .logarithmic, format: .multiple),
            annotations: notes,
            markers: [BarChart.ValueMarker(value: 1, label: "1 forward pass")]
        )
    }

    /// Two grouped series on a linear axis.
    static var groupedBars: BarChart {
        BarChart(
            title: "Evaluations to reach the target cost",
            categories: ["levenberg-marquardt", "gauss-newton", "lbfgs", "adam"],
            series: [
                BarChart.Series(name: "residual evaluations", values: [14, 9, 120, 2400]),
                BarChart.Series(name: "Jacobian evaluations", values: [11, 9, 0, .nan]),
            ],
            valueAxis: ChartAxis(title: "count", scale: .linear)
        )
    }

    /// Time against N on log-log axes with ∝ N and ∝ N² guides through the first point.
    static var scalingLines: LineChart {
        let widths = [10.0, 30, 100, 300, 1000, 3000]
        let forward = widths.map { DataPoint(x: $0, y: 0.9 * $0) }
        let reverse = widths.map { DataPoint(x: $0, y: 35 + 0.02 * $0) }
        var vectorized = widths.map { DataPoint(x: $0, y: 2.0 + 0.004 * $0 * $0 / 30) }
        vectorized[3].y = .nan
        return LineChart(
            title: "Jacobian time against the number of parameters",
            subtitle: "M = 576 residuals",
            xAxis: ChartAxis(title: "parameters N", scale: .logarithmic, fitting: .padded(0.04)),
            yAxis: ChartAxis(title: "time per Jacobian (µs)", scale: .logarithmic, format: .microseconds, fitting: .padded(0.04)),
            series: [
                LineChart.Series(name: "forward-loop", points: forward),
                LineChart.Series(name: "reverse-loop", points: reverse),
                LineChart.Series(name: "forward-vectorized", points: vectorized),
            ],
            referenceLines: [
                .powerLaw("∝ N", exponent: 1, through: DataPoint(x: 10, y: 9)),
                .powerLaw("∝ N²", exponent: 2, through: DataPoint(x: 10, y: 2)),
            ]
        )
    }

    /// Cost against iteration, one line per optimizer, log cost; includes a zero cost
    /// (not drawable on a log axis) that must be skipped.
    static var convergence: LineChart {
        func trace(_ rate: Double, _ floor: Double, count: Int) -> [DataPoint] {
            (0..<count).map { DataPoint(x: Double($0), y: floor + 40 * pow(rate, Double($0))) }
        }
        var lm = trace(0.35, 1e-9, count: 25)
        lm.append(DataPoint(x: 25, y: 0))
        return LineChart.convergence(
            title: "Convergence on the forum network",
            xTitle: "iteration",
            series: [
                LineChart.Series(name: "levenberg-marquardt", points: lm),
                LineChart.Series(name: "gauss-newton", points: trace(0.5, 1e-7, count: 40)),
                LineChart.Series(name: "lbfgs", points: trace(0.85, 1e-5, count: 120)),
                LineChart.Series(name: "adam", points: trace(0.97, 1e-3, count: 200)),
            ]
        )
    }

    /// Winner per (N, M) cell; one cell skipped over budget.
    static var crossover: CategoryGridChart {
        let widths = ["10", "30", "100", "300", "1k", "3k"]
        let samples = ["10", "100", "1k", "10k"]
        let cells: [[CategoryGridChart.Cell]] = samples.indices.map { row in
            widths.indices.map { column in
                if row == 3 && column == 5 { return CategoryGridChart.Cell(category: nil, label: "over budget") }
                let winner: String
                if column <= row { winner = "forward-vectorized" } else if row == 0 { winner = "reverse-vectorized" } else { winner = "per-sample" }
                let autoAgrees = (row + column) % 4 != 1
                return CategoryGridChart.Cell(category: winner, label: autoAgrees ? "auto ✓" : "auto 1.3×")
            }
        }
        let colours = ChartPalette.assignment(for: strategies)
        return CategoryGridChart(
            title: "Fastest strategy per (N, M)",
            subtitle: "cell text: how auto's choice compares with the measured best",
            columnTitle: "parameters N", rowTitle: "residuals M",
            columnLabels: widths, rowLabels: samples, cells: cells,
            categories: ["forward-vectorized", "reverse-vectorized", "per-sample"].map { CategoryGridChart.Category(name: $0, colour: colours[$0] ?? .ink) }
        )
    }

    /// A small report exercising every block kind.
    static var document: ReportDocument {
        let lre = ColourScale.redYellowGreen(from: 0, to: 11)
        let table = ReportTable(
            columns: [
                ReportTable.Column("problem"),
                ReportTable.Column("start", alignment: .center),
                ReportTable.Column("LRE parameters", alignment: .right, colourScale: lre),
                ReportTable.Column("LRE residual sum of squares", alignment: .right, colourScale: lre),
            ],
            rows: [
                ["Misra1a", "1", .number(9.8, format: .decimal(places: 1)), .number(10.9, format: .decimal(places: 1))],
                ["MGH09", "1", .number(0, format: .decimal(places: 1)), .number(2.1, format: .decimal(places: 1))],
                ["Thurber", "2", .number(6.4, format: .decimal(places: 1)), ReportTable.Cell("—")],
            ],
            caption: "NIST StRD: log relative error (digits)"
        )
        return ReportDocument(
            title: "seed-lm — the forum case",
            metadata: [
                .init("experiment", "seed-lm"), .init("run", "20261127T192500Z-1a2b3c"),
                .init("machine", "2-core x86_64, OpenBLAS 0.3, 1 thread"),
            ],
            sections: [
                ReportSection("Answer", blocks: [
                    .paragraph("With M = 576 > N = 84, `forward-vectorized` is the fastest exact strategy; `reverse-loop` (the torch default) is 197× slower."),
                    .list(["reproduce: `make run EXP=seed-lm`", "tolerance 1e-10 & \"exact\" <strategies>"]),
                ]),
                ReportSection("Jacobian timing", blocks: [.chart(strategyBars, caption: "Log scale; labels give forward-pass units and the median time.")]),
                ReportSection("NIST", blocks: [.table(table), .preformatted("jacobench run experiments/nist.yaml\n")]),
            ]
        )
    }
}
