import Foundation

/// Monotonic wall-clock time for stage timings and progress (CLOCK_MONOTONIC via `DispatchTime`).
struct Stopwatch {
    private let start = DispatchTime.now().uptimeNanoseconds

    /// Seconds since creation.
    var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}
