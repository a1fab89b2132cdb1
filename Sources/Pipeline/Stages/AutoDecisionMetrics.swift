import Jacobians

/// What a case records about one `auto` decision, under `prefix` (`jacobian.auto.` for the
/// evaluations, `fit.auto.` for the solver):
///
/// - `choice`, `reason`: the strategy and the sentence saying why; deterministic unless the
///   decision was calibrated by timing (then timing-kind: another run may choose otherwise).
/// - `mode`: `cost-model`, `calibrated`, `pinned` or `pinned-from-bundle` (deterministic: it
///   is what the manifest and the command line asked for).
/// - `calibration.*_us` (calibrated only, timing-kind): the unit costs measured on this
///   machine that the choice came from — one evaluation, a pushforward's and a pullback's
///   fixed and per-lane parts, one per-sample Jacobian and one complex evaluation when timed.
enum AutoDecisionMetrics {
    /// The metrics of `decision`, made in `mode` (``JacobianSettings/autoMode``).
    static func metrics(_ decision: AutoDecision, mode: String, prefix: String) -> [Metric] {
        let kind: Metric.Kind = decision.calibration == nil ? .deterministic : .timing
        var metrics = [
            Metric(name: prefix + "choice", value: .string(decision.chosen), kind: kind),
            Metric(name: prefix + "reason", value: .string(decision.reason), kind: kind),
            .text(prefix + "mode", mode),
        ]
        if let calibration = decision.calibration {
            metrics += calibrationMetrics(calibration, prefix: prefix + "calibration.")
        }
        return metrics
    }

    /// `evaluation_us`, `pushforward_fixed_us`, `pushforward_per_lane_us`, `pullback_fixed_us`,
    /// `pullback_per_lane_us`, and `per_sample_us` / `complex_evaluation_us` when measured.
    static func calibrationMetrics(_ calibration: AutoCalibration, prefix: String) -> [Metric] {
        var metrics: [Metric] = [
            .timing(prefix + "evaluation_us", calibration.evaluation * 1e6),
            .timing(prefix + "pushforward_fixed_us", calibration.pushforwardFixed * 1e6),
            .timing(prefix + "pushforward_per_lane_us", calibration.pushforwardPerLane * 1e6),
            .timing(prefix + "pullback_fixed_us", calibration.pullbackFixed * 1e6),
            .timing(prefix + "pullback_per_lane_us", calibration.pullbackPerLane * 1e6),
        ]
        if let perSample = calibration.perSample { metrics.append(.timing(prefix + "per_sample_us", perSample * 1e6)) }
        if let complex = calibration.complexEvaluation { metrics.append(.timing(prefix + "complex_evaluation_us", complex * 1e6)) }
        return metrics
    }
}
