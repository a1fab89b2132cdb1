import Testing
@testable import Pipeline

/// The estimate's arithmetic on synthetic call times: what `jacobian-timing` spends on a
/// strategy is what ``TimingLoop`` spends when every call takes the predicted time.
@Suite struct EstimateArithmeticTests {
    struct Setting: Sendable, CustomTestStringConvertible {
        var once: Double, repeats: Int, warmup: Int, maxSeconds: Double
        var testDescription: String { "\(once) s × \(repeats) (+\(warmup)), max \(maxSeconds) s" }
    }

    /// Binary fractions, so that the fake clock's sums are exact.
    static let settings = [
        Setting(once: 0.125, repeats: 10, warmup: 1, maxSeconds: 0.375),
        Setting(once: 0.0078125, repeats: 20, warmup: 2, maxSeconds: 2),
        Setting(once: 3, repeats: 30, warmup: 2, maxSeconds: 2),
        Setting(once: 0.5, repeats: 30, warmup: 2, maxSeconds: 2),
        Setting(once: 1, repeats: 2, warmup: 0, maxSeconds: 0.25),
        Setting(once: 0.25, repeats: 50, warmup: 8, maxSeconds: 1),
    ]

    @Test(arguments: settings) func estimatedTimingEqualsTheLoopsTimeAtThePredictedCallTime(_ setting: Setting) {
        var now = 0.0
        var loop = TimingLoop(repeats: setting.repeats, warmup: setting.warmup, maxSeconds: setting.maxSeconds)
        loop.predictedSeconds = setting.once
        _ = loop.run(now: { now }, beforeCall: { _ in }, call: { now += setting.once })
        let estimated = CaseEstimate.timingSeconds(
            once: setting.once, repeats: Double(setting.repeats), warmup: Double(setting.warmup), maxSeconds: setting.maxSeconds)
        #expect(estimated == now)
    }

    @Test func pinnedTimingEstimates() {
        // Over max-seconds: timed once.
        #expect(CaseEstimate.timingSeconds(once: 3, repeats: 30, warmup: 2, maxSeconds: 2) == 3)
        // Fast: every warm-up call and every repeat.
        #expect(CaseEstimate.timingSeconds(once: 0.0078125, repeats: 20, warmup: 2, maxSeconds: 2) == 22 * 0.0078125)
        // One warm-up, then 3 repeats pass max-seconds 0.375.
        #expect(CaseEstimate.timingSeconds(once: 0.125, repeats: 10, warmup: 1, maxSeconds: 0.375) == 0.5)
        #expect(CaseEstimate.timingSeconds(once: 0, repeats: 10, warmup: 1, maxSeconds: 1) == 0)
    }
}
