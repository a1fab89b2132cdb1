import Foundation

/// The jacobench checkout this process runs from: the first ancestor of the running
/// executable that holds `peers/peer_benchmark.py` (a checkout's `.build/…/jacobench`, or a
/// test runner there), else the first ancestor of the working folder that holds it and a
/// `Package.swift`; nil when neither exists. Never derived from a manifest's location, so a
/// manifest cannot choose which program runs (``PeerProgramPolicy``) or in which repository
/// `git` is asked for the commit (`environment.json`).
public enum ProjectFolder {
    /// The located folder (looked up once).
    public static let root: String? = locate()

    /// Looks the folder up now; see the type's documentation.
    public static func locate() -> String? {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? ""
        let fromExecutable = URL(fileURLWithPath: executable).deletingLastPathComponent()
        if let root = firstAncestor(of: fromExecutable, holding: [marker]) { return root }
        return firstAncestor(of: URL(fileURLWithPath: FileManager.default.currentDirectoryPath), holding: [marker, "Package.swift"])
    }

    /// The file that marks the folder.
    static let marker = "peers/peer_benchmark.py"

    private static func firstAncestor(of start: URL, holding names: [String]) -> String? {
        var url = start.standardizedFileURL
        while true {
            if names.allSatisfy({ FileManager.default.fileExists(atPath: url.path + "/" + $0) }) { return url.path }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }
}
