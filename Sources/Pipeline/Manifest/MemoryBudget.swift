import Foundation

/// The bytes a run may use: `limits.memory-cap` when given, otherwise the smaller of the
/// machine's physical memory and the cgroup's memory limit (what a SLURM job or container
/// gets). Sizes a manifest asks for are checked against it before anything is allocated.
public struct MemoryBudget: Sendable, Equatable {
    /// The budget in bytes.
    public var bytes: Int
    /// Where it comes from, for messages (`limits.memory-cap`, `physical memory`, `cgroup memory.max`).
    public var source: String

    /// Creates a budget.
    public init(bytes: Int, source: String) {
        self.bytes = bytes
        self.source = source
    }

    /// `limits.memory-cap` when given, else ``system``.
    public static func resolve(memoryCap: Int?, system: MemoryBudget = .system) -> MemoryBudget {
        memoryCap.map { MemoryBudget(bytes: $0, source: "limits.memory-cap") } ?? system
    }

    /// min(physical memory, cgroup limit), read once per process.
    public static let system: MemoryBudget = detect(
        physicalBytes: physicalMemoryBytes(), cgroupLimit: cgroupLimitBytes(readText: { try? String(contentsOfFile: $0, encoding: .utf8) }))

    /// The budget from the two sources (either may be unknown).
    static func detect(physicalBytes: Int?, cgroupLimit: (bytes: Int, file: String)?) -> MemoryBudget {
        switch (physicalBytes, cgroupLimit) {
        case let (physical?, cgroup?) where cgroup.bytes < physical:
            return MemoryBudget(bytes: cgroup.bytes, source: "cgroup \(cgroup.file)")
        case let (physical?, _):
            return MemoryBudget(bytes: physical, source: "physical memory")
        case let (nil, cgroup?):
            return MemoryBudget(bytes: cgroup.bytes, source: "cgroup \(cgroup.file)")
        case (nil, nil):
            return MemoryBudget(bytes: Int.max, source: "unknown (no physical memory size)")
        }
    }

    /// Physical pages × page size (sysconf), nil when unknown.
    static func physicalMemoryBytes() -> Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: size)
        return overflow ? nil : bytes
    }

    /// The cgroup memory limit: v2 `memory.max`, else v1 `memory.limit_in_bytes`; nil when
    /// there is none ("max", absent, or v1's "unlimited" near Int.max).
    static func cgroupLimitBytes(readText: (String) -> String?) -> (bytes: Int, file: String)? {
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let text = readText(file)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { continue }
            guard let value = Int(text), value > 0, value < Int.max / 2 else { return nil }
            return (value, file.replacingOccurrences(of: "/sys/fs/cgroup/", with: ""))
        }
        return nil
    }

    /// "2.0 GiB (physical memory)".
    public var description: String { "\(RunLimits.describe(bytes: bytes)) (\(source))" }
}
