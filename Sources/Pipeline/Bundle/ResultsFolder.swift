import Foundation

/// The checks a results folder (`--results`, `ExperimentRunner.run(resultsDirectory:)`)
/// passes before anything is created in it: it is not empty (an empty path once made the
/// bundle land at the filesystem root) and it lies inside no existing bundle (a folder
/// holding `status.json` or `summary.json`, the path itself or any of its ancestors), so a
/// run never nests a bundle inside another one or writes among a bundle's files.
public enum ResultsFolder {
    /// Files whose presence marks a folder as a result bundle.
    public static let bundleMarkers = ["status.json", "summary.json"]

    /// Throws ``BundleError`` naming `path` when it is empty or inside an existing bundle.
    public static func check(_ path: String) throws {
        guard !path.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw BundleError("the results folder is empty: give a folder, e.g. --results results")
        }
        let given = URL(fileURLWithPath: path).standardizedFileURL
        // The path as written and, through symbolic links, where it really is.
        for start in [given, realLocation(of: given)] {
            var url = start
            while true {
                if let marker = bundleMarkers.first(where: { FileManager.default.fileExists(atPath: url.path + "/" + $0) }) {
                    let which = url.path == start.path ? "is" : "lies inside"
                    throw BundleError(
                        "results folder \(path) \(which) the result bundle \(url.path) (it holds \(marker)); choose a folder outside any bundle")
                }
                let parent = url.deletingLastPathComponent()
                if parent.path == url.path { break }
                url = parent
            }
        }
    }

    /// `url` with its deepest existing ancestor's symbolic links resolved (realpath(3)) and
    /// the missing rest appended.
    static func realLocation(of url: URL) -> URL {
        var existing = url, missing: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) {
            let parent = existing.deletingLastPathComponent()
            if parent.path == existing.path { return url }
            missing.insert(existing.lastPathComponent, at: 0)
            existing = parent
        }
        guard let resolved = realpath(existing.path, nil) else { return url }
        defer { free(resolved) }
        return missing.reduce(URL(fileURLWithPath: String(cString: resolved))) { $0.appendingPathComponent($1) }
    }
}
