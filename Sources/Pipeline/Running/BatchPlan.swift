import Foundation

/// What one manifest of a batch did.
public struct BatchOutcome: Sendable {
    /// The manifest path.
    public var manifest: String
    /// The child's exit code (130 when interrupted).
    public var exitCode: Int32
    /// The bundle written, when one was.
    public var bundle: String?
    /// The last lines of the child's stderr (shown for failures).
    public var errorTail: String

    /// Creates an outcome.
    public init(manifest: String, exitCode: Int32, bundle: String?, errorTail: String) {
        self.manifest = manifest
        self.exitCode = exitCode
        self.bundle = bundle
        self.errorTail = errorTail
    }
}

/// Which manifests a batch runs, and its summary table.
public enum BatchPlan {
    /// The `*.yaml` / `*.yml` files of `directory`, sorted by name, then every N-th from I
    /// when `shard` is `I/N` (I counted from 0).
    ///
    /// - Throws: ``BundleError`` for an unreadable folder or a malformed shard.
    public static func manifests(in directory: String, shard: String?) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw BundleError("cannot read the folder \(directory)")
        }
        let all = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
            .map { directory + "/" + $0 }
        guard let shard else { return all }
        let parts = shard.split(separator: "/").map { Int($0) }
        guard parts.count == 2, let index = parts[0], let count = parts[1], count > 0, index >= 0, index < count else {
            throw BundleError("--shard must be I/N with 0 ≤ I < N, e.g. 0/4; got '\(shard)'")
        }
        return all.enumerated().filter { $0.offset % count == index }.map(\.element)
    }

    /// The table printed after a batch: manifest, exit code, cases ok/failed/skipped/pending, bundle.
    public static func summaryTable(_ outcomes: [BatchOutcome]) -> String {
        var rows = [["manifest", "exit", "ok", "failed", "skipped", "pending", "bundle"]]
        for outcome in outcomes {
            var counts = ["-", "-", "-", "-"]
            if let bundle = outcome.bundle, let status = try? BundleFiles.readJSON(bundle + "/status.json") {
                counts = ["ok", "failed", "skipped", "pending"].map { status["counts"]?[$0]?.canonicalText ?? "-" }
            }
            rows.append([outcome.manifest, String(outcome.exitCode)] + counts + [outcome.bundle ?? "—"])
        }
        var widths = rows[0].map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        var lines = rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        let failed = outcomes.filter { $0.exitCode != 0 }
        for outcome in failed where !outcome.errorTail.isEmpty {
            lines.append("")
            lines.append("\(outcome.manifest) (exit \(outcome.exitCode)):")
            lines.append(contentsOf: outcome.errorTail.split(separator: "\n").map { "  " + $0 })
        }
        lines.append("")
        lines.append("\(outcomes.count - failed.count)/\(outcomes.count) manifests succeeded")
        return lines.joined(separator: "\n")
    }
}
