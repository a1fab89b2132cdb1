import Foundation

/// The built binary run as a child with posix_spawn and reaped with wait4, so a test sees
/// its exit status, its stderr and its peak resident memory — the memory bound of the
/// hostile-input catalogue. `ru_maxrss` alone is not the child's: posix_spawn's child shares
/// this process's memory until it executes the binary, and Linux records that memory's
/// high-water mark (this test process's own peak) into the child's maxrss at exec. So the
/// peak is the child's `VmHWM` (its own memory only, read from /proc every poll once the child
/// runs the binary: every millisecond at first, so that even a child rejecting its input at once
/// is sampled), unless `ru_maxrss` exceeds this process's peak after the child has ended — then
/// that figure is the child's (this process never reached it; other tests running in parallel may
/// raise this process's peak while the child runs, so the peak before the spawn proves nothing).
/// A child that ended before its first sample with a figure that may be this process's is run
/// again (at most ``attempts`` times in all) before that figure is taken. A watchdog (generous, only against hangs) kills a child that runs past
/// `watchdogSeconds`; no test asserts on time.
struct ChildProcess {
    /// Exit status (128 + signal when killed by one).
    var status: Int32
    /// Everything the child wrote to stderr.
    var stderr: String
    /// Peak resident set size in KiB.
    var maximumResidentKiB: Int
    /// Whether the watchdog had to kill it.
    var hung: Bool

    /// Runs the binary with `arguments` (paths in them absolute: the child keeps this
    /// process's working directory).
    static func run(_ arguments: [String], watchdogSeconds: Double = 120) throws -> ChildProcess {
        var attempt = 1
        while true {
            let (child, known) = try runOnce(arguments, watchdogSeconds: watchdogSeconds)
            if known || attempt == attempts { return child }
            attempt += 1
        }
    }

    /// Runs of a child whose peak could not be told from this process's before the figure that
    /// may be this process's is taken.
    static let attempts = 4

    /// One run, and whether its peak is the child's own (sampled, or above this process's peak).
    static func runOnce(_ arguments: [String], watchdogSeconds: Double) throws -> (ChildProcess, known: Bool) {
        let errorFile = try temporaryDirectory() + "/stderr.txt"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([BuiltBinary.path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The child shares this process's memory until its exec, and its ru_maxrss keeps the
        // high-water mark it had then; this process's own peak is read before and after, since a
        // test running a case in this process may reset that mark meanwhile (/proc/self/clear_refs).
        let ownBefore = ownPeakKiB()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, BuiltBinary.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw CocoaError(.executableLoad) }
        var status: Int32 = 0
        var usage = rusage()
        let deadline = Date().addingTimeInterval(watchdogSeconds)
        var hung = false
        var polledPeak = 0, polls = 0
        while wait4(pid, &status, WNOHANG, &usage) == 0 {
            // Before its exec the child still shares this process's memory and its VmHWM.
            if Self.runsBinary(pid) { polledPeak = max(polledPeak, Self.highWaterMarkKiB(of: pid) ?? 0) }
            polls += 1
            if Date() > deadline {
                kill(pid, SIGKILL)
                hung = true
                _ = wait4(pid, &status, 0, &usage)
                break
            }
            usleep(polls < 500 ? 1_000 : 10_000)
        }
        let exited = (status & 0x7F) == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let text = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        let inherited = max(ownBefore, ownPeakKiB()) + Self.spawnGrowthKiB
        let childsOwn = usage.ru_maxrss > inherited
        // Never sampled (it ended before the first poll) and not above this process's peak: the
        // conservative figure, so that the bound is still checked, unless the caller runs it again.
        let peak = childsOwn ? max(usage.ru_maxrss, polledPeak) : (polledPeak > 0 ? polledPeak : usage.ru_maxrss)
        return (ChildProcess(status: code, stderr: text, maximumResidentKiB: peak, hung: hung), childsOwn || polledPeak > 0)
    }

    /// What other threads of this process may add to its memory between reading its peak and
    /// the child's exec (KiB): an ru_maxrss within it of this process's peak may be inherited.
    static let spawnGrowthKiB = 8 * 1024

    /// This process's peak resident set size so far (KiB), as getrusage reports it.
    static func ownPeakKiB() -> Int {
        var own = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        return own.ru_maxrss
    }

    /// Whether the process `pid` has executed the built binary (its /proc exe link names it).
    static func runsBinary(_ pid: pid_t) -> Bool {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else { return false }
        return URL(fileURLWithPath: target).resolvingSymlinksInPath().path == URL(fileURLWithPath: BuiltBinary.path).resolvingSymlinksInPath().path
    }

    /// `VmHWM` of a running process, KiB (nil once it has exited or before it is readable).
    static func highWaterMarkKiB(of pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
}
