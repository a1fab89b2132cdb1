import Jacobians
import Solvers

/// The smallest memory a case's derivatives need — J itself, M × N doubles, and one sweep over
/// every sample — against the case's memory budget, checked before any strategy or sweep
/// allocates it.
enum JacobianBudget {
    /// Why J of `map` does not fit `budget` (its bytes overflow or exceed it), or nil.
    static func excess(of map: any DifferentiableMap, budget: MemoryBudget) -> String? {
        let m = map.outputCount, n = map.inputCount
        let (values, overflow) = m.multipliedReportingOverflow(by: n)
        let (bytes, bytesOverflow) = values.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        guard overflow || bytesOverflow || bytes > budget.bytes else { return nil }
        let size = overflow || bytesOverflow ? "more than \(RunLimits.describe(bytes: Int.max))" : RunLimits.describe(bytes: bytes)
        return "the Jacobian alone (M = \(m) × N = \(n) doubles) needs \(size), more than the memory budget \(budget.description)"
    }

    /// Why one single-lane sweep over every sample of a map of `shape` (``JacobianShape/singleLaneSweepBytes``:
    /// a network's activations, their derivatives and one lane) does not fit `budget`, or nil
    /// (also when the shape is unknown).
    static func sweepExcess(of shape: JacobianShape?, budget: MemoryBudget) -> String? {
        guard let shape, shape.singleLaneSweepBytes > budget.bytes else { return nil }
        let bytes = shape.singleLaneSweepBytes
        let size = bytes == Int.max ? "more than \(RunLimits.describe(bytes: Int.max))" : RunLimits.describe(bytes: bytes)
        let samples = shape.sampleCount.map { "all \($0) samples" } ?? "all samples"
        return "a sweep over \(samples) at once (the network's activations, their derivatives and one lane) needs \(size), more than the memory budget \(budget.description)"
    }

    /// Why the derivatives of a case whose stages use them as `use` cannot fit `budget`: J for
    /// `.jacobian` (``excess(of:budget:)``, `isJacobian`), then one sweep over every sample of a
    /// map of `shape` for `.jacobian` and `.wholeBatchSweeps` (``sweepExcess(of:budget:)``); nil
    /// when they fit or nothing differentiates over all samples.
    static func excess(
        for use: ResidualDerivativeUse?, residuals: any DifferentiableMap, shape: JacobianShape?, budget: MemoryBudget
    ) -> (reason: String, isJacobian: Bool)? {
        if use == .jacobian, let reason = excess(of: residuals, budget: budget) { return (reason, true) }
        guard let use, use >= .wholeBatchSweeps, let reason = sweepExcess(of: shape, budget: budget) else { return nil }
        return (reason, false)
    }

    /// The fit problem `plannedCase` poses on its built data, model and residual map (σ, the
    /// model's fixed parameters and bounds, the memory budget), as the solver stage gets it.
    static func fitProblem(_ plannedCase: PlannedCase, data: LoadedData, model: any FittableModel, residuals: any DifferentiableMap) -> FitProblem {
        var problem = FitProblem(residuals: residuals, initialParameters: model.initialParameters, model: model, jacobian: plannedCase.jacobian)
        problem.limits = plannedCase.limits
        problem.jacobianShape = model.jacobianShape(on: data.training, variables: .parameters)
        problem.standardDeviations = data.training.residualSigma
        problem.absoluteSigma = data.absoluteSigma
        problem.memoryBudgetBytes = plannedCase.memoryBudget.bytes
        return problem
    }

    /// The most memory the stages of `plannedCase` need to differentiate the residual map on
    /// `problem` (``ResidualDerivativeUse``'s order), nil when none does: only a case whose use is
    /// `.jacobian` needs room for J (a matrix-free fit, one on normal equations the map
    /// assembles, and the fit metrics do not). Evaluations count when they differentiate with
    /// respect to the parameters.
    static func derivativeUse(_ plannedCase: PlannedCase, problem: FitProblem) -> ResidualDerivativeUse? {
        let evaluations = plannedCase.jacobian.withRespectTo == .parameters ? plannedCase.evaluations : []
        return ([plannedCase.solver?.derivativeUse(problem)] + evaluations.map { $0.derivativeUse(problem) }).compactMap { $0 }.max()
    }

    /// Whether the cost model's byte counts for `map` (small multiples of M × N doubles) fit
    /// in `Int`: M·N·8·64 does not overflow.
    static func isCountable(_ map: any DifferentiableMap) -> Bool {
        let (values, overflow) = map.outputCount.multipliedReportingOverflow(by: map.inputCount)
        return !overflow && !values.multipliedReportingOverflow(by: 8 * 64).overflow
    }

    /// A case refused because its Jacobian cannot fit (the case is recorded as failed).
    struct Refusal: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason + "; add a limits: section (memory-cap) to record such cases as skipped" }
    }
}
