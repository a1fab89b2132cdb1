import JSONDocuments
import Jacobians
import Reports

/// The parameter and residual counts of a case's Jacobian (N columns, M rows).
struct CaseShape: Sendable, Hashable {
    /// Columns N.
    var parameters: Int
    /// Rows M.
    var residuals: Int
}

/// One case of summary.json, with the readings the report needs.
struct CaseSummary: Sendable {
    var id: String
    var sweep: [String: JSONValue]
    /// `data.hash` (first 8 hex digits), "–" when the data stage did not run.
    var dataHash: String
    /// `model.initial_parameters_hash` (first 8 hex digits), "–" when the model was not built.
    var startHash: String
    var status: String
    var error: String?
    var metrics: [String: JSONValue]

    init(_ json: JSONValue) {
        id = json["id"]?.stringValue ?? "?"
        sweep = json["sweep"]?.objectValue ?? [:]
        metrics = json["metrics"]?.objectValue ?? [:]
        dataHash = metrics["data.hash"]?.stringValue.map { String($0.prefix(8)) } ?? "–"
        startHash = metrics["model.initial_parameters_hash"]?.stringValue.map { String($0.prefix(8)) } ?? "–"
        status = json["status"]?.stringValue ?? "?"
        error = json["error"]?.stringValue
        metrics = json["metrics"]?.objectValue ?? [:]
    }

    func number(_ name: String) -> Double? { metrics[name]?.numberValue }
    func text(_ name: String) -> String? { metrics[name]?.stringValue }

    /// N and M from the accuracy evaluation's `jacobian.columns` / `jacobian.rows`.
    var shape: CaseShape? {
        guard let columns = number("jacobian.columns"), let rows = number("jacobian.rows") else { return nil }
        return CaseShape(parameters: Int(columns), residuals: Int(rows))
    }

    /// Every strategy with a timing or a not-applicable reason, in metric-name order.
    var strategyTimings: [BarChart.StrategyTiming] {
        var labels: [String] = []
        for name in metrics.keys.sorted() where name.hasPrefix("jacobian.") {
            for suffix in [".forward_units", ".not_applicable", ".skipped"] where name.hasSuffix(suffix) {
                labels.append(String(name.dropFirst("jacobian.".count).dropLast(suffix.count)))
            }
        }
        var seen = Set<String>()
        labels = labels.filter { seen.insert($0).inserted }
        return labels.map { label in
            let units = number("jacobian.\(label).forward_units") ?? .nan
            let median = number("jacobian.\(label).median_us") ?? .nan
            var note = text("jacobian.\(label).not_applicable").map { "not applicable: " + $0 } ?? ""
            if let choice = text("jacobian.\(label).choice") { note = "chose " + choice }
            if let chunk = number("jacobian.\(label).chunk") { note += (note.isEmpty ? "" : "; ") + "chunk \(Int(chunk)) (chunk-above)" }
            if let reason = text("jacobian.\(label).skipped") { note = "skipped: " + reason }
            return BarChart.StrategyTiming(strategy: label, forwardPassUnits: units, medianMicroseconds: median, note: note)
        }
    }

    /// The fastest measured exact strategy (auto, which picks one of them, excluded).
    var winner: String? { fastestExact?.strategy }

    private var fastestExact: BarChart.StrategyTiming? {
        strategyTimings
            .filter { $0.medianMicroseconds.isFinite && $0.strategy != "auto" && Self.isExact($0.strategy) }
            .min { $0.medianMicroseconds < $1.medianMicroseconds }
    }

    /// auto's median over the winner's; nil without both.
    var autoRatio: Double? {
        guard let best = fastestExact?.medianMicroseconds,
              let auto = number("jacobian.auto.median_us"), best > 0, auto.isFinite else { return nil }
        return auto / best
    }

    /// "auto ✓" within 10% of the best, "auto 1.3×" otherwise.
    var autoScore: String? {
        autoRatio.map { $0 <= 1.1 ? "auto ✓" : "auto " + ValueFormat.multiple.string($0) }
    }

    /// The solver kind (from the sweep or the fit's Jacobian strategy) for legends.
    var solverLabel: String? {
        if let kind = sweep["solver.kind"]?.stringValue ?? sweep["solver"]?["kind"]?.stringValue { return kind }
        return text("fit.jacobian_strategy")
    }

    /// Whether the catalog calls the strategy named by `label` (options may follow as a
    /// `-suffix`) exact; unknown labels count as exact.
    static func isExact(_ label: String) -> Bool {
        let entry = JacobianStrategyCatalog.entries
            .filter { label == $0.name || label.hasPrefix($0.name + "-") }
            .max { $0.name.count < $1.name.count }
        return entry?.isExact ?? true
    }
}

/// A parsed trace.csv: named numeric columns.
struct TraceTable: Sendable {
    var header: [String]
    var rows: [[Double]]

    /// Parses the CSV; nil without a header.
    init?(_ text: String) {
        let lines = text.split(separator: "\n")
        guard let first = lines.first else { return nil }
        header = first.split(separator: ",").map(String.init)
        rows = lines.dropFirst().map { line in line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) ?? .nan } }
    }

    /// The values of the column named `name`; nil when absent.
    func column(_ name: String) -> [Double]? {
        guard let index = header.firstIndex(of: name) else { return nil }
        return rows.map { index < $0.count ? $0[index] : .nan }
    }
}
