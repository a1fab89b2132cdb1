import CBLASLapack
import Foundation

/// Chooses OpenBLAS's kernels when the loaded OpenBLAS did not recognise the CPU.
///
/// Why this exists: a `DYNAMIC_ARCH` OpenBLAS (Debian's 0.3.21) picks its kernels from a
/// table of CPU models in a library constructor, before `main` runs. A CPU newer than the
/// table, or one a hypervisor presents as a plain "Intel(R) Xeon(R) Processor", falls back to
/// the generic Prescott (SSE3) kernels even when it has AVX2, FMA and AVX-512, several times
/// slower on the fit's BLAS products (figures in docs/ARCHITECTURE.md). The only switch is the
/// `OPENBLAS_CORETYPE` environment variable, read by that constructor, so an executable that
/// finds a generic core sets it and re-executes itself once (``reexecuteIfGenericCore()``).
///
/// The CPU's abilities come from the `flags` line of `/proc/cpuinfo` — the kernel's view of
/// cpuid, with AVX/AVX-512 cleared when the OS does not save their registers — so the choice
/// never asks for instructions the process cannot run.
public enum OpenBLASCoreSelection {
    /// What to do about the kernels at start-up.
    public enum Action: Equatable, Sendable {
        /// Keep the loaded kernels (the reason, for diagnostics).
        case keep(reason: String)
        /// Set `OPENBLAS_CORETYPE` to `coreType` and re-execute the program.
        case reexecute(coreType: String)
    }

    /// The environment variable OpenBLAS reads for its core type.
    public static let coreTypeVariable = "OPENBLAS_CORETYPE"

    /// Set (to the core type) by ``reexecuteIfGenericCore()`` before it re-executes, so the
    /// new image never tries again and the environment record can say who chose the kernels.
    public static let markerVariable = "JACOBENCH_OPENBLAS_CORETYPE_SELECTED"

    /// OpenBLAS core names whose kernels predate AVX2 (lower-cased): what a `DYNAMIC_ARCH`
    /// build reports when it falls back for a CPU it does not know.
    public static let preAVX2Cores: Set<String> = [
        "prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn",
        "dunnington", "nehalem", "atom", "sandybridge", "generic",
    ]

    /// The decision, a pure function of the CPU's flags (as in `/proc/cpuinfo`), the core
    /// OpenBLAS reports and the environment: re-execute with `SkylakeX` when the CPU has
    /// AVX-512 F/DQ/BW/VL, else with `Haswell` when it has AVX2 and FMA, but only when the
    /// reported core is a pre-AVX2 one, neither `OPENBLAS_CORETYPE` nor the marker is set
    /// (a user's choice wins, and there is at most one re-execution).
    public static func decide(cpuFlags: Set<String>, reportedCore: String, environment: [String: String]) -> Action {
        if environment[markerVariable] != nil { return .keep(reason: "already re-executed") }
        if let chosen = environment[coreTypeVariable] { return .keep(reason: "\(coreTypeVariable)=\(chosen) is set") }
        guard preAVX2Cores.contains(reportedCore.lowercased()) else {
            return .keep(reason: "OpenBLAS recognised the CPU (\(reportedCore))")
        }
        if cpuFlags.isSuperset(of: ["avx512f", "avx512dq", "avx512bw", "avx512vl"]) {
            return .reexecute(coreType: "SkylakeX")
        }
        if cpuFlags.isSuperset(of: ["avx2", "fma"]) { return .reexecute(coreType: "Haswell") }
        return .keep(reason: "the CPU has no AVX2+FMA; \(reportedCore) is right")
    }

    /// The flags of the first `flags` line of a `/proc/cpuinfo` text (empty when there is none).
    public static func cpuFlags(fromCPUInfo text: String) -> Set<String> {
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// The core whose kernels the loaded OpenBLAS uses (`openblas_get_corename`), e.g. `Prescott`.
    public static var loadedCoreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Whether this process's kernels were chosen by ``reexecuteIfGenericCore()``.
    public static var wasSelectedByJacobench: Bool {
        let environment = ProcessInfo.processInfo.environment
        guard let marker = environment[markerVariable] else { return false }
        return environment[coreTypeVariable] == marker
    }

    /// Call first thing in `main`: when ``decide(cpuFlags:reportedCore:environment:)`` says
    /// so, sets `OPENBLAS_CORETYPE` and the marker and replaces the process by
    /// `/proc/self/exe` with the same arguments (same pid, file descriptors, signal mask).
    /// Returns normally — keeping the generic kernels — when nothing is to be done or
    /// anything fails (no `/proc`, exec refused). Costs one extra process image start
    /// (a few milliseconds) on an unrecognised CPU, nothing otherwise.
    public static func reexecuteIfGenericCore() {
        let environment = ProcessInfo.processInfo.environment
        if environment[markerVariable] != nil || environment[coreTypeVariable] != nil { return }
        guard let cpuInfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return }
        let action = decide(cpuFlags: cpuFlags(fromCPUInfo: cpuInfo), reportedCore: loadedCoreName, environment: environment)
        guard case .reexecute(let coreType) = action else { return }
        setenv(coreTypeVariable, coreType, 1)
        setenv(markerVariable, coreType, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached when exec failed: undo, so children do not inherit a choice never used.
        unsetenv(coreTypeVariable)
        unsetenv(markerVariable)
    }
}
