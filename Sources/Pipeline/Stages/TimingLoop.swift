/// The timing loop of one strategy in `jacobian-timing`: warm-up calls, then timed repeats,
/// cut by the evaluation's per-strategy `max-seconds` and by what is left of the case's
/// `time-budget`. Its clock is injected, so that tests drive it with synthetic call times.
///
/// - A strategy predicted (cost model × forward pass) to take more than `max-seconds` per
///   call is timed once: no warm-up, one timed call. So is one whose first warm-up call alone
///   took more than `max-seconds` (that call is its timing).
/// - Before every call, the call's length — the prediction before the first call, the last
///   call's observed length after — is compared with what is left of the case's budget: a
///   call that would overrun it is not made. Before any call that is a skip (no samples);
///   after one, the strategy is *cut short*: its timing is what was measured (a warm-up call
///   when no timed call was made), with the reason.
/// - Otherwise as before: after 3 repeats once `max-seconds` is spent, or after 1 when one
///   call alone overran it or five budgets are spent.
struct TimingLoop {
    /// Timed repetitions asked for.
    var repeats: Int
    /// Untimed repetitions first.
    var warmup: Int
    /// The per-strategy budget, seconds.
    var maxSeconds: Double
    /// The case's time budget, seconds; nil when it has none.
    var caseBudget: Double?
    /// The case's elapsed seconds when the loop starts.
    var caseElapsedAtStart: Double = 0
    /// One call's predicted seconds (cost model × one forward pass); nil when unknown.
    var predictedSeconds: Double?

    /// What the loop measured.
    struct Outcome: Equatable {
        /// Seconds of the timed calls (one warm-up call when it was the only one); empty when
        /// the strategy was skipped before its first call.
        var samples: [Double]
        /// Why the loop stopped before its repeats for the case's budget (cut short or skipped).
        var cutShort: String?
        /// Whether the strategy was timed once because one call takes more than `max-seconds`.
        var timedOnce: Bool
    }

    /// Runs the loop: `now` reads a monotonic clock in seconds, `call` makes one call,
    /// `beforeCall` runs before each call (cancellation checks, progress), with the index of
    /// the timed repeat (nil for warm-up calls).
    func run(now: () -> Double, beforeCall: (Int?) throws -> Void, call: () -> Void) rethrows -> Outcome {
        let start = now()
        func spent() -> Double { now() - start }
        var samples: [Double] = []
        var lastCall = predictedSeconds
        var madeCall = false
        /// One call, timed.
        func timedCall() -> Double {
            let begin = now()
            call()
            madeCall = true
            let seconds = now() - begin
            lastCall = seconds
            return seconds
        }
        /// Why the next call may not start: it would overrun what is left of the case's budget.
        func overrun() -> String? {
            guard let budget = caseBudget, let next = lastCall else { return nil }
            let left = budget - caseElapsedAtStart - spent()
            guard next > left else { return nil }
            let source = madeCall ? "last run took" : "predicted"
            return "\(source) \(RunLimits.describe(seconds: next)) per run > \(RunLimits.describe(seconds: max(left, 0))) left of time-budget \(RunLimits.describe(seconds: budget))"
        }
        if let reason = overrun() { return Outcome(samples: [], cutShort: reason, timedOnce: false) }
        if let predicted = predictedSeconds, predicted > maxSeconds {
            try beforeCall(0)
            return Outcome(samples: [timedCall()], cutShort: nil, timedOnce: true)
        }
        var warmupCall: Double?
        for warmupIndex in 0..<warmup {
            guard spent() <= maxSeconds else { break }
            if let reason = overrun() {
                return Outcome(samples: warmupCall.map { [$0] } ?? [], cutShort: reason, timedOnce: false)
            }
            try beforeCall(nil)
            let seconds = timedCall()
            warmupCall = seconds
            if warmupIndex == 0 && seconds > maxSeconds { return Outcome(samples: [seconds], cutShort: nil, timedOnce: true) }
        }
        // Repeats usually stop at max-seconds long before a large count: reserve a little.
        samples.reserveCapacity(min(repeats, 1024))
        for repeatIndex in 0..<repeats {
            if let reason = overrun() {
                let kept = samples.isEmpty ? (warmupCall.map { [$0] } ?? []) : samples
                return Outcome(samples: kept, cutShort: reason + " after \(samples.count) of \(repeats) repeats", timedOnce: false)
            }
            try beforeCall(repeatIndex)
            samples.append(timedCall())
            let total = spent()
            let callOverran = (samples.last ?? 0) > maxSeconds
            if total > maxSeconds && (samples.count >= 3 || callOverran || total > 5 * maxSeconds) { break }
        }
        return Outcome(samples: samples, cutShort: nil, timedOnce: false)
    }
}
