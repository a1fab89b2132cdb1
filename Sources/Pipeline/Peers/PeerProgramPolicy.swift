import Foundation
import Synchronization

/// Which programs the `peer-comparison` evaluation may start. A manifest names a Python and
/// a script, but it is input, not a command: by default the only program that runs is the
/// project's own `peers/peer_benchmark.py` under the peers' environment's interpreter
/// `.peers-venv/bin/python`, both found in the project folder (never next to the manifest).
/// Anything else runs only when the command line allows it (`--allow-program PATH` on `run`,
/// `batch` and `validate`), and then only that exact path.
///
/// The project folder is ``ProjectFolder``: found from the running executable (else the
/// working folder), never from the manifest.
public struct PeerProgramPolicy: Sendable, Equatable {
    /// The project folder, when one was found.
    public var projectRoot: String?
    /// Programs (interpreters or scripts) the command line allowed, as absolute standardized paths.
    public var allowedPrograms: [String]

    /// The default interpreter, relative to the project folder.
    public static let defaultPython = ".peers-venv/bin/python"
    /// The default script, relative to the project folder.
    public static let defaultScript = "peers/peer_benchmark.py"
    /// The fitting peers' script, relative to the project folder: the project's own too.
    public static let fittingScript = "peers/fit_peers.py"

    /// A policy over `projectRoot` allowing `allowedPrograms` besides the project's own
    /// (relative paths taken from the working folder, as command-line paths are).
    public init(projectRoot: String?, allowedPrograms: [String] = []) {
        self.projectRoot = projectRoot
        self.allowedPrograms = allowedPrograms.map(Self.absolute)
    }

    /// The policy of this process: the located project, nothing else allowed, until the
    /// command line sets another with ``install(allowing:)``.
    public static var current: PeerProgramPolicy { installed.withLock { $0 } }

    /// Sets ``current`` to the located project plus `programs` (from `--allow-program`).
    public static func install(allowing programs: [String]) {
        let policy = PeerProgramPolicy(projectRoot: ProjectFolder.root, allowedPrograms: programs)
        installed.withLock { $0 = policy }
    }

    /// Adds `programs` to ``current``'s allowed programs, keeping those already allowed (for
    /// library users and tests that run several evaluations side by side).
    public static func allow(_ programs: [String]) {
        installed.withLock { $0.allowedPrograms += programs.map(absolute) }
    }

    private static let installed = Mutex(PeerProgramPolicy(projectRoot: ProjectFolder.root))

    /// What the evaluation would start for a manifest's `python` and `script`.
    public enum Decision: Sendable, Equatable {
        /// These two run (absolute paths).
        case runs(python: String, script: String)
        /// Allowed, but a file is missing: the evaluation is skipped with this reason.
        case skipped(reason: String)
        /// Not allowed: the manifest is rejected; `field` is `python` or `script`.
        case refused(field: String, reason: String)
    }

    /// Decides what `python` and `script` (a manifest's options) would run.
    public func decide(python: String, script: String) -> Decision {
        let ownPython = projectRoot.map { Self.absolute($0 + "/" + Self.defaultPython) }
        let ownScript = projectRoot.map { Self.absolute($0 + "/" + Self.defaultScript) }
        let ownFittingScript = projectRoot.map { Self.absolute($0 + "/" + Self.fittingScript) }
        let resolvedPython = resolve(python), resolvedScript = resolve(script)
        for (field, given, resolved, own) in [("python", python, resolvedPython, ownPython), ("script", script, resolvedScript, ownScript)] {
            guard let resolved else {
                return .skipped(reason: "no project folder (with \(Self.defaultScript)) found for \(field) '\(given)'; run from a jacobench checkout")
            }
            guard resolved == own || (field == "script" && resolved == ownFittingScript) || allowedPrograms.contains(resolved) else {
                return .refused(
                    field: field,
                    reason: "\(field) '\(given)' (\(resolved)) is not the project's own \(field == "python" ? Self.defaultPython : Self.defaultScript); "
                        + "a manifest cannot choose a program: pass --allow-program \(resolved) on the command line to run it")
            }
        }
        guard let python = resolvedPython, let script = resolvedScript else { return .skipped(reason: "no project folder found") }
        guard FileManager.default.isExecutableFile(atPath: python) else {
            return .skipped(reason: "no Python at \(python) (run `make peers` to create the peers' venv)")
        }
        guard FileManager.default.isReadableFile(atPath: script) else { return .skipped(reason: "no peer benchmark script at \(script)") }
        return .runs(python: python, script: script)
    }

    /// `name` made absolute: as given when absolute, else against the project folder (nil without one).
    func resolve(_ name: String) -> String? {
        if name.hasPrefix("/") { return Self.absolute(name) }
        return projectRoot.map { Self.absolute($0 + "/" + name) }
    }

    /// `path` absolute (against the working folder) with `.` and `..` removed; symlinks are
    /// kept, since a venv's `python` is one.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The project folder (``ProjectFolder/locate()``).
    public static func locateProjectRoot() -> String? { ProjectFolder.locate() }
}
