import Jacobians

extension StrategyAdvice {
    /// The text `jacobench advise` prints: the shape, one aligned row per strategy
    /// (predicted counts, forward-pass units, strategy workspace and predicted peak bytes;
    /// measured median and units when measured; the catalog's reason when not applicable),
    /// and the recommendation with its reason on the last line.
    public func rendered() -> String {
        var lines: [String] = []
        var header = "N = \(shape.inputCount) columns, M = \(shape.outputCount) rows"
        if let samples = shape.sampleCount, let p = shape.outputsPerSample {
            header += ", S = \(samples) independent sample\(samples == 1 ? "" : "s") × p = \(p) output\(p == 1 ? "" : "s")"
        } else {
            header += ", no per-sample structure"
        }
        lines.append(header)
        let measured = rows.contains { $0.measuredMicroseconds != nil }
        var table: [[String]] = [["strategy", "exact", "pushforwards", "pullbacks", "evaluations", "lanes", "predicted units", "workspace", "peak"]
            + (measured ? ["measured", "units"] : []) + ["note"]]
        for row in rows {
            var cells = [row.strategy, row.isExact ? "yes" : "no"]
            if let prediction = row.prediction {
                let bound = prediction.isUpperBound ? "≤ " : ""
                cells += [
                    String(prediction.cost.pushforwards), String(prediction.cost.pullbacks),
                    bound + String(prediction.cost.forwardEvaluations),
                    String(prediction.cost.tangentLanes + prediction.cost.cotangentLanes),
                    bound + ValueText.units(prediction.forwardPassUnits),
                    ValueText.bytes(prediction.cost.workspaceBytes), ValueText.bytes(prediction.peakBytes),
                ]
            } else {
                cells += Array(repeating: "–", count: 7)
            }
            if measured {
                cells += [row.measuredMicroseconds.map(ValueText.microseconds) ?? "–", row.measuredForwardUnits.map(ValueText.units) ?? "–"]
            }
            var notes: [String] = []
            if let reason = row.notApplicable { notes.append("not applicable: " + reason) }
            if let reason = row.notMeasured { notes.append("not measured: " + reason) }
            if !row.isExact { notes.append("inexact: never recommended") }
            if row.strategy == "auto" { notes.append("chooses \(recommended)") }
            cells.append(notes.joined(separator: "; "))
            table.append(cells)
        }
        lines += Self.aligned(table)
        if let forward = forwardMicroseconds { lines.append("one forward pass: \(ValueText.microseconds(forward))") }
        lines.append("recommendation: \(recommended) — \(reason)")
        return lines.joined(separator: "\n")
    }

    /// Left-aligned first and last columns, right-aligned numbers, two spaces apart.
    static func aligned(_ table: [[String]]) -> [String] {
        let columns = table.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in table.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return table.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if column == columns - 1 { return cell }
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
    }
}
