import Jacobians
import LinearAlgebra

/// Everything a solver reports about one fit.
public struct FitResult: Sendable, Codable {
    /// The solver's manifest name, e.g. `levenberg-marquardt`.
    public var solver: String
    /// The Jacobian strategy's manifest name (empty for solvers that only pull back gradients).
    public var jacobianStrategy: String
    /// Final parameters, all n (fixed ones at their initial values).
    public var parameters: [Double]
    /// Parameter names, when the problem gave them.
    public var parameterNames: [String]?
    /// Final cost ½‖W r‖².
    public var cost: Double
    /// Cost at the starting point.
    public var initialCost: Double
    /// Accepted iterations.
    public var iterations: Int
    /// Residual evaluations r(x), including trial points.
    public var residualEvaluations: Int
    /// Full Jacobians computed by the strategy (including the one for the covariance).
    public var jacobianEvaluations: Int
    /// Single-lane gradient pullbacks Jᵀr (first-order methods and line searches).
    public var gradientEvaluations: Int
    /// ‖Jᵀ W² r‖∞ over the free parameters at the final point (from the last gradient or
    /// Jacobian computed there).
    public var gradientNorm: Double
    /// Why it stopped.
    public var status: FitStatus
    /// A sentence a person can act on.
    public var message: String
    /// Wall time split.
    public var timings: FitTimings
    /// Engine work summed over all Jacobians.
    public var jacobianCost: JacobianCost
    /// One row per trial step.
    public var trace: [FitIteration]
    /// Covariance, standard errors, correlations; nil when not requested or not computable.
    public var covariance: FitCovariance?
    /// For LM: how many Jacobians were solved with each linear solver (`qr`, `cholesky`, `svd`).
    public var linearSolverUse: [String: Int]
    /// For LM: how each iteration's derivative information was formed — `structured` (JᵀJ and
    /// Jᵀr assembled from a two-layer network's per-sample factors; no Jacobian formed, so not
    /// counted in ``jacobianEvaluations``) or `from-jacobian` (a Jacobian from the strategy,
    /// counted there) — with the number of iterations of each. Empty for the other solvers.
    public var normalEquations: [String: Int]
    /// For LM and Gauss-Newton: Jacobians the linear solver found numerically rank deficient
    /// (|R_jj| ≤ ε·max(m, n)·|R_00| for `qr`, σ ≤ ε·max(m, n)·σ₁ for `svd`; for `cholesky`,
    /// JᵀJ not positive definite when λ = 0 was factored (trust-region LM, Gauss-Newton),
    /// otherwise — Nielsen damping, which never factors λ = 0 — a pivot U_jj² ≤ 2λD_j² of
    /// the first damped factor, i.e. a column whose part independent of the earlier ones is
    /// no larger than its damping term; m < n always counts).
    public var rankDeficientJacobians: Int
    /// The test of the end (``FitConvergence``): scaled gradient, rank and condition of J;
    /// nil when no Jacobian was formed at the end (covariance off, first-order solvers).
    public var convergence: FitConvergence?
    /// For LM with `linear-solver: auto`: "cholesky → qr at iteration k after n rejected trials
    /// in a row" when the Cholesky path stalled and QR took over; nil otherwise.
    public var linearSolverSwitch: String? = nil
    /// For LM: the damping rule it used (`trust-region`, `nielsen`), the configuration's or
    /// else the problem's hint (``LeastSquaresHints/damping``); nil for other solvers.
    public var damping: String? = nil
    /// With bounds: per parameter, the bound it ended on (nil inside); such parameters are held
    /// there for the covariance, as fixed ones are (standard error 0). Nil without bounds.
    public var boundsActive: [ActiveBound?]? = nil
    /// The robust loss fitted, or nil for ordinary least squares.
    public var loss: RobustLoss? = nil
    /// Why ``covariance`` is nil although it was asked for, when the solver says (a matrix-free
    /// fit never forms the n × n matrix).
    public var covarianceNote: String? = nil
    /// What the inner solves of a matrix-free Levenberg-Marquardt fit did; nil for every other fit.
    public var matrixFree: MatrixFreeStatistics? = nil
    /// Conditional standard errors σ̂/√(J̃ᵀJ̃)ⱼⱼ per parameter (0 for a fixed one, NaN for a
    /// column of zeros): each parameter's standard error with every other one held at its fitted
    /// value, a lower bound on its marginal standard error √Cⱼⱼ. A matrix-free fit with fewer
    /// parameters than residuals reports them in place of the n × n covariance it never forms;
    /// nil otherwise.
    public var conditionalStandardErrors: [Double]? = nil

    /// The linearizations (Jacobians or structured assemblies) the iterations took: the sum of
    /// ``normalEquations`` when the solver records it, else ``jacobianEvaluations``.
    public var linearizations: Int {
        normalEquations.isEmpty ? jacobianEvaluations : normalEquations.values.reduce(0, +)
    }

    /// ``normalEquations`` as text: the one source when there is one (`structured`), else each
    /// with its count (`from-jacobian 1, structured 249`); empty when not recorded.
    public var normalEquationsDescription: String {
        if normalEquations.count == 1, let only = normalEquations.keys.first { return only }
        return normalEquations.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// σ̂·√((JᵀJ)⁻¹)ᵢᵢ per parameter, or nil without covariance.
    public var standardErrors: [Double]? { covariance?.standardErrors }
    /// Sum of squared (weighted) residuals, 2·cost.
    public var residualSumOfSquares: Double { 2 * cost }
}
