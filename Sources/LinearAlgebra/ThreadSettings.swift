import CBLASLapack
import Foundation
import Synchronization

/// How many threads jacobench's numeric work uses, and where that number came from.
///
/// One rule for every entry point (`jacobench run`, `batch`, `make run`, the
/// `ExperimentRunner` API): ``resolve(option:environment:)`` picks, in order of precedence,
///
/// 1. `OPENBLAS_NUM_THREADS` from the environment, when set (non-empty) — the user's
///    explicit word to OpenBLAS wins, also over `--threads`;
/// 2. the `--threads N` option, when given;
/// 3. ``defaultCount``, 1 thread: bitwise reproducible (a multi-threaded BLAS splits sums
///    differently with the thread count, and a fit's final cost then changes in its last
///    digits or, through different iterations, by much more), and what the published
///    figures use.
///
/// ``apply()`` hands the count to OpenBLAS (`openblas_set_num_threads`) and keeps it as
/// ``current``, which later code (multi-threaded kernels) reads instead of asking OpenBLAS.
/// The environment record of a bundle writes it as `threads` and `threads_source`.
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

    /// The settings last applied in this process (nil before any ``apply()``: OpenBLAS then
    /// runs with its own default, all cores unless `OPENBLAS_NUM_THREADS` says otherwise).
    public static var current: ThreadSettings? { applied.withLock { $0 } }

    /// Sets OpenBLAS's thread count to ``count`` and makes these settings ``current``.
    public func apply() {
        openblas_set_num_threads(Int32(clamping: count))
        Self.applied.withLock { $0 = self }
    }

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
