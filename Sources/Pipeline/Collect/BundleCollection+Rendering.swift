import Foundation
import JSONDocuments

extension BundleCollection {
    /// Output formats of `jacobench collect`.
    public enum Format: String, Sendable, CaseIterable {
        /// Aligned columns for a terminal, then the missing / duplicated manifests.
        case table
        /// Machine-readable JSON: `bundles` and `manifests`.
        case json
    }

    /// The collection as text in `format`.
    public func render(_ format: Format) -> String {
        switch format {
        case .table: return renderTable()
        case .json: return renderJSON().text() + "\n"
        }
    }

    private func renderTable() -> String {
        let metricNames = Self.keyMetrics.map(\.name).filter { name in bundles.contains { $0.metrics[name] != nil } }
        var rows = [["experiment", "run", "complete", "ok", "failed", "skipped", "pending"] + metricNames]
        for bundle in bundles {
            rows.append([bundle.experiment, bundle.run, bundle.complete ? "yes" : "no", String(bundle.ok), String(bundle.failed), String(bundle.skipped), String(bundle.pending)]
                + metricNames.map { name in bundle.metrics[name].map(BundleDocuments.format6) ?? "-" })
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var text = rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
        text += "\(bundles.count) bundle\(bundles.count == 1 ? "" : "s"), \(bundles.filter(\.complete).count) complete\n"
        guard !manifests.isEmpty else { return text }
        for entry in missing {
            let partial = entry.incompleteRuns.isEmpty ? "" : " (incomplete: \(entry.incompleteRuns.joined(separator: ", ")))"
            text += "missing: \(entry.name) — no complete bundle for \(entry.manifest)\(partial)\n"
        }
        for entry in duplicated {
            text += "duplicated: \(entry.name) — \(entry.completeRuns.count) complete bundles: \(entry.completeRuns.joined(separator: ", "))\n"
        }
        let done = manifests.count - missing.count
        text += "\(done)/\(manifests.count) manifests have a complete bundle"
        text += duplicated.isEmpty ? "\n" : "; \(duplicated.count) have more than one\n"
        return text
    }

    private func renderJSON() -> JSONValue {
        .object([
            "bundles": .array(bundles.map { bundle in
                .object([
                    "path": .string(bundle.path), "experiment": .string(bundle.experiment), "run": .string(bundle.run),
                    "complete": .bool(bundle.complete), "ok": .integer(bundle.ok), "failed": .integer(bundle.failed),
                    "pending": .integer(bundle.pending), "skipped": .integer(bundle.skipped),
                    "metrics": .object(bundle.metrics.mapValues(JSONValue.number)),
                ])
            }),
            "manifests": .array(manifests.map { entry in
                .object([
                    "manifest": .string(entry.manifest), "name": .string(entry.name),
                    "complete_runs": .array(entry.completeRuns.map(JSONValue.string)),
                    "incomplete_runs": .array(entry.incompleteRuns.map(JSONValue.string)),
                ])
            }),
        ])
    }
}
