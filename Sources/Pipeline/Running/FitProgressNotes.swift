import Foundation
import Solvers
import Synchronization

/// Turns a fit's per-iteration reports (``FitProgress``) into progress notes
/// (`iteration 120 · cost 3.214e-02`), at most one per `interval` seconds, so the solver's
/// loop pays one clock read per iteration and formats text only when a note is due.
public final class FitProgressNotes: Sendable {
    /// Seconds between notes (0.1: a terminal line redrawn ten times a second).
    public static let defaultInterval = 0.1

    private let interval: Double
    private let now: @Sendable () -> Double
    private let progress: StageProgress
    private let lastNote = Mutex(-Double.infinity)

    /// Notes to `progress`, at most one per `interval` seconds of `now` (monotonic seconds;
    /// injected by tests).
    public init(progress: StageProgress, interval: Double = defaultInterval, now: @escaping @Sendable () -> Double = MonotonicClock.seconds) {
        self.progress = progress
        self.interval = interval
        self.now = now
    }

    /// The observer to hand to ``LeastSquaresProblem/iterationObserver``.
    public var observer: @Sendable (FitProgress) -> Void {
        { [self] report in observe(report) }
    }

    /// Notes `report` when `interval` has passed since the last note.
    public func observe(_ report: FitProgress) {
        let time = now()
        let due = lastNote.withLock { last -> Bool in
            guard time - last >= interval else { return false }
            last = time
            return true
        }
        if due { progress.note(Self.text(report)) }
    }

    /// `iteration 120 · cost 3.214e-02`.
    public static func text(_ report: FitProgress) -> String {
        "iteration \(report.iteration) · cost \(String(format: "%.4g", report.cost))"
    }
}

/// Monotonic seconds (CLOCK_MONOTONIC via `DispatchTime`), the default clock of progress output.
public enum MonotonicClock {
    /// Seconds since an arbitrary fixed point.
    @Sendable public static func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
