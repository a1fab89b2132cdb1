import Foundation
import JSONDocuments

/// Text forms of a comparison: an aligned table (optionally coloured), Markdown and JSON.
extension BundleComparison {
    /// Output formats of `jacobench diff`.
    public enum Format: String, Sendable, CaseIterable {
        /// Aligned columns for a terminal.
        case table
        /// A Markdown table.
        case markdown
        /// Machine-readable JSON.
        case json
    }

    /// The rows shown: changed ones only unless `all`.
    public func shownRows(all: Bool) -> [ComparisonRow] {
        all ? rows : rows.filter { $0.change != .same && $0.change != .info }
    }

    /// The lines above the rows: runs and tally, then — only when there is something to
    /// say — the environment fields that differ, the cases only in one bundle, and the
    /// timings not judged.
    public var headingLines: [String] {
        let tally = ComparisonRow.Change.counted.compactMap { change -> String? in
            let count = rows.filter { $0.change == change }.count
            return count > 0 ? "\(count) \(change.rawValue)" : nil
        }.joined(separator: ", ")
        var lines = ["A: \(runA)  B: \(runB)  —  " + (tally.isEmpty ? "no differences" : tally)]
        if !environmentDifferences.isEmpty {
            let stated = environmentDifferences.map(\.phrase).joined(separator: "; ")
            lines.append("environment differs: " + stated + (timingsJudged ? "" : " — another machine or thread count: timings are stated, not judged"))
        }
        if casesOnlyInA > 0 || casesOnlyInB > 0 {
            lines.append("cases: \(casesCompared) compared, \(casesOnlyInA) only in A, \(casesOnlyInB) only in B")
        }
        if unjudgedTimings > 0 {
            let reason = timingsJudged ? "single runs without spread" : "another machine or thread count"
            lines.append("timings: \(unjudgedTimings) past the tolerance but not judged (\(reason)); --all shows them")
        }
        return lines
    }

    /// Renders in `format`; `colour` adds ANSI colours to table rows (red regressed, green improved).
    public func render(_ format: Format, all: Bool, colour: Bool = false) -> String {
        let shown = shownRows(all: all)
        let heading = headingLines.joined(separator: "\n")
        switch format {
        case .json:
            return JSONValue.object([
                "a": .string(pathA), "b": .string(pathB), "run_a": .string(runA), "run_b": .string(runB),
                "regressions": .integer(regressions),
                "environment_differences": .array(environmentDifferences.map { difference in
                    .object(["field": .string(difference.field), "a": .string(difference.a), "b": .string(difference.b)])
                }),
                "timings_judged": .bool(timingsJudged),
                "unjudged_timings": .integer(unjudgedTimings),
                "cases": .object([
                    "compared": .integer(casesCompared), "only_in_a": .integer(casesOnlyInA), "only_in_b": .integer(casesOnlyInB),
                ]),
                "rows": .array(shown.map { row in
                    .object([
                        "case": .string(row.caseLabel), "metric": .string(row.metric), "kind": .string(row.kind),
                        "a": row.a ?? .null, "b": row.b ?? .null, "measure": row.measure.map(JSONValue.number) ?? .null,
                        "change": .string(row.change.rawValue), "note": row.note.map(JSONValue.string) ?? .null,
                    ])
                }),
            ]).text()
        case .markdown:
            var text = heading + "\n\n| case | metric | kind | A | B | change |\n| --- | --- | --- | ---: | ---: | --- |\n"
            for row in shown {
                let cells = [row.caseLabel, row.metric, row.kind, Self.cell(row.a), Self.cell(row.b), Self.verdict(row)]
                text += "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
            return text
        case .table:
            let header = ["case", "metric", "kind", "A", "B", "change"]
            let body = shown.map { [$0.caseLabel, $0.metric, $0.kind, Self.cell($0.a), Self.cell($0.b), Self.verdict($0)] }
            var widths = header.map(\.count)
            for line in body { for (index, cell) in line.enumerated() { widths[index] = max(widths[index], cell.count) } }
            func format(_ cells: [String]) -> String {
                cells.enumerated().map { index, cell in
                    index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }
            var lines = headingLines + [format(header)]
            for (row, cells) in zip(shown, body) {
                var line = format(cells)
                if colour, let code = Self.colourCode(row.change) { line = "\u{1B}[\(code)m" + line + "\u{1B}[0m" }
                lines.append(line)
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    /// A value for a cell: integers as written, other numbers to 6 significant digits, `—` when absent.
    static func cell(_ value: JSONValue?) -> String {
        guard let value else { return "—" }
        guard let number = value.numberValue else { return value.stringValue ?? value.canonicalText }
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number > 0 ? "Infinity" : "-Infinity" }
        if case .number(let text) = value, !text.contains("."), !text.contains("e") { return text }
        return BundleDocuments.format6(number)
    }

    /// `regressed Δ0.0125` (relative change), `improved ×0.71` (timing ratio), `added`;
    /// a note follows after ` — `.
    static func verdict(_ row: ComparisonRow) -> String {
        let note = row.note.map { " — " + $0 } ?? ""
        guard let measure = row.measure, measure.isFinite, row.change != .same || row.kind == "timing" else {
            return row.change.rawValue + note
        }
        if row.kind == "timing" { return row.change.rawValue + " ×" + String(format: "%.3g", measure) + note }
        return row.change.rawValue + " Δ" + String(format: "%.3g", measure) + note
    }

    static func colourCode(_ change: ComparisonRow.Change) -> String? {
        switch change {
        case .regressed: return "31"
        case .improved: return "32"
        case .added, .removed, .changed: return "33"
        case .same, .info: return nil
        }
    }

    /// The two most recent bundles (by run id, which starts with the UTC time) in an experiment folder.
    public static func latestPair(in directory: String) throws -> (String, String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let runs = names.filter(RunIdentifier.isRunIdentifier).sorted()
        guard runs.count >= 2 else {
            throw BundleError("\(directory) holds \(runs.count) run\(runs.count == 1 ? "" : "s"); diff --latest needs two")
        }
        return (directory + "/" + runs[runs.count - 2], directory + "/" + runs[runs.count - 1])
    }
}

extension ComparisonRow.Change {
    /// The verdicts counted in the heading, in order.
    static let counted: [ComparisonRow.Change] = [.regressed, .improved, .changed, .added, .removed]
}
