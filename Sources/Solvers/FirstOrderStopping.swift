/// The stopping settings shared by the first-order methods (gradient descent, Adam).
public struct FirstOrderStopping: Sendable, Codable, Equatable, StoppingLimits {
    /// `max-iterations`.
    public var maximumIterations: Int = 10_000
    /// `max-evaluations`: residual evaluations (each paired with one gradient pullback).
    public var maximumEvaluations: Int = 100_000
    /// `gtol`: stop when ‖Jᵀr‖∞ ≤ this.
    public var gtol: Double = 1e-10
    /// `target-cost`: stop (converged) once the cost is at most this.
    public var targetCost: Double?
    /// `max-time`: seconds from the solver's start; nil: no cap.
    public var maximumSeconds: Double?

    /// The defaults.
    public init() {}
}

/// A configuration whose stopping limits are one ``FirstOrderStopping`` value (gradient
/// descent, Adam): ``StoppingLimits`` reads and writes them there.
public protocol FirstOrderConfiguration: StoppingLimits {
    /// The shared stopping rules.
    var stopping: FirstOrderStopping { get set }
}

extension FirstOrderConfiguration {
    /// `max-iterations`, in ``stopping``.
    public var maximumIterations: Int {
        get { stopping.maximumIterations }
        set { stopping.maximumIterations = newValue }
    }
    /// `max-evaluations`, in ``stopping``.
    public var maximumEvaluations: Int {
        get { stopping.maximumEvaluations }
        set { stopping.maximumEvaluations = newValue }
    }
    /// `gtol`, in ``stopping``.
    public var gtol: Double {
        get { stopping.gtol }
        set { stopping.gtol = newValue }
    }
    /// `target-cost`, in ``stopping``.
    public var targetCost: Double? {
        get { stopping.targetCost }
        set { stopping.targetCost = newValue }
    }
    /// `max-time`, in ``stopping``.
    public var maximumSeconds: Double? {
        get { stopping.maximumSeconds }
        set { stopping.maximumSeconds = newValue }
    }
}

/// Runs a first-order iteration x ← update(x, g) with the shared stopping rules; `update`
/// writes the new point into its third argument and returns the step's length and the
/// value to trace as the damping (the learning rate).
func runFirstOrder<Solver: LeastSquaresSolver>(
    _ solverType: Solver.Type, problem: LeastSquaresProblem, stopping: FirstOrderStopping,
    update: (_ iteration: Int, _ gradient: [Double], _ point: inout [Double]) -> (stepNorm: Double, rate: Double)
) -> FitResult {
    let solver = Solver.kind
    if let reason = problem.validationFailure(for: solverType) {
        return FitRun.invalid(solver: solver, problem: problem, reason: reason)
    }
    let fitRun = FitRun(problem: problem)
    var x = fitRun.initialFreeParameters
    var residual = Array(repeating: 0.0, count: fitRun.residualCount)
    var gradient = Array(repeating: 0.0, count: fitRun.parameterCount)
    func finish(_ cost: Double, _ initial: Double, _ iterations: Int, _ g: Double, _ status: FitStatus, _ message: String) -> FitResult {
        fitRun.result(solver: solver, usesJacobian: false, point: x, cost: cost, initialCost: initial, iterations: iterations,
                         gradientNorm: g, status: status, message: message, covariance: false, jacobianAtSolution: nil)
    }
    guard var cost = fitRun.costAndGradient(at: x, residual: &residual, gradient: &gradient) else {
        return finish(.nan, .nan, 0, .nan, .nonFiniteResiduals, "the residuals or their gradient at the starting point contain NaN or infinity")
    }
    let initialCost = cost
    var iterations = 0
    // The last point with finite residuals: a step into NaN or infinity ends the fit there.
    var lastFinite = x
    while true {
        let gradientNorm = maximumMagnitude(gradient)
        if let (status, message) = stopping.firstOrderStop(gradientNorm: gradientNorm, iterations: iterations,
                                                           residualEvaluations: fitRun.residualEvaluations,
                                                           isCancelled: problem.isCancelled, elapsedSeconds: fitRun.elapsed) {
            return finish(cost, initialCost, iterations, gradientNorm, status, message)
        }
        for j in x.indices { lastFinite[j] = x[j] }
        let (stepNorm, rate) = update(iterations, gradient, &x)
        guard let value = fitRun.costAndGradient(at: x, residual: &residual, gradient: &gradient) else {
            fitRun.record(iteration: iterations + 1, cost: .nan, damping: rate, stepNorm: stepNorm, gradientNorm: gradientNorm, accepted: false)
            swap(&x, &lastFinite)
            return finish(cost, initialCost, iterations, gradientNorm, .nonFiniteResiduals,
                          "the residuals or their gradient became NaN or infinite at iteration \(iterations + 1); "
                              + "the result is the last finite point; lower the learning rate")
        }
        iterations += 1
        cost = value
        fitRun.record(iteration: iterations, cost: cost, damping: rate, stepNorm: stepNorm, gradientNorm: gradientNorm, accepted: true)
        if let target = stopping.targetCost, cost <= target {
            return finish(cost, initialCost, iterations, maximumMagnitude(gradient), .targetCostReached, "the cost reached target-cost = \(target)")
        }
    }
}
