import Testing
@testable import Pipeline

/// The timing loop on synthetic call times (a fake clock advanced by each call): the case's
/// time budget cuts a strategy short or skips it, a strategy slower than `max-seconds` is
/// timed once, and otherwise repeats stop as the per-strategy budget says.
@Suite struct TimingLoopTests {
    /// A clock that only moves when a call is made, by the next of `callSeconds` (the last
    /// one repeated).
    final class FakeClock {
        var now = 0.0
        var calls = 0
        let callSeconds: [Double]
        init(_ callSeconds: [Double]) { self.callSeconds = callSeconds }
        func call() {
            now += callSeconds[min(calls, callSeconds.count - 1)]
            calls += 1
        }
    }

    func run(_ loop: TimingLoop, calls: [Double]) -> (TimingLoop.Outcome, FakeClock) {
        let clock = FakeClock(calls)
        let outcome = loop.run(now: { clock.now }, beforeCall: { _ in }, call: { clock.call() })
        return (outcome, clock)
    }

    @Test func withoutABudgetAllRepeatsRun() {
        let (outcome, clock) = run(TimingLoop(repeats: 10, warmup: 2, maxSeconds: 2), calls: [0.015625])
        #expect(outcome.samples == Array(repeating: 0.015625, count: 10))
        #expect(outcome.cutShort == nil && !outcome.timedOnce)
        #expect(clock.calls == 12)
    }

    /// A huge warm-up count stops once `max-seconds` is spent (it used to walk every index).
    @Test func aHugeWarmupStopsAtMaxSeconds() {
        let (outcome, clock) = run(TimingLoop(repeats: 5, warmup: Int.max, maxSeconds: 1), calls: [0.25])
        #expect(clock.calls < 20, "\(clock.calls) calls")
        #expect(outcome.samples.count <= 5)
    }

    @Test func aStrategyPredictedOverWhatIsLeftIsSkippedBeforeAnyCall() {
        var loop = TimingLoop(repeats: 10, warmup: 1, maxSeconds: 0.3, caseBudget: 20, caseElapsedAtStart: 15)
        loop.predictedSeconds = 6
        let (outcome, clock) = run(loop, calls: [6])
        #expect(clock.calls == 0)
        #expect(outcome.samples.isEmpty)
        #expect(outcome.cutShort == "predicted 6 s per run > 5 s left of time-budget 20 s")
    }

    /// Predicted to fit (1 s with 5 s left) but each call takes 2 s: the warm-up and one timed
    /// call run (4 s), then the observed 2 s no longer fit in the 1 s left.
    @Test func anObservedOverrunCutsTheStrategyShortAndKeepsWhatWasMeasured() {
        var loop = TimingLoop(repeats: 10, warmup: 1, maxSeconds: 10, caseBudget: 20, caseElapsedAtStart: 15)
        loop.predictedSeconds = 1
        let (outcome, clock) = run(loop, calls: [2])
        #expect(clock.calls == 2)
        #expect(outcome.samples == [2])
        #expect(outcome.cutShort == "last run took 2 s per run > 1 s left of time-budget 20 s after 1 of 10 repeats")
        // The case ends within its budget: 15 s before + 4 s here.
        #expect(15 + clock.now <= 20)
    }

    /// Cut before the first timed call: the warm-up call is the timing.
    @Test func aWarmUpCallIsKeptWhenNoTimedCallFits() {
        var loop = TimingLoop(repeats: 10, warmup: 1, maxSeconds: 10, caseBudget: 20, caseElapsedAtStart: 16)
        loop.predictedSeconds = 1
        let (outcome, clock) = run(loop, calls: [3])
        #expect(clock.calls == 1)
        #expect(outcome.samples == [3])
        #expect(outcome.cutShort?.hasPrefix("last run took 3 s per run > 1 s left") == true)
    }

    @Test func aStrategyPredictedOverMaxSecondsIsTimedOnceWithoutWarmUp() {
        var loop = TimingLoop(repeats: 30, warmup: 2, maxSeconds: 2)
        loop.predictedSeconds = 3
        let (outcome, clock) = run(loop, calls: [3.5])
        #expect(clock.calls == 1)
        #expect(outcome.samples == [3.5] && outcome.timedOnce && outcome.cutShort == nil)
    }

    @Test func aFirstCallOverMaxSecondsIsTheOnlyTiming() {
        var loop = TimingLoop(repeats: 30, warmup: 2, maxSeconds: 2)
        loop.predictedSeconds = 0.5
        let (outcome, clock) = run(loop, calls: [4])
        #expect(clock.calls == 1)
        #expect(outcome.samples == [4] && outcome.timedOnce)
    }

    /// 0.15 s calls against max-seconds 0.3: the warm-up spends 0.15 s, then repeats stop after
    /// 3 once the 0.3 s are spent.
    @Test func repeatsStopAfterThreeOnceMaxSecondsIsSpent() {
        let (outcome, clock) = run(TimingLoop(repeats: 10, warmup: 1, maxSeconds: 0.3), calls: [0.15])
        #expect(outcome.samples.count == 3)
        #expect(clock.calls == 4)
    }
}
