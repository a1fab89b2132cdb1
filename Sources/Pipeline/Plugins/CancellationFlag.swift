import Synchronization

/// A flag set once (by SIGINT, or a test) and polled by stages at every iteration or
/// timing repeat, so a run stops promptly and keeps what it finished.
public final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    /// A new, unset flag.
    public init() {}

    /// The flag the process's SIGINT handler sets.
    public static let process = CancellationFlag()

    /// Sets the flag; async-signal-safe (one atomic store).
    public func cancel() { state.store(true, ordering: .relaxed) }

    /// Whether the run has been asked to stop.
    public var isCancelled: Bool { state.load(ordering: .relaxed) }

    /// Throws ``RunCancelled`` when the flag is set.
    public func check() throws {
        if isCancelled { throw RunCancelled() }
    }
}

/// Thrown by a stage that noticed the cancellation flag; the runner keeps finished cases,
/// marks the bundle incomplete and the CLI exits 130.
public struct RunCancelled: Error, Sendable, CustomStringConvertible {
    /// Creates the error.
    public init() {}
    /// "interrupted".
    public var description: String { "interrupted" }
}
