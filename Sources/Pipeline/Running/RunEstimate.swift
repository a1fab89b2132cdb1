/// The time a run will take, estimated before its first case: each case's data and model
/// are built (and timed), one forward pass of its map is timed, and ``CaseEstimate`` turns
/// the cost model's units into seconds; a case is counted at most up to its `time-budget`.
/// Measured on every shipped experiment: see ``CaseEstimate``.
public struct RunEstimate: Sendable {
    /// Estimated seconds of all estimated cases.
    public var seconds: Double
    /// Cases estimated.
    public var estimatedCases: Int
    /// Cases that could not be built for the estimate (they will fail or be skipped when run).
    public var unestimatedCases: Int
    /// Seconds spent estimating.
    public var overheadSeconds: Double
    /// Each case's estimate in run order (nil where it could not be built; 0 when skipped).
    public var caseSeconds: [Double?] = []

    /// Estimates `cases`; stops early (returning what it has) when the run is cancelled.
    static func make(_ cases: [PlannedCase], cancellation: CancellationFlag) -> RunEstimate {
        let clock = Stopwatch()
        var estimate = RunEstimate(seconds: 0, estimatedCases: 0, unestimatedCases: 0, overheadSeconds: 0)
        estimate.caseSeconds.reserveCapacity(cases.count)
        for plannedCase in cases {
            if cancellation.isCancelled { break }
            if let caseEstimate = try? CaseEstimate.build(plannedCase) {
                let skipped = caseEstimate.skipReason(under: plannedCase.limits) != nil
                let seconds = skipped ? 0 : min(caseEstimate.seconds, plannedCase.limits.timeBudget ?? .infinity)
                estimate.seconds += seconds
                estimate.caseSeconds.append(seconds)
                estimate.estimatedCases += 1
            } else {
                estimate.caseSeconds.append(nil)
                estimate.unestimatedCases += 1
            }
        }
        estimate.overheadSeconds = clock.elapsedSeconds
        return estimate
    }

    /// "estimated ~3 min 20 s (cost model × one forward pass per case, solvers at their expected iterations)".
    public var summary: String {
        var text = "estimated ~\(RunProgressDisplay.duration(seconds)) (cost model × one timed forward pass per case; solvers at their expected iterations)"
        if unestimatedCases > 0 { text += "; \(unestimatedCases) case\(unestimatedCases == 1 ? "" : "s") not estimated" }
        return text
    }
}
