import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's peak resident memory per case, as Linux reports it.
///
/// ``reset()`` writes `5` to `/proc/self/clear_refs`, which resets `VmHWM` (the resident
/// set's high-water mark in `/proc/self/status`) to the current resident size, so
/// ``read(afterReset:)`` after a case is that case's peak (including memory the process
/// already held when it started). Where that is not permitted (or not Linux) the reading
/// falls back to `getrusage`'s `ru_maxrss`, the peak over the whole process so far, and
/// says so in its source.
enum PeakMemory {
    /// One reading.
    struct Reading: Sendable, Equatable {
        /// Peak resident bytes.
        var bytes: Int
        /// `VmHWM since case start` or `ru_maxrss (process lifetime: clear_refs not permitted)`.
        var source: String
    }

    /// Resets the high-water mark; false when the kernel did not accept it. First hands the heap
    /// pages freed so far back to the system (glibc's `malloc_trim`), so that memory an earlier
    /// case of the same process freed but the allocator kept does not count as this case's.
    static func reset() -> Bool {
        _ = mallocTrim?(0)
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// The peak since ``reset()`` when it worked, else the process's lifetime peak.
    static func read(afterReset reset: Bool) -> Reading {
        if reset, let bytes = highWaterMark() { return Reading(bytes: bytes, source: "VmHWM since case start") }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Reading(bytes: Int(usage.ru_maxrss) * 1024, source: "ru_maxrss (process lifetime: clear_refs not permitted)")
    }

    /// glibc's `malloc_trim(size_t pad)`, looked up in the running process (nil elsewhere).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// `VmHWM` from /proc/self/status in bytes, nil when unreadable.
    static func highWaterMark() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
