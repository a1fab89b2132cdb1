import Jacobians
import LinearAlgebra

/// `evaluation: [{kind: jacobian-timing, repeats: 30}]` — wall time of every strategy,
/// beside one forward pass of the same model over the whole batch timed in the same run:
/// `jacobian.<s>.median_us`, `.min_us`, `.q1_us`, `.q3_us` (quartiles, ``TimingStatistics``),
/// `.repeats`, `.spread` ((max − min) / median) and `.forward_units` (median / forward-pass
/// median, comparable across machines), plus `forward.median_us`, `.min_us`, `.q1_us`,
/// `.q3_us`, `.repeats` — what `diff`'s noise rule reads. Each strategy runs `warmup` untimed times, then `repeats` timed
/// ones into a reused buffer, stopping early once `max-seconds` is spent (after 3 repeats,
/// or after 1 when one call alone overran it); a strategy predicted, or seen on its first
/// warm-up call, to take more than `max-seconds` per call is timed once. Under a case
/// `time-budget`, a call predicted (before the first) or observed (the last call) to overrun
/// what is left is not made: the strategy is `.skipped` before any call, else `.cut_short`
/// (the reason) with what was measured (``TimingLoop``). `.predicted_units` is the cost
/// model's prediction for the case's shape beside the measured `.forward_units`.
/// Calls alternate between θ and θ with its first entry one ulp up (as `peer-comparison`
/// does), so a map that caches its forward pass for an unchanged θ pays for it every call,
/// as JAX and PyTorch do. Polls the cancellation flag at every repeat.
public enum JacobianTimingEvaluation: EvaluationStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// Timed repetitions per strategy.
        public var repeats = 20
        /// Untimed repetitions first.
        public var warmup = 2
        /// Time budget per strategy, seconds.
        public var maxSeconds = 2.0

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .optional("repeats", \.repeats, "timed repetitions per strategy (median, quartiles, min and spread are over these)"),
            .optional("warmup", \.warmup, "untimed repetitions before timing"),
            .optional("max-seconds", \.maxSeconds, "time budget per strategy; stops early after 3 repeats, or after one call that alone overran it (timed once)"),
        ]
    }

    /// `jacobian-timing`.
    public static let kind = "jacobian-timing"
    /// One line.
    public static let summary = "median, quartiles, min and spread of every strategy's wall time, in µs and forward-pass units"

    /// Most `repeats` (and `warmup` calls) one strategy may ask for: every repeat keeps its
    /// time, so the count bounds memory; `max-seconds` usually ends the loop long before.
    public static let maximumRepeats = 1_000_000

    /// Counts must be positive.
    public static func validate(_ configuration: Configuration) throws {
        guard configuration.repeats > 0, configuration.repeats <= maximumRepeats else {
            throw ConfigurationProblem(field: "repeats", "must be in 1…\(maximumRepeats), got \(configuration.repeats)")
        }
        guard configuration.warmup >= 0, configuration.warmup <= maximumRepeats else {
            throw ConfigurationProblem(field: "warmup", "must be in 0…\(maximumRepeats), got \(configuration.warmup)")
        }
        try CheckedNumber.positive(configuration.maxSeconds, field: "max-seconds")
    }

    /// Times the forward pass, then every applicable strategy.
    public static func evaluate(_ context: StageContext<Configuration>, subject: EvaluationSubject) throws -> EvaluationResult {
        let selection = try JacobianSelection(subject: subject)
        var output: [Double] = []
        let forward = try measure(context, label: "forward pass", at: selection.point, loop: loop(context.configuration)) {
            selection.map.evaluate(at: $0, into: &output)
        }.statistics ?? TimingStatistics(single: 0)
        var rows = [TimingRow(name: "forward-pass", statistics: forward, forwardUnits: 1)]
        var metrics = selection.notApplicableMetrics + selection.limitMetrics + statisticsMetrics("forward.", forward)
        metrics += [.count("jacobian.rows", selection.map.outputCount), .count("jacobian.columns", selection.map.inputCount)]
        var jacobian = Matrix(rows: selection.map.outputCount, columns: selection.map.inputCount)
        for entry in selection.entries where entry.runs {
            if let spent = JacobianSelection.budgetSpent(subject) {
                metrics.append(Metric(name: "jacobian.\(entry.label).skipped", value: .string(spent), kind: .timing))
                continue
            }
            var strategyLoop = loop(context.configuration)
            strategyLoop.caseBudget = subject.limits.timeBudget
            strategyLoop.caseElapsedAtStart = subject.caseClock.elapsedSeconds
            strategyLoop.predictedSeconds = selection.predictedSeconds(entry, forwardSeconds: forward.median * 1e-6)
            var failure: (any Error)?
            let (measured, outcome) = try measure(context, label: entry.label, at: selection.point, loop: strategyLoop) { point in
                do { _ = try entry.strategy.jacobian(of: selection.map, at: point, into: &jacobian) } catch { failure = error }
            }
            if let failure { throw failure }
            guard let timing = measured else {
                metrics.append(Metric(name: "jacobian.\(entry.label).skipped", value: .string(outcome.cutShort ?? "not timed"), kind: .timing))
                continue
            }
            if let reason = outcome.cutShort {
                // Stopped before its repeats: its next call would have overrun the case's budget.
                metrics.append(Metric(name: "jacobian.\(entry.label).cut_short", value: .string(reason), kind: .timing))
            }
            let units = timing.median / forward.median
            let prefix = "jacobian.\(entry.label)."
            // `auto` is predicted as what it chose (a calibrated choice may differ from the cost
            // model's own, and is then no deterministic fact).
            let decision = entry.autoDecision
            var predicted = JacobianCostModel.predict(decision?.strategy ?? entry.strategy, on: selection.shape)
            if decision != nil {
                // auto's own per-call overhead on top of its choice.
                predicted.forwardPassUnits += JacobianCostModel.autoOverheadUnits(on: selection.shape)
            }
            let predictedKind: Metric.Kind = decision?.calibration == nil ? .deterministic : .timing
            metrics += statisticsMetrics(prefix, timing) + [
                .timing(prefix + "spread", (timing.maximum - timing.minimum) / timing.median),
                .timing(prefix + "forward_units", units),
                // The cost model's units for this shape, beside the measured ones (a pure
                // function of the shape, so deterministic); the ratio is how far it is off.
                Metric(name: prefix + "predicted_units", value: .number(predicted.forwardPassUnits), kind: predictedKind),
                .timing(prefix + "predicted_over_measured", predicted.forwardPassUnits / units),
            ]
            if let decision {
                // Deterministic unless auto calibrated by timing (as in jacobian-accuracy).
                metrics += AutoDecisionMetrics.metrics(decision, mode: subject.jacobian.autoMode, prefix: prefix)
            }
            rows.append(TimingRow(name: "jacobian.\(entry.label)", statistics: timing, forwardUnits: units))
        }
        return EvaluationResult(metrics: metrics, timings: rows)
    }

    /// `<prefix>median_us`, `min_us`, `q1_us`, `q3_us` and `repeats` (all timing: the count
    /// depends on the time budget).
    static func statisticsMetrics(_ prefix: String, _ statistics: TimingStatistics) -> [Metric] {
        [
            .timing(prefix + "median_us", statistics.median), .timing(prefix + "min_us", statistics.minimum),
            .timing(prefix + "q1_us", statistics.firstQuartile), .timing(prefix + "q3_us", statistics.thirdQuartile),
            Metric(name: prefix + "repeats", value: .integer(statistics.repeats), kind: .timing),
        ]
    }

    /// The evaluation's loop settings (no case budget, no prediction: the forward pass's).
    static func loop(_ configuration: Configuration) -> TimingLoop {
        TimingLoop(repeats: configuration.repeats, warmup: configuration.warmup, maxSeconds: configuration.maxSeconds)
    }

    /// Statistics of the timed repetitions of `work` (µs) under `loop` (see ``TimingLoop``),
    /// nil when the loop skipped it; calls alternate between `point` and `point` with its
    /// first entry one ulp up (untimed warm-up calls included).
    static func measure(
        _ context: StageContext<Configuration>, label: String, at point: [Double], loop: TimingLoop, _ body: ([Double]) -> Void
    ) throws -> (statistics: TimingStatistics?, outcome: TimingLoop.Outcome) {
        var nudged = point
        if !nudged.isEmpty { nudged[0] = nudged[0].nextUp }
        var useNudged = false
        let clock = Stopwatch()
        let outcome = try loop.run(
            now: { clock.elapsedSeconds },
            beforeCall: { repeatIndex in
                try context.checkCancellation()
                if let repeatIndex, repeatIndex % 8 == 0 { context.progress.note("\(label) \(repeatIndex)/\(loop.repeats)") }
            },
            call: {
                useNudged.toggle()
                body(useNudged ? nudged : point)
            })
        return (TimingStatistics(samples: outcome.samples.map { $0 * 1e6 }), outcome)
    }
}
