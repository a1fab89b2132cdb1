import Foundation
import JSONDocuments
import Jacobians
import Reports

/// report.html and summary.md of a bundle, both rendered from one `ReportDocument` built
/// from the bundle's own files (summary.json, environment.json, resolved.json and each
/// case's trace.csv), so `jacobench report` rebuilds exactly what the run wrote.
///
/// Sections appear only when their data exists: Jacobian time per strategy (forward-pass
/// units and µs) per case; the crossover map and time-vs-N / time-vs-M log-log lines with
/// theoretical slopes when cases differ in parameter or residual count; convergence curves
/// from solver traces; the NIST LRE table coloured by digits; every case's metrics.
public enum BundleReport {
    /// The inputs of the report, as read from a bundle.
    public struct Inputs: Sendable {
        /// summary.json.
        public var summary: JSONValue
        /// The manifest's description.
        public var description: String
        /// environment.json (machine, BLAS, commit), `.null` when missing.
        public var environment: JSONValue
        /// Each case's trace.csv text, by case id (cases without a solver may be absent).
        public var traces: [String: String]
        /// Each case's parameters.json, by case id (absent when unreadable).
        public var parameters: [String: JSONValue]
        /// Each case's fit.csv text (one input, one target), by case id.
        public var fitCurves: [String: String] = [:]

        /// Inputs; see the properties.
        public init(
            summary: JSONValue, description: String, environment: JSONValue = .null, traces: [String: String] = [:],
            parameters: [String: JSONValue] = [:]
        ) {
            self.summary = summary
            self.description = description
            self.environment = environment
            self.traces = traces
            self.parameters = parameters
        }
    }

    /// Reads the inputs from the bundle folder at `path`.
    ///
    /// - Throws: ``BundleError`` when summary.json is missing or unreadable (not a bundle).
    public static func read(bundlePath path: String) throws -> Inputs {
        let summary = try CheckedBundleFiles.summary(path)
        let environment = (try? BundleFiles.readJSON(path + "/environment.json")) ?? .null
        let resolved = (try? BundleFiles.readJSON(path + "/resolved.json")) ?? .null
        let description = resolved["cases"]?.arrayValue?.first?["manifest"]?["description"]?.stringValue ?? ""
        var traces: [String: String] = [:]
        var parameters: [String: JSONValue] = [:]
        var curves: [String: String] = [:]
        for item in summary["cases"]?.arrayValue ?? [] {
            guard let id = item["id"]?.stringValue else { continue }
            if let text = try? BundleFiles.read(path + "/cases/" + id + "/trace.csv") { traces[id] = text }
            if let json = try? BundleFiles.readJSON(path + "/cases/" + id + "/parameters.json") { parameters[id] = json }
            if let text = try? BundleFiles.read(path + "/cases/" + id + "/fit.csv") { curves[id] = text }
        }
        var inputs = Inputs(summary: summary, description: description, environment: environment, traces: traces, parameters: parameters)
        inputs.fitCurves = curves
        return inputs
    }

    /// Writes report.html and summary.md into the bundle folder at `path` from its files.
    public static func write(bundlePath path: String, description: String? = nil) throws {
        var inputs = try read(bundlePath: path)
        if let description { inputs.description = description }
        let document = document(inputs)
        try BundleFiles.write(MarkdownReport.render(document), to: path + "/summary.md")
        try BundleFiles.write(HTMLReport.render(document), to: path + "/report.html")
    }

    /// The report of a bundle.
    public static func document(_ inputs: Inputs) -> ReportDocument {
        let summary = inputs.summary
        let cases = (summary["cases"]?.arrayValue ?? []).map(CaseSummary.init)
        let experiment = summary["experiment"]?.stringValue ?? "?"
        var metadata = [ReportDocument.Metadata("run", summary["run"]?.stringValue ?? "?")]
        metadata.append(.init("machine", machineName(inputs.environment)))
        if let blas = inputs.environment["blas"]?.stringValue {
            let threads = inputs.environment["blas_threads"]?.canonicalText ?? "?"
            metadata.append(.init("BLAS", "\(blas) (\(threads) thread\(threads == "1" ? "" : "s"))"))
        }
        if let commit = EnvironmentRecord.buildCommitText(of: inputs.environment) { metadata.append(.init("build", commit)) }
        if let date = inputs.environment["date"]?.stringValue { metadata.append(.init("date", date)) }

        var overview = ReportSection("Cases")
        if !inputs.description.isEmpty { overview.blocks.append(.paragraph(inputs.description)) }
        if summary["complete"] != .bool(true) {
            overview.blocks.append(.paragraph("Incomplete run: finish it with `jacobench run --resume`."))
        }
        overview.blocks.append(.table(casesTable(cases)))

        var sections = [overview]
        sections += timingSections(cases)
        sections += scalingSections(cases)
        if let section = fitTimeSection(cases) { sections.append(section) }
        if let section = convergenceSection(cases, traces: inputs.traces) { sections.append(section) }
        if let section = nistSection(cases) { sections.append(section) }
        sections += parameterSections(cases, parameters: inputs.parameters)
        if let section = fitCurveSection(cases, curves: inputs.fitCurves) { sections.append(section) }
        sections.append(metricsSection(cases))
        return ReportDocument(title: "\(experiment) — run \(summary["run"]?.stringValue ?? "?")", metadata: metadata, sections: sections)
    }

    /// CPU model and host from environment.json.
    static func machineName(_ environment: JSONValue) -> String {
        let cpu = environment["cpu_model"]?.stringValue
        let host = environment["host"]?.stringValue
        switch (cpu, host) {
        case let (cpu?, host?): return "\(cpu) (\(host))"
        case let (cpu?, nil): return cpu
        case let (nil, host?): return host
        default: return "unknown"
        }
    }

    /// Strategy names in catalog order, so a strategy keeps its colour across charts.
    static var strategyOrder: [String] { JacobianStrategyCatalog.names }

    // MARK: Sections

    private static func casesTable(_ cases: [CaseSummary]) -> ReportTable {
        ReportTable(
            columns: [.init("case"), .init("status"), .init("fit"), .init("data"), .init("θ₀"), .init("sweep"), .init("peak memory", alignment: .right)],
            rows: cases.map { item in
                let sweep = item.sweep.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.canonicalText)" }.joined(separator: "; ")
                let status = item.status + (item.error.map { " (\($0))" } ?? "")
                let memory = item.number("memory.peak_bytes").map { ValueText.bytes(Int($0)) } ?? "–"
                return [ReportTable.Cell(item.id), ReportTable.Cell(status), ReportTable.Cell(fitText(item)), ReportTable.Cell(item.dataHash),
                        ReportTable.Cell(item.startHash), ReportTable.Cell(sweep), ReportTable.Cell(memory)]
            },
            caption: "fit: the solver's status, then converged or not (rank of J when it is below the parameters). data and θ₀: the first digits of `data.hash` (training inputs and targets) and `model.initial_parameters_hash` (initial parameters); equal digits mean the cases share data or start."
                + (cases.contains { $0.number("memory.peak_bytes") != nil }
                    ? " Peak memory: the process's resident high-water mark during the case (\(cases.compactMap { $0.text("memory.peak_source") }.first ?? "VmHWM"))." : ""))
    }

    /// One chart and table per timed case (up to 8); beyond that one table of forward-pass
    /// units, a column per strategy.
    private static func timingSections(_ cases: [CaseSummary]) -> [ReportSection] {
        let timed = cases.filter { !$0.strategyTimings.isEmpty }
        guard !timed.isEmpty else { return [] }
        var section = ReportSection("Jacobian time per strategy")
        section.blocks.append(.paragraph(
            "Median wall time of one full Jacobian, as a multiple of one forward pass over the same batch measured in the same run (forward-pass units, comparable across machines), and in µs."))
        if timed.count <= 8 {
            for item in timed {
                let timings = item.strategyTimings
                let subtitle = item.shape.map { "\(item.id): N = \($0.parameters), M = \($0.residuals)" } ?? item.id
                section.blocks.append(.chart(BarChart.jacobianTiming(subtitle: subtitle, timings: timings, strategyOrder: strategyOrder), caption: nil))
                let rows = timings.sorted { order($0.forwardPassUnits) < order($1.forwardPassUnits) }.map { timing -> [ReportTable.Cell] in
                    [ReportTable.Cell(timing.strategy),
                     timing.forwardPassUnits.isFinite ? .number(timing.forwardPassUnits, format: .multiple) : "",
                     timing.medianMicroseconds.isFinite ? .number(timing.medianMicroseconds, format: .microseconds) : "",
                     ReportTable.Cell(timing.note)]
                }
                section.blocks.append(.table(ReportTable(
                    columns: [.init("strategy"), .init("forward-pass units", alignment: .right), .init("median", alignment: .right), .init("note")],
                    rows: rows, caption: item.id)))
            }
        } else {
            let strategies = orderedStrategies(timed)
            section.blocks.append(.table(ReportTable(
                columns: [.init("case")] + strategies.map { .init($0, alignment: .right) } + [.init("fastest")],
                rows: timed.map { item in
                    let units = Dictionary(item.strategyTimings.map { ($0.strategy, $0.forwardPassUnits) }, uniquingKeysWith: { a, _ in a })
                    return [ReportTable.Cell(item.id)]
                        + strategies.map { name in units[name].flatMap { $0.isFinite ? ReportTable.Cell.number($0, format: .multiple) : nil } ?? "–" }
                        + [ReportTable.Cell(item.winner ?? "–")]
                },
                caption: "forward-pass units per strategy")))
        }
        return [section]
    }

    /// The sweep key whose values split a crossover into panels: what the Jacobian is taken
    /// with respect to (parameters of a network over many samples, or the inputs of one point).
    static let panelKey = "jacobian.with-respect-to"

    /// Crossover maps and time-vs-N / time-vs-M when cases differ in N or M: one panel per
    /// value of ``panelKey`` when the sweep varies it (e.g. a coupled inputs panel beside the
    /// parameters panel), else one.
    private static func scalingSections(_ cases: [CaseSummary]) -> [ReportSection] {
        let shaped = cases.filter { $0.shape != nil && (!$0.strategyTimings.isEmpty || $0.status == "skipped") }
        var panels: [String] = []
        for item in shaped {
            let panel = item.sweep[panelKey]?.stringValue ?? ""
            if !panels.contains(panel) { panels.append(panel) }
        }
        return panels.flatMap { panel in
            scalingSection(shaped.filter { ($0.sweep[panelKey]?.stringValue ?? "") == panel }, panel: panel)
        }
    }

    /// One crossover panel; `panel` is the value of ``panelKey`` its cases share ("" when not swept).
    private static func scalingSection(_ shaped: [CaseSummary], panel: String) -> [ReportSection] {
        let widths = Set(shaped.compactMap { $0.shape?.parameters })
        let sizes = Set(shaped.compactMap { $0.shape?.residuals })
        guard widths.count >= 2 || sizes.count >= 2 else { return [] }
        let inputs = panel == JacobianVariables.inputs.rawValue
        var section = ReportSection(panel.isEmpty ? "Crossover" : "Crossover: Jacobian with respect to \(panel)")
        let cells = shaped.compactMap { item -> CategoryGridChart.CrossoverCell? in
            guard let shape = item.shape else { return nil }
            let label = item.status == "skipped" ? "skipped" : item.autoScore ?? ""
            return CategoryGridChart.CrossoverCell(parameters: shape.parameters, residuals: shape.residuals, winner: item.winner, label: label)
        }
        let map = inputs
            ? CategoryGridChart.crossoverMap(
                title: "Fastest strategy per (inputs n, outputs m), one coupled point", cells: cells, strategyOrder: strategyOrder,
                columnTitle: "inputs n", rowTitle: "outputs m")
            : CategoryGridChart.crossoverMap(cells: cells, strategyOrder: strategyOrder)
        section.blocks.append(.chart(map,
                                     caption: "Fastest exact strategy per cell (auto excluded); the label scores `auto` against it (✓ within 10%); \"skipped\" cells were predicted over the manifest's limits."))
        section.blocks.append(.table(crossoverTable(shaped)))
        let skipped = shaped.filter { $0.status == "skipped" }
        if !skipped.isEmpty {
            section.blocks.append(.table(ReportTable(
                columns: [.init("skipped cell"), .init("N", alignment: .right), .init("M", alignment: .right), .init("reason")],
                rows: skipped.map { item in
                    [ReportTable.Cell(item.id), ReportTable.Cell(String(item.shape?.parameters ?? 0)),
                     ReportTable.Cell(String(item.shape?.residuals ?? 0)), ReportTable.Cell(item.error ?? "")]
                },
                caption: "Cells not run: predicted over limits.memory-cap or limits.time-budget.")))
        }
        let scored = shaped.compactMap(\.autoRatio)
        if !scored.isEmpty {
            let within = scored.filter { $0 <= 1.1 }.count
            section.blocks.append(.paragraph("`auto` within 10% of the measured best in \(within) of \(scored.count) cells; worst ratio \(ValueFormat.multiple.string(scored.max() ?? .nan))."))
        }
        if let chart = scalingChart(shaped, along: \.parameters, fixed: \.residuals, axis: "parameters N", fixedName: "M") {
            section.blocks.append(.chart(chart, caption: "Forward-loop needs N pushforwards (∝ N); guides show slopes 1 and 2."))
        }
        if let chart = scalingChart(shaped, along: \.residuals, fixed: \.parameters, axis: "residuals M", fixedName: "N") {
            section.blocks.append(.chart(chart, caption: "Reverse-loop needs M pullbacks (∝ M), each over the full batch, so its time grows ∝ M²; guides show slopes 1 and 2."))
        }
        return [section]
    }

    /// The crossover map as text: one row per M (largest first, as in the chart), one column
    /// per N, each cell the fastest exact strategy and auto's score, or "skipped".
    private static func crossoverTable(_ cases: [CaseSummary]) -> ReportTable {
        let widths = Array(Set(cases.compactMap { $0.shape?.parameters })).sorted()
        let sizes = Array(Set(cases.compactMap { $0.shape?.residuals })).sorted(by: >)
        var cells: [CaseShape: String] = [:]
        for item in cases {
            guard let shape = item.shape else { continue }
            if item.status == "skipped" {
                cells[shape] = "skipped"
            } else {
                cells[shape] = [item.winner ?? "–", item.autoScore ?? ""].filter { !$0.isEmpty }.joined(separator: ", ")
            }
        }
        return ReportTable(
            columns: [.init("M \\ N")] + widths.map { .init(String($0)) },
            rows: sizes.map { m in
                [ReportTable.Cell(String(m))] + widths.map { n in ReportTable.Cell(cells[CaseShape(parameters: n, residuals: m)] ?? "") }
            },
            caption: "Fastest exact strategy per (N, M), auto's score against it, or why the cell was skipped.")
    }

    /// Time (µs) of every strategy against one dimension, at the value of the other
    /// dimension that has the most distinct points; nil with fewer than two points.
    private static func scalingChart(
        _ cases: [CaseSummary], along: KeyPath<CaseShape, Int>, fixed: KeyPath<CaseShape, Int>, axis: String, fixedName: String
    ) -> LineChart? {
        var groups: [Int: [CaseSummary]] = [:]
        for item in cases { if let shape = item.shape { groups[shape[keyPath: fixed], default: []].append(item) } }
        guard let (fixedValue, group) = groups.max(by: { a, b in
            (Set(a.value.compactMap { $0.shape?[keyPath: along] }).count, a.key) < (Set(b.value.compactMap { $0.shape?[keyPath: along] }).count, b.key)
        }), Set(group.compactMap { $0.shape?[keyPath: along] }).count >= 2 else { return nil }
        let sorted = group.sorted { ($0.shape?[keyPath: along] ?? 0) < ($1.shape?[keyPath: along] ?? 0) }
        let colours = ChartPalette.assignment(for: strategyOrder)
        let series = orderedStrategies(sorted).map { name in
            LineChart.Series(name: name, points: sorted.compactMap { item in
                guard let x = item.shape?[keyPath: along],
                      let time = item.strategyTimings.first(where: { $0.strategy == name })?.medianMicroseconds, time.isFinite else { return nil }
                return DataPoint(x: Double(x), y: time)
            }, colour: colours[name])
        }.filter { $0.points.count >= 2 }
        guard !series.isEmpty else { return nil }
        let anchor = series.flatMap(\.points).min { $0.x == $1.x ? $0.y < $1.y : $0.x < $1.x } ?? DataPoint(x: 1, y: 1)
        return LineChart(
            title: "Jacobian time against \(axis)", subtitle: "\(fixedName) = \(fixedValue)",
            xAxis: .logarithmic(axis), yAxis: .logarithmic("median time per Jacobian", format: .microseconds), series: series,
            referenceLines: [.powerLaw("slope 1", exponent: 1, through: anchor), .powerLaw("slope 2", exponent: 2, through: anchor)])
    }

    /// Time per solver iteration split into Jacobian and linear solve, with N, M and peak
    /// memory, when two or more cases ran a solver (the scaling experiment).
    private static func fitTimeSection(_ cases: [CaseSummary]) -> ReportSection? {
        let fitted = cases.filter { $0.number("fit.jacobian_us_per_iteration") != nil }
        guard fitted.count >= 2 else { return nil }
        func micro(_ value: Double?) -> ReportTable.Cell { value.map { .number($0, format: .microseconds) } ?? "–" }
        var section = ReportSection("Time per iteration")
        section.blocks.append(.table(ReportTable(
            columns: [.init("case"), .init("N", alignment: .right), .init("M", alignment: .right), .init("iterations", alignment: .right),
                      .init("Jacobian / iteration", alignment: .right), .init("solve / iteration", alignment: .right),
                      .init("residuals / iteration", alignment: .right), .init("Jacobian by"), .init("peak memory", alignment: .right)],
            rows: fitted.map { item in
                let iterations = item.number("fit.iterations") ?? .nan
                return [ReportTable.Cell(item.id),
                        ReportTable.Cell(item.number("fit.parameters").map { String(Int($0)) } ?? item.shape.map { String($0.parameters) } ?? "–"),
                        ReportTable.Cell(item.number("fit.residuals").map { String(Int($0)) } ?? item.shape.map { String($0.residuals) } ?? "–"),
                        ReportTable.Cell(iterations.isFinite ? String(Int(iterations)) : "–"),
                        micro(item.number("fit.jacobian_us_per_iteration")), micro(item.number("fit.linear_solve_us_per_iteration")),
                        micro(item.number("fit.residual_us_per_iteration")), ReportTable.Cell(item.text("fit.jacobian_strategy") ?? ""),
                        ReportTable.Cell(item.number("memory.peak_bytes").map { ValueText.bytes(Int($0)) } ?? "–")]
            },
            caption: "Wall time per solver iteration: the Jacobian (by the strategy named) against the damped linear solve.")))
        return section
    }

    /// Cost against iteration (and against time when traced), one line per case.
    private static func convergenceSection(_ cases: [CaseSummary], traces: [String: String]) -> ReportSection? {
        var byIteration: [LineChart.Series] = []
        var byTime: [LineChart.Series] = []
        for item in cases {
            guard let text = traces[item.id], let trace = TraceTable(text), trace.rows.count >= 1,
                  let cost = trace.column("cost") else { continue }
            let name = item.solverLabel.map { "\(item.id) (\($0))" } ?? item.id
            if let iteration = trace.column("iteration") {
                byIteration.append(.init(name: name, points: zip(iteration, cost).map { DataPoint(x: $0, y: $1) }))
            }
            if let seconds = trace.column("elapsed_seconds") {
                byTime.append(.init(name: name, points: zip(seconds, cost).map { DataPoint(x: $0 * 1e6, y: $1) }))
            }
        }
        guard !byIteration.isEmpty else { return nil }
        var section = ReportSection("Convergence")
        let shown = Array(byIteration.prefix(12))
        // Under a robust loss (`fit.loss`) the traced cost is ½·Σ C²ρ((r/C)²), not ½‖r‖².
        let robust = cases.contains { $0.text("fit.loss") != nil }
        let costTitle = robust ? "cost ½‖r‖² or ½ΣC²ρ((r/C)²)" : "cost ½‖r‖²"
        section.blocks.append(.chart(LineChart.convergence(title: "Cost against iteration", xTitle: "iteration", costTitle: costTitle, series: shown),
                                     caption: byIteration.count > shown.count ? "First \(shown.count) of \(byIteration.count) traces." : nil))
        if !byTime.isEmpty {
            section.blocks.append(.chart(LineChart.convergence(
                title: "Cost against time", xTitle: "time", xFormat: .microseconds, costTitle: costTitle, series: Array(byTime.prefix(12))), caption: nil))
        }
        return section
    }

    /// One row per case with `nist.*` metrics, LRE cells coloured 0 (red) to 11 (green) digits.
    private static func nistSection(_ cases: [CaseSummary]) -> ReportSection? {
        let scored = cases.filter { $0.number("nist.lre_min") != nil || $0.number("nist.lre_ssr") != nil }
        guard !scored.isEmpty else { return nil }
        let scale = ColourScale.redYellowGreen(from: 0, to: 11)
        func cell(_ value: Double?) -> ReportTable.Cell {
            guard let value, value.isFinite else { return "–" }
            return .number(value, format: .decimal(places: 1))
        }
        let table = ReportTable(
            columns: [.init("case"), .init("LRE parameters (min)", alignment: .right, colourScale: scale),
                      .init("LRE residual SS", alignment: .right, colourScale: scale),
                      .init("LRE std. errors (min)", alignment: .right, colourScale: scale),
                      .init("status"), .init("converged"), .init("rank", alignment: .right), .init("iterations", alignment: .right)],
            rows: scored.map { item in
                [ReportTable.Cell(item.id), cell(item.number("nist.lre_min")), cell(item.number("nist.lre_ssr")),
                 cell(item.number("nist.lre_stderr_min")), ReportTable.Cell(item.text("fit.status") ?? ""),
                 ReportTable.Cell(convergedText(item)), ReportTable.Cell(rankText(item)),
                 ReportTable.Cell(item.metrics["fit.iterations"]?.canonicalText ?? "")]
            },
            caption: "Log relative error against NIST's certified values: correct significant digits (higher is better). "
                + "Converged: a stopping test passed, the scaled gradient is at most 1e-6 (or the residuals are at rounding level) and J has full rank; rank: J's numerical rank of the free parameters.")
        var section = ReportSection("NIST: LRE")
        section.blocks.append(.table(table))
        return section
    }

    /// Most cases whose fitted parameters get a table, and most parameters in one.
    static let parameterTableLimits = (cases: 8, parameters: 30, correlations: 10)

    /// "Fitted parameters": for up to 8 fitted cases of at most 30 parameters, each parameter by
    /// name with its initial and fitted value and standard error ("not determined" when the
    /// data do not determine it), then the correlation matrix (up to 10 parameters).
    static func parameterSections(_ cases: [CaseSummary], parameters: [String: JSONValue]) -> [ReportSection] {
        let fitted = cases.filter { item in
            guard let json = parameters[item.id], let names = json["names"]?.arrayValue else { return false }
            return json["values"]?.arrayValue != nil && !names.isEmpty && names.count <= parameterTableLimits.parameters
        }
        guard !fitted.isEmpty, fitted.count <= parameterTableLimits.cases else { return [] }
        var section = ReportSection("Fitted parameters")
        section.blocks.append(.paragraph(
            "Standard errors from the covariance at the solution (σ̂²(JᵀJ)⁻¹, or (JᵀWJ)⁻¹ with absolute σ; under a robust loss J is the loss-rescaled Jacobian); a parameter the data do not determine (J rank deficient) has none, and one that ended on its min or max is held there, as a fixed one. Also in each case's parameters.csv."))
        func number(_ value: JSONValue?) -> Double? {
            if let number = value?.numberValue { return number }
            switch value?.stringValue {
            case "NaN"?: return .nan
            case "Infinity"?: return .infinity
            case "-Infinity"?: return -.infinity
            default: return nil
            }
        }
        // Fitted values to 8 significant digits, errors to 3 (what curve_fit users read off).
        func cell(_ value: Double?, digits: Int = 8) -> ReportTable.Cell {
            guard let value else { return "–" }
            return value.isFinite ? ReportTable.Cell(String(format: "%.\(digits)g", value)) : "not determined"
        }
        for item in fitted {
            guard let json = parameters[item.id] else { continue }
            let names = (json["names"]?.arrayValue ?? []).compactMap(\.stringValue)
            let initial = json["initial"]?.arrayValue ?? [], values = json["values"]?.arrayValue ?? []
            let errors = json["standard_errors"]?.arrayValue ?? []
            let atBound = (json["at_bound"]?.arrayValue ?? []).map(\.stringValue)
            let rows = names.indices.map { index -> [ReportTable.Cell] in
                let value = number(index < values.count ? values[index] : nil)
                if index < atBound.count, let side = atBound[index] {
                    // Held on its bound for the covariance: no standard error of its own.
                    return [ReportTable.Cell(names[index]), cell(number(index < initial.count ? initial[index] : nil)), cell(value),
                            ReportTable.Cell(side == "lower" ? "at min" : "at max"), "–"]
                }
                let error = number(index < errors.count ? errors[index] : nil)
                let relative = value.flatMap { v in error.map { abs($0 / v) } }
                return [ReportTable.Cell(names[index]), cell(number(index < initial.count ? initial[index] : nil)), cell(value),
                        cell(error, digits: 3), relative.map { $0.isFinite ? cell($0, digits: 2) : "–" } ?? "–"]
            }
            section.blocks.append(.table(ReportTable(
                columns: [.init("parameter"), .init("initial", alignment: .right), .init("fitted", alignment: .right),
                          .init("std. error", alignment: .right), .init("relative", alignment: .right)],
                rows: rows, caption: "\(item.id): \(fitText(item))")))
            if let correlations = json["correlations"]?.arrayValue, names.count > 1, names.count <= parameterTableLimits.correlations {
                let matrix = correlations.map { ($0.arrayValue ?? []).map(number) }
                section.blocks.append(.table(ReportTable(
                    columns: [.init("correlation")] + names.map { .init($0, alignment: .right) },
                    rows: names.indices.map { row in
                        [ReportTable.Cell(names[row])] + names.indices.map { column in
                            let value = row < matrix.count && column < matrix[row].count ? matrix[row][column] : nil
                            return value.map { ReportTable.Cell.number($0, format: .decimal(places: 3)) } ?? "–"
                        }
                    },
                    caption: "\(item.id): correlations of the fitted parameters")))
            }
        }
        return [section]
    }

    /// "Fit over the data": for up to 8 cases with a fit.csv (one input, one target), the data
    /// as points with the fitted curve, and the residuals (observed − fitted) against the input.
    static func fitCurveSection(_ cases: [CaseSummary], curves: [String: String]) -> ReportSection? {
        let drawn = cases.filter { curves[$0.id] != nil }
        guard !drawn.isEmpty, drawn.count <= parameterTableLimits.cases else { return nil }
        var section = ReportSection("Fit over the data")
        for item in drawn {
            guard let curve = FitCurveTable(csv: curves[item.id] ?? ""), curve.rowCount >= 2 else { continue }
            if !curve.hasOneInput {
                // Several inputs: fitted against observed, with the line fitted = observed.
                let series = curve.groups.map { group -> LineChart.Series in
                    var points = LineChart.Series(
                        name: group.target ?? "sample", points: group.rows.map { DataPoint(x: $0.observed, y: $0.fitted) }, marker: .circle)
                    points.connects = false
                    return points
                }
                let all = curve.groups.flatMap(\.rows)
                let low = all.map { min($0.observed, $0.fitted) }.min() ?? 0, high = all.map { max($0.observed, $0.fitted) }.max() ?? 1
                let diagonal = LineChart.Series(name: "fitted = observed", points: [DataPoint(x: low, y: low), DataPoint(x: high, y: high)], marker: MarkerShape.none)
                section.blocks.append(.chart(
                    LineChart(title: "Fitted against observed", subtitle: item.id, xAxis: .linear("observed"), yAxis: .linear("fitted"),
                              series: series + [diagonal], height: 360),
                    caption: "\(item.id): \(fitText(item))"))
                continue
            }
            var fits: [LineChart.Series] = [], residuals: [LineChart.Series] = []
            for group in curve.groups {
                let prefix = group.target.map { "\($0) " } ?? ""
                var observed = LineChart.Series(name: prefix + "observed", points: group.rows.map { DataPoint(x: $0.x, y: $0.observed) }, marker: .circle)
                observed.connects = false
                fits.append(observed)
                fits.append(LineChart.Series(name: prefix + "fitted", points: group.rows.map { DataPoint(x: $0.x, y: $0.fitted) }, marker: MarkerShape.none))
                var residual = LineChart.Series(name: prefix + "residual", points: group.rows.map { DataPoint(x: $0.x, y: $0.residual) }, marker: .circle)
                residual.connects = false
                residuals.append(residual)
            }
            section.blocks.append(.chart(
                LineChart(title: "Fit over the data", subtitle: item.id, xAxis: .linear("input"), yAxis: .linear("target"),
                          series: fits, height: 360),
                caption: "\(item.id): \(fitText(item))"))
            section.blocks.append(.chart(
                LineChart(title: "Residuals", subtitle: item.id, xAxis: .linear("input"), yAxis: .linear("observed − fitted", includesZero: true),
                          series: residuals, referenceLines: [.init(label: "0", shape: .horizontal(0))], height: 260),
                caption: "\(item.id): residuals (observed − fitted)"))
        }
        return section.blocks.isEmpty ? nil : section
    }

    /// "xtol, converged", "rank-deficient, not converged (rank 1 of 2)", or "–" without a fit.
    static func fitText(_ item: CaseSummary) -> String {
        guard let status = item.text("fit.status") else { return "–" }
        guard let converged = item.number("fit.converged") else { return status }
        var text = status + (converged == 1 ? ", converged" : ", not converged")
        if let rank = item.number("fit.rank"), let parameters = item.number("fit.parameters"), rank < parameters {
            text += " (rank \(Int(rank)) of \(Int(parameters)))"
        }
        return text
    }

    /// "yes", or "no" (`fit.converged` 0), or "–" when the case has no fit.
    static func convergedText(_ item: CaseSummary) -> String {
        guard let value = item.number("fit.converged") else { return "–" }
        return value == 1 ? "yes" : "no"
    }

    /// "2 of 2" from `fit.rank` and `fit.parameters` (free and fixed alike), or "–".
    static func rankText(_ item: CaseSummary) -> String {
        guard let rank = item.number("fit.rank") else { return "–" }
        return item.number("fit.parameters").map { "\(Int(rank)) of \(Int($0))" } ?? "\(Int(rank))"
    }

    /// Every case's metrics, sorted by name.
    private static func metricsSection(_ cases: [CaseSummary]) -> ReportSection {
        var section = ReportSection("Metrics")
        for item in cases where !item.metrics.isEmpty {
            section.blocks.append(.table(ReportTable(
                columns: [.init("metric"), .init("value", alignment: .right)],
                rows: item.metrics.keys.sorted().map { [ReportTable.Cell($0), ReportTable.Cell(BundleDocuments.plainValue(item.metrics[$0] ?? .null))] },
                caption: item.id)))
        }
        if section.blocks.isEmpty { section.blocks.append(.paragraph("No case produced metrics.")) }
        return section
    }

    /// Strategies that occur, in catalog order, then any others in order of appearance.
    private static func orderedStrategies(_ cases: [CaseSummary]) -> [String] {
        var seen: [String] = []
        for item in cases { for timing in item.strategyTimings where !seen.contains(timing.strategy) { seen.append(timing.strategy) } }
        let known = strategyOrder.filter(seen.contains)
        return known + seen.filter { !known.contains($0) }
    }

    private static func order(_ value: Double) -> Double { value.isFinite ? value : .infinity }
}
