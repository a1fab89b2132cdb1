/// Why a fit stopped. Every solver ends with exactly one of these, never with a crash.
///
/// The raw values are the kebab-case names written to bundles and manifests.
public enum FitStatus: String, Sendable, Codable, CaseIterable, Equatable {
    /// Both the actual and the predicted relative reduction of the cost fell below `ftol`.
    case costReductionBelowTolerance = "ftol"
    /// The (scaled) step or trust region fell below `xtol` relative to the (scaled) parameters.
    case stepBelowTolerance = "xtol"
    /// `ftol` and `xtol` were met at the same iteration.
    case costAndStepBelowTolerance = "ftol-and-xtol"
    /// The scaled gradient (largest cosine between r and a Jacobian column, or ‖∇‖∞ for
    /// first-order methods) fell below `gtol`.
    case gradientBelowTolerance = "gtol"
    /// No further reduction is possible in double precision: the tolerances were reached
    /// at the level of machine epsilon (MINPACK's info 6–8). The fit is converged.
    case machinePrecision = "machine-precision"
    /// The cost reached the configured `target-cost` (used to compare solvers at equal cost):
    /// its own status, not a convergence status (nothing says the point is a solution).
    case targetCostReached = "target-cost"
    /// A stopping test passed (ftol, xtol, gtol, machine precision), but J's numerical rank at
    /// the end is below the number of free parameters: some combination of parameters is not
    /// determined by the data (``FitConvergence``). Not converged.
    case rankDeficient = "rank-deficient"
    /// A stopping test passed (ftol, xtol, machine precision), but the scaled gradient at the
    /// end exceeds ``FitConvergence/gradientTolerance`` and the residuals are not at rounding
    /// level: the iteration stalled short of a stationary point. Not converged.
    case notStationary = "not-stationary"
    /// The iteration limit was reached first.
    case maximumIterations = "max-iterations"
    /// The residual-evaluation limit was reached first.
    case maximumEvaluations = "max-evaluations"
    /// The residuals at the starting point, or at every trial the solver could still make,
    /// contained NaN or infinity.
    case nonFiniteResiduals = "non-finite-residuals"
    /// The Jacobian (or gradient) contained NaN or infinity.
    case nonFiniteJacobian = "non-finite-jacobian"
    /// The Jacobian strategy threw (e.g. it is not applicable to the map).
    case jacobianFailed = "jacobian-failed"
    /// A line search found no acceptable step along a descent direction.
    case lineSearchFailed = "line-search-failed"
    /// The problem itself is malformed (shapes, weights, fixed indices).
    case invalidProblem = "invalid-problem"
    /// The wall-time cap `max-time` was reached first; the result holds the point reached so far.
    case timeLimit = "max-time"
    /// ``LeastSquaresProblem/shouldStop`` returned true (e.g. Ctrl-C); the result holds the
    /// best point reached so far.
    case cancelled = "cancelled"

    /// True when a stopping test passed and the end is a solution: ``FitRun`` turns a stopping
    /// test whose end fails ``FitConvergence`` into ``rankDeficient`` or ``notStationary``.
    public var isConverged: Bool {
        switch self {
        case .costReductionBelowTolerance, .stepBelowTolerance, .costAndStepBelowTolerance,
             .gradientBelowTolerance, .machinePrecision:
            return true
        default:
            return false
        }
    }
}
