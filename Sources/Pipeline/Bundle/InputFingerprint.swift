import Crypto
import Datasets
import Foundation
import JSONDocuments

/// SHA-256 of every file a run read — the manifest and each data file its cases name —
/// recorded in resolved.json (`inputs`) so `--resume` can refuse to finish a bundle whose
/// inputs changed since (the finished cases were computed from the old ones).
public enum InputFingerprint {
    /// Absolute path → lowercase hex SHA-256 for the plan's manifest and files (a file that
    /// cannot be read is recorded as `unreadable`).
    public static func record(_ plan: ExperimentPlan) -> [String: String] {
        var paths = [absolute(plan.manifestPath, relativeTo: FileManager.default.currentDirectoryPath)]
        for plannedCase in plan.cases {
            for (name, _) in plannedCase.files { paths.append(absolute(name, relativeTo: plannedCase.manifestDirectory)) }
        }
        var result: [String: String] = [:]
        for path in paths where result[path] == nil { result[path] = digest(of: path) ?? unreadable }
        return result
    }

    /// What a file that could not be read is recorded as.
    public static let unreadable = "unreadable"

    /// The hex SHA-256 of the regular file at `path`, nil when it cannot be read.
    public static func digest(of path: String) -> String? {
        guard let data = try? InputFile.read(path) else { return nil }
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The files whose content differs from `recorded` (or cannot be read any more), each with
    /// a short reason, in path order.
    public static func changes(since recorded: [String: String]) -> [String] {
        recorded.keys.sorted().compactMap { path in
            let now = digest(of: path)
            guard now != recorded[path] else { return nil }
            guard let now else { return "\(path) (cannot be read now)" }
            return "\(path) (sha256 \(recorded[path]?.prefix(12) ?? "?")… then, \(now.prefix(12))… now)"
        }
    }

    /// The resolved.json form.
    static func json(_ fingerprints: [String: String]) -> JSONValue {
        .object(fingerprints.mapValues(JSONValue.string))
    }

    static func absolute(_ name: String, relativeTo directory: String) -> String {
        let path = name.hasPrefix("/") ? name : directory + "/" + name
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
