import CBLASLapack
import Foundation
import Synchronization

/// How many threads jacobench's numeric work uses, and where that number came from.
///
/// One rule for every entry point (`jacobench run`, `batch`, `make run`, the
/// `ExperimentRunner` API): ``resolve(option:environment:)`` picks, in order of precedence,
///
/// 1. `OPENBLAS_NUM_THREADS` from the environment, when set (non-empty) — the user's
///    word on BLAS threads wins, also over `--threads`;
/// 2. the `--threads N` option, when given;
/// 3. ``defaultCount``, 1 thread: what the published single-core figures use.
///
/// The count is jacobench's own: its kernels split their work into a fixed partition of tasks
/// (``ParallelTasks``: sample blocks, Gram tiles, Cholesky tiles) that does not depend on the
/// count, and ``workerCount`` threads take the tasks. OpenBLAS itself always runs on one
/// thread (``apply()`` sets it so): its own threading splits sums by the thread count, and a
/// fit's bits would then change with `--threads`. So every result is bitwise the same for any
/// thread count; only the time changes. The environment record of a bundle writes the count
/// as `threads` and `threads_source`.
public struct ThreadSettings: Sendable, Equatable {
    /// Where a thread count came from; the raw value is what environment.json records.
    public enum Source: String, Sendable, Equatable {
        /// `--threads N`.
        case option
        /// `OPENBLAS_NUM_THREADS` in the environment.
        case environment = "OPENBLAS_NUM_THREADS"
        /// Neither was given: ``ThreadSettings/defaultCount``.
        case defaultCount = "default"
    }

    /// Threads to use, ≥ 1.
    public var count: Int
    /// Where ``count`` came from.
    public var source: Source
    /// A `--threads` value that was given but lost to `OPENBLAS_NUM_THREADS` (for a note).
    public var overriddenOption: Int?

    /// The count when neither `--threads` nor `OPENBLAS_NUM_THREADS` is given.
    public static let defaultCount = 1
    /// The environment variable that wins over `--threads`.
    public static let environmentVariable = "OPENBLAS_NUM_THREADS"

    /// Creates settings.
    public init(count: Int, source: Source, overriddenOption: Int? = nil) {
        self.count = count
        self.source = source
        self.overriddenOption = overriddenOption
    }

    /// The thread count by the precedence above: `OPENBLAS_NUM_THREADS` (when set and
    /// non-empty), then `option`, then ``defaultCount``.
    ///
    /// - Throws: ``ThreadSettingsError`` when `option` is below 1 or the variable is not a
    ///   positive integer.
    public static func resolve(option: Int?, environment: [String: String]) throws -> ThreadSettings {
        if let option, option < 1 { throw ThreadSettingsError("--threads must be at least 1, got \(option)") }
        if let text = environment[environmentVariable]?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let count = Int(text), count >= 1 else {
                throw ThreadSettingsError("\(environmentVariable)='\(text)' is not a positive thread count (unset it to use --threads or the default of \(defaultCount))")
            }
            return ThreadSettings(count: count, source: .environment, overriddenOption: option.flatMap { $0 == count ? nil : $0 })
        }
        if let option { return ThreadSettings(count: option, source: .option) }
        return ThreadSettings(count: defaultCount, source: .defaultCount)
    }

    private static let applied = Mutex<ThreadSettings?>(nil)

    /// The settings last applied in this process (nil before any ``apply()``: jacobench's
    /// kernels then use one worker, and OpenBLAS its own default).
    public static var current: ThreadSettings? { applied.withLock { $0 } }

    /// Makes these settings ``current`` (so ``workerCount`` is ``count``) and keeps OpenBLAS
    /// on one thread.
    public func apply() {
        openblas_set_num_threads(1)
        Self.applied.withLock { $0 = self }
    }

    /// The worker threads jacobench's own kernels use: ``workerOverride`` when set, else
    /// ``current``'s count, or 1 before any settings were applied.
    public static var workerCount: Int { workerOverride ?? current?.count ?? 1 }

    /// A worker count for the current task only (tests comparing thread counts side by side,
    /// without touching the process-wide settings other tasks read).
    @TaskLocal public static var workerOverride: Int?

    /// The thread count OpenBLAS reports now.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }
}

/// A thread count that cannot be used (from `--threads` or `OPENBLAS_NUM_THREADS`).
public struct ThreadSettingsError: Error, CustomStringConvertible, Equatable {
    /// What is wrong and where.
    public var description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
