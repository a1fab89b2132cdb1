import Foundation
import JSONDocuments
import YAMLDecoding

/// The text of every bundle file, computed from records alone (no I/O), so a person's
/// summary.json and the per-case files come from the same data (summary.md and report.html
/// are rendered from summary.json by ``BundleReport``).
public enum BundleDocuments {
    /// Version of the summary.json / status.json layout (results/README.md).
    public static let schema = 1

    /// `cases/<id>/metrics.json`: `{name: value}` with sorted keys.
    public static func metrics(_ record: CaseRecord) -> String {
        JSONValue.object(Dictionary(record.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })).text()
    }

    /// `cases/<id>/metric_kinds.json`: {metric name: deterministic | timing}, so a case's
    /// record can be rebuilt from its folder alone (a killed run's partial bundle).
    public static func metricKinds(_ record: CaseRecord) -> String {
        JSONValue.object(Dictionary(record.metrics.map { ($0.name, JSONValue.string($0.kind.rawValue)) }, uniquingKeysWith: { _, last in last })).text()
    }

    /// `cases/<id>/parameters.json`: names, initial and fitted values, standard errors (NaN,
    /// written `"NaN"`, when not determined) and the correlation matrix; with bounds also
    /// `at_bound` (`"lower"`, `"upper"` or null per parameter); a matrix-free fit without a
    /// covariance also `conditional_standard_errors`.
    public static func parameters(_ record: CaseRecord) -> String {
        JSONValue.object([
            "names": .array(record.parameterNames.map(JSONValue.string)),
            "initial": .array(record.initialParameters.map(JSONValue.number)),
            "values": record.fit.map { .array($0.parameters.map(JSONValue.number)) } ?? .null,
            "standard_errors": record.fit?.standardErrors.map { .array($0.map(JSONValue.number)) } ?? .null,
            "correlations": record.fit?.correlations.map { .array($0.map { .array($0.map(JSONValue.number)) }) } ?? .null,
        ].merging(record.fit?.boundsActive.map { ["at_bound": .array($0.map { $0.map { .string($0.rawValue) } ?? .null })] } ?? [:]) { first, _ in first }
         .merging(record.fit?.conditionalStandardErrors.map { ["conditional_standard_errors": .array($0.map(JSONValue.number))] } ?? [:]) { first, _ in first }
        ).text()
    }

    /// `cases/<id>/parameters.csv`: `name,initial,value,standard_error`, one row per parameter
    /// (empty cells without a fit; `NaN` for a standard error the data do not determine); a fit
    /// with bounds adds `at_bound` (`lower`, `upper` or empty; such a parameter is held for the
    /// standard errors, as a fixed one, so its own is 0); a matrix-free fit without a covariance
    /// adds `conditional_standard_error` (each parameter's with the others held fixed).
    public static func parametersCSV(_ record: CaseRecord) -> String {
        let bounds = record.fit?.boundsActive
        let conditional = record.fit?.conditionalStandardErrors
        var text = "name,initial,value,standard_error" + (bounds == nil ? "" : ",at_bound")
            + (conditional == nil ? "" : ",conditional_standard_error") + "\n"
        for (index, name) in record.parameterNames.enumerated() {
            let initial = index < record.initialParameters.count ? csvNumber(record.initialParameters[index]) : ""
            let value = record.fit.map { index < $0.parameters.count ? csvNumber($0.parameters[index]) : "" } ?? ""
            let error = record.fit?.standardErrors.map { index < $0.count ? csvNumber($0[index]) : "" } ?? ""
            var fields = [csvField(name), initial, value, error]
            if let bounds { fields.append(index < bounds.count ? bounds[index]?.rawValue ?? "" : "") }
            if let conditional { fields.append(index < conditional.count ? csvNumber(conditional[index]) : "") }
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// `cases/<id>/fit.csv`: `input,observed,fitted,residual` per training sample for one input
    /// (`sample,…` with the sample index for several inputs); with several targets a `target`
    /// column (the target's name) after the first and one row per sample and target; nil when
    /// the case has no such curve.
    public static func fitCurve(_ record: CaseRecord) -> String? {
        guard let rows = record.fitCurve else { return nil }
        let targets = record.fitCurveTargets
        var text = (record.fitCurveHasOneInput ? "input" : "sample") + (targets.isEmpty ? "" : ",target") + ",observed,fitted,residual\n"
        for row in rows {
            var fields = [csvNumber(row[0])]
            if !targets.isEmpty {
                let index = row.count > 3 ? Int(row[3]) : 0
                fields.append(csvField(targets.indices.contains(index) ? targets[index] : ""))
            }
            fields += [row[1], row[2], row[1] - row[2]].map(csvNumber)
            text += fields.joined(separator: ",") + "\n"
        }
        return text
    }

    /// A CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// `cases/<id>/trace.csv`: the solver's per-iteration trace (header only without a solver).
    public static func trace(_ record: CaseRecord) -> String {
        guard let fit = record.fit else { return "iteration,cost\n" }
        var text = fit.traceColumns.joined(separator: ",") + "\n"
        for row in fit.trace { text += row.map(csvNumber).joined(separator: ",") + "\n" }
        return text
    }

    /// `cases/<id>/timings.csv`: stage wall times and every timing evaluation row
    /// (min, quartiles, median, max over `repeats`; an empty cell when not recorded).
    public static func timings(_ record: CaseRecord) -> String {
        var text = "name,repeats,min_us,q1_us,median_us,q3_us,max_us,forward_units\n"
        for row in record.timings {
            text += [row.name, String(row.repeats), csvNumber(row.minimumMicroseconds), row.firstQuartileMicroseconds.map(csvNumber) ?? "",
                     csvNumber(row.medianMicroseconds), row.thirdQuartileMicroseconds.map(csvNumber) ?? "",
                     csvNumber(row.maximumMicroseconds), row.forwardUnits.map(csvNumber) ?? ""].joined(separator: ",") + "\n"
        }
        return text
    }

    /// `status.json`: per case ok / failed (with the error) / skipped (with the reason) / pending, and `complete`.
    public static func status(experiment: String, run: String, records: [CaseRecord], complete: Bool, started: String, updated: String) -> String {
        let cases: [JSONValue] = records.map { record in
            .object([
                "id": .string(record.id), "status": .string(record.status.rawValue),
                "error": record.error.map(JSONValue.string) ?? .null,
                "replicate": .integer(record.replicate), "data_seed": .integer(Int(record.seeds.data)),
                "parameter_seed": .integer(Int(record.seeds.parameters)), "sweep": .object(record.sweep),
                "elapsed_s": .number(record.elapsedSeconds),
            ])
        }
        func count(_ status: CaseStatus) -> JSONValue { .integer(records.filter { $0.status == status }.count) }
        return JSONValue.object([
            "schema": .integer(schema), "experiment": .string(experiment), "run": .string(run),
            "complete": .bool(complete), "started": .string(started), "updated": .string(updated),
            "counts": .object(["ok": count(.ok), "failed": count(.failed), "pending": count(.pending), "skipped": count(.skipped)]),
            "cases": .array(cases),
        ]).text()
    }

    /// `summary.json` (schema 1): every case's sweep (with `replicate` when there are several),
    /// replicate, data and θ₀ seeds, status, error and metrics, and
    /// each metric's kind.
    public static func summary(experiment: String, run: String, records: [CaseRecord], complete: Bool) -> JSONValue {
        var kinds: [String: JSONValue] = [:]
        for record in records {
            for metric in record.metrics { kinds[metric.name] = .string(metric.kind.rawValue) }
        }
        let cases: [JSONValue] = records.map { record in
            .object([
                "id": .string(record.id), "sweep": .object(record.sweep), "replicate": .integer(record.replicate),
                "data_seed": .integer(Int(record.seeds.data)), "parameter_seed": .integer(Int(record.seeds.parameters)),
                "status": .string(record.status.rawValue), "error": record.error.map(JSONValue.string) ?? .null,
                "metrics": .object(Dictionary(record.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })),
            ])
        }
        return .object([
            "schema": .integer(schema), "experiment": .string(experiment), "run": .string(run), "complete": .bool(complete),
            "metric_kinds": .object(kinds), "cases": .array(cases),
        ])
    }

    /// A number for CSV: shortest round-trip digits, `NaN` / `Infinity` / `-Infinity`.
    static func csvNumber(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return value.description
    }

    /// A value for a table cell: numbers to 6 significant digits, strings as they are
    /// (the table renderer escapes them).
    static func plainValue(_ value: JSONValue) -> String {
        switch value {
        case .number(let text):
            guard let number = Double(text), number.isFinite, text.contains(".") || text.contains("e") else { return text }
            return number == 0 ? "0" : format6(number)
        case .string(let text): return text
        default: return value.canonicalText
        }
    }

    static func format6(_ number: Double) -> String {
        if number == 0 { return "0" }
        let magnitude = abs(number)
        if magnitude >= 1e-3 && magnitude < 1e6 {
            var text = String(format: "%.6g", number)
            if text.contains("e") { text = number.description }
            return text
        }
        return String(format: "%.3e", number)
    }
}
