import Jacobians
import Solvers

/// jacobench's Levenberg-Marquardt reaching the final cost of SciPy's `least_squares(method="lm")`
/// on the same case: the time to cost ≤ c_scipy·(1 + ``relativeTolerance``), measured twice:
///
/// - from the trace of the manifest's own fit (`elapsed_seconds` of the first accepted step at
///   or below the target), when the solver stage ran;
/// - by refitting from the same start with jacobench's defaults for the map
///   (`LevenbergMarquardt.Configuration()` with `target-cost` set, the `auto` Jacobian
///   strategy), once cold (including `auto`'s one-time calibration for this map) and then
///   timed like the peers (warm-up call, median of repeats, one shared `auto` instance).
///
/// The refit's time split per iteration (residual, Jacobian, Gram, factorization, other)
/// shows how close one iteration is to its kernels.
public struct FitToPeerCost: Sendable {
    /// Relative tolerance on the peer's cost: 1e-6.
    public static let relativeTolerance = 1e-6

    /// c_scipy·(1 + 1e-6).
    public var targetCost: Double
    /// Elapsed seconds and iteration of the manifest's fit when it first reached the target.
    public var fromTrace: (seconds: Double, iteration: Int)?
    /// Whether the manifest's fit (when there was one) reached the target at all.
    public var traceReached: Bool?
    /// The default refit: its last result.
    public var refit: FitResult?
    /// The first (cold) refit, µs.
    public var coldMicroseconds: Double?
    /// The warm refits.
    public var warm: RepeatedTiming?

    /// The first trace row (columns `iteration`, `cost`, `accepted`, `elapsed_seconds`) with an
    /// accepted step at or below `target`.
    static func firstReaching(_ target: Double, trace: [[Double]], columns: [String]) -> (seconds: Double, iteration: Int)? {
        guard let cost = columns.firstIndex(of: "cost"), let elapsed = columns.firstIndex(of: "elapsed_seconds"),
              let iteration = columns.firstIndex(of: "iteration") else { return nil }
        let accepted = columns.firstIndex(of: "accepted")
        for row in trace where row.count > max(cost, elapsed, iteration) {
            if let accepted, row.count > accepted, row[accepted] == 0 { continue }
            if row[cost] <= target { return (row[elapsed], Int(row[iteration])) }
        }
        return nil
    }

    /// Measures both; `budgetSeconds` and `maximumRepeats` bound the warm refits as for the peers.
    static func measure(
        peerCost: Double, fit: FitOutcome?, map: any DifferentiableMap, start: [Double],
        budgetSeconds: Double, maximumRepeats: Int, cancellation: CancellationFlag
    ) throws -> FitToPeerCost {
        let target = peerCost * (1 + relativeTolerance)
        var result = FitToPeerCost(targetCost: target)
        if let fit {
            result.fromTrace = firstReaching(target, trace: fit.trace, columns: fit.traceColumns)
            result.traceReached = result.fromTrace != nil
        }
        var configuration = LevenbergMarquardt.Configuration()
        configuration.targetCost = target
        configuration.covariance = false
        let solver = LevenbergMarquardt(configuration: configuration)
        let auto = AutoStrategy()
        func refit() -> FitResult {
            solver.fit(LeastSquaresProblem(map: map, initialParameters: start, jacobianStrategy: auto))
        }
        try cancellation.check()
        let cold = refit()
        result.coldMicroseconds = cold.timings.totalSeconds * 1e6
        result.refit = cold
        var last = cold
        result.warm = try RepeatedTiming.measure(budgetSeconds: budgetSeconds, maximumRepeats: maximumRepeats, cancellation: cancellation) {
            last = refit()
        }
        result.refit = last
        return result
    }

    init(targetCost: Double) {
        self.targetCost = targetCost
    }

    /// `peer.fit.*` metrics; `peerMicroseconds` is SciPy's median fit time.
    ///
    /// - `peer.fit.target_cost`; `peer.fit.trace.reached_scipy_cost` (text),
    ///   `peer.fit.trace.time_to_scipy_cost_us`, `peer.fit.trace.iterations_to_scipy_cost`;
    /// - `peer.fit.default.reached_scipy_cost` (text), `.iterations`, `.jacobians`,
    ///   `.normal_equations` (text), `.structured_assemblies`, `.residual_evaluations`, `.linear_solver` (text), `.jacobian_strategy` (text),
    ///   `.cold_us`, `.median_us`, `.min_us`, `.q1_us`, `.q3_us`, `.repeats`, and per iteration `.per_iteration.{residual,
    ///   jacobian, gram, factorization, other, total}_us`;
    /// - `peer.speedup.fit_to_scipy_cost` (SciPy median ÷ default refit median) and
    ///   `peer.speedup.fit_to_scipy_cost_trace` (SciPy median ÷ trace time).
    func metrics(peerMicroseconds: Double?) -> [Metric] {
        var metrics: [Metric] = [.deterministic("peer.fit.target_cost", targetCost)]
        if let traceReached { metrics.append(.text("peer.fit.trace.reached_scipy_cost", traceReached ? "true" : "false")) }
        if let fromTrace {
            metrics.append(.timing("peer.fit.trace.time_to_scipy_cost_us", fromTrace.seconds * 1e6))
            metrics.append(.count("peer.fit.trace.iterations_to_scipy_cost", fromTrace.iteration))
            if let peerMicroseconds, fromTrace.seconds > 0 {
                metrics.append(.timing("peer.speedup.fit_to_scipy_cost_trace", peerMicroseconds / (fromTrace.seconds * 1e6)))
            }
        }
        guard let refit else { return metrics }
        let reached = refit.status == .targetCostReached
        metrics.append(.text("peer.fit.default.reached_scipy_cost", reached ? "true" : "false (\(refit.status.rawValue))"))
        metrics.append(.count("peer.fit.default.iterations", refit.iterations))
        metrics.append(.count("peer.fit.default.jacobians", refit.jacobianEvaluations))
        metrics.append(.text("peer.fit.default.normal_equations", refit.normalEquationsDescription))
        metrics.append(.count("peer.fit.default.structured_assemblies", refit.normalEquations["structured"] ?? 0))
        metrics.append(.count("peer.fit.default.residual_evaluations", refit.residualEvaluations))
        metrics.append(.text("peer.fit.default.jacobian_strategy", refit.jacobianStrategy))
        metrics.append(.text("peer.fit.default.linear_solver", refit.linearSolverUse.sorted { $0.key < $1.key }
            .map { "\($0.key) \($0.value)" }.joined(separator: ", ")))
        if let coldMicroseconds { metrics.append(.timing("peer.fit.default.cold_us", coldMicroseconds)) }
        if let warm {
            metrics += warm.metrics(prefix: "peer.fit.default")
            if let peerMicroseconds, reached, warm.medianMicroseconds > 0 {
                metrics.append(.timing("peer.speedup.fit_to_scipy_cost", peerMicroseconds / warm.medianMicroseconds))
            }
        }
        // Per linearization (a Jacobian or a structured assembly of the normal equations).
        let t = refit.timings, steps = Double(max(refit.linearizations, 1))
        for (name, seconds) in [
            ("residual", t.residualSeconds), ("jacobian", t.jacobianSeconds), ("gram", t.gramSeconds),
            ("factorization", t.factorizationSeconds), ("other", t.otherSeconds), ("total", t.totalSeconds),
        ] {
            metrics.append(.timing("peer.fit.default.per_iteration.\(name)_us", seconds * 1e6 / steps))
        }
        return metrics
    }
}
