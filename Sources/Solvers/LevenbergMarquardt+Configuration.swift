import Jacobians

extension LevenbergMarquardt {
    /// How the diagonal scaling D of the trust region / damping term is chosen
    /// (``ScalingRule``, shared with the maps' hints).
    public typealias Scaling = ScalingRule

    /// How the damping evolves between steps (``DampingRule``, shared with the maps' hints).
    public typealias DampingUpdate = DampingRule

    /// The linear algebra for the damped steps.
    public enum LinearSolver: String, Sendable, Codable, CaseIterable {
        /// Normal equations while the equilibrated JᵀJ is well enough conditioned
        /// (positive definite with reciprocal condition ≥ `cholesky-min-rcond`; any finite
        /// JᵀJ when that is 0), pivoted QR otherwise; decided per Jacobian. With fewer
        /// residuals than parameters (m < n) the m × m dual system (Cholesky of JD⁻²Jᵀ + λI).
        case auto
        /// Householder QR with pivoting + Givens per λ (MINPACK), no normal equations.
        case qr
        /// Cholesky of JᵀJ + λD² (fastest, loses κ(J)² digits).
        case cholesky
        /// Thin SVD of J D⁻¹ (rank-deficient safe).
        case svd
        /// Matrix-free: preconditioned conjugate gradients on (JᵀJ + λD²)p = −Jᵀr from J·v and
        /// Jᵀ·u products (``MatrixFreeLevenbergMarquardtRun``); never forms J or JᵀJ.
        case cg
        /// Matrix-free: LSMR on the damped least-squares form with D as its preconditioner.
        case lsmr

        /// The solvers that form J or JᵀJ (`auto` may still go matrix-free; ``MatrixFreeChoice``).
        public static let dense: [LinearSolver] = [.auto, .qr, .cholesky, .svd]

        /// Whether this solver never forms J or JᵀJ.
        public var isMatrixFree: Bool { self == .cg || self == .lsmr }
    }

    /// The preconditioner of the matrix-free `cg` solver (``PreconditionerRule``, shared with
    /// the maps' hints).
    public typealias Preconditioner = PreconditionerRule

    /// How a matrix-free inner solve's tolerance follows the fit (``ForcingRule``, shared with
    /// the maps' hints).
    public typealias Forcing = ForcingRule

    /// How JᵀJ and Jᵀr of the normal equations are formed.
    public enum NormalEquations: String, Sendable, Codable, CaseIterable {
        /// Assembled by the map without forming J whenever the map and the solver allow: a map
        /// that assembles its own normal equations (``NormalEquationsAssembling``, e.g. a
        /// network with an identity output layer: a two-layer one from per-sample factors, about
        /// p times fewer flops than JᵀJ from J; a deeper one summed over sample blocks), no σ
        /// weights, no fixed parameters, no bounds or robust loss, the normal equations
        /// (``LevenbergMarquardt/LinearSolver/cholesky``, or `auto` with `cholesky-min-rcond` 0
        /// and m ≥ n) and no geodesic acceleration, under either damping rule (Moré's trust
        /// region takes ‖Jp‖² = pᵀJᵀJp); `from-jacobian` otherwise. The default. (Under Moré's
        /// trust region on seed-lm: the same iterates as from J, 30.8 instead of 53.5 ms.)
        case auto
        /// The same as `auto` (kept for manifests that name it).
        case structured
        case fromJacobian = "from-jacobian"
    }

    /// The `cholesky-min-rcond` of a map without a hint for it (formula models, NIST problems):
    /// 1e-10, so a step from the normal equations keeps about six digits (enough to converge
    /// to every certified digit of the NIST problems, since the gradient Jᵀr itself is
    /// computed directly); worse-conditioned Jacobians go to QR.
    public static let certifiedMinimumReciprocalCondition = 1e-10

    /// The `initial-damping` τ of a map without a hint for it (Nielsen's 1e-3).
    public static let certifiedInitialDamping = 1e-3

    /// Rejected trials in a row after which `auto` abandons the Cholesky system for QR for the
    /// rest of the fit (the normal equations' lost digits can make every step fail).
    public static let choleskyStallRejections = 5

    /// Settings of ``LevenbergMarquardt``; every field has a default. Manifest keys are
    /// the kebab-case coding keys.
    public struct Configuration: Sendable, Codable, Equatable, StoppingLimits {
        /// `scaling`: D. Unset (the default): `more`, except that a matrix-free fit takes the
        /// problem's hint (``LeastSquaresHints/matrixFreeScaling``; `levenberg` for a network).
        public var scaling: Scaling?
        /// `damping`: trust-region radius or Nielsen's rule. Unset (the default): the
        /// problem's hint (``LeastSquaresProblem/hints``; for a network, `trust-region` up to 256 parameters and
        /// `nielsen` above), else `trust-region`.
        public var damping: DampingUpdate?
        /// `linear-solver`: default `auto`.
        public var linearSolver: LinearSolver = .auto
        /// `cholesky-min-rcond`: `auto` uses Cholesky when the reciprocal condition of the
        /// equilibrated JᵀJ is at least this, i.e. the normal equations keep at least about
        /// 16 + log₁₀(this) digits of the Gauss-Newton step, and pivoted QR otherwise. Unset
        /// (the default): the problem's hint (0 for a network: always the normal equations),
        /// else ``certifiedMinimumReciprocalCondition``.
        public var choleskyMinimumReciprocalCondition: Double?
        /// `ftol`: stop when actual and predicted relative reductions of ‖r‖² are below this.
        public var ftol: Double = 1e-15
        /// `xtol`: stop when Δ (or ‖D p‖ for Nielsen) ≤ xtol·(‖D x‖ + xtol), as scipy.
        public var xtol: Double = 1e-15
        /// `gtol`: stop when the largest cosine between r and a column of J is ≤ this.
        public var gtol: Double = 1e-15
        /// `max-iterations`: accepted steps.
        public var maximumIterations: Int = 1000
        /// `max-evaluations`: residual evaluations (geodesic trial points included).
        public var maximumEvaluations: Int = 10_000
        /// `initial-step-bound`: Δ₀ = this·‖D x₀‖ (or this when x₀ = 0); MINPACK's `factor`.
        public var initialStepBound: Double = 100
        /// `initial-damping`: Nielsen's τ, λ₀ = τ·maxⱼ (JᵀJ)ⱼⱼ/Dⱼ². Unset (the default): the
        /// problem's hint (1e-5 for a network; a matrix-free fit first takes
        /// ``LeastSquaresHints/matrixFreeInitialDamping``, 1e-6 for a network), else
        /// ``certifiedInitialDamping``.
        public var initialDamping: Double?
        /// `geodesic-acceleration`: add ½a with a = −(JᵀJ + λD²)⁻¹Jᵀr_vv (Transtrum & Sethna).
        public var geodesicAcceleration: Bool = false
        /// `geodesic-step`: h in r_vv ≈ (2/h)((r(x + hv) − r(x))/h − Jv).
        public var geodesicStep: Double = 0.1
        /// `acceleration-ratio`: reject the step when 2‖Da‖/‖Dv‖ exceeds this (α).
        public var accelerationRatio: Double = 0.75
        /// `refinement-steps`: once the actual and predicted reductions of ‖r‖² are both at
        /// rounding level (≤ 64ε relative), steps are accepted as refinements driven by the
        /// accurate gradient Jᵀr; stop after this many in a row (0 disables; the fit then
        /// stops at the first rounding-level step, as MINPACK does).
        public var refinementSteps: Int = 20
        /// `target-cost`: stop (converged) once the cost is at most this (for comparing
        /// solvers at equal cost).
        public var targetCost: Double?
        /// `covariance`: compute covariance and standard errors at the solution.
        public var covariance: Bool = true
        /// `max-inner-iterations`: matrix-free solvers (`cg`, `lsmr`) stop an inner solve after
        /// this many iterations (each one J·v and one Jᵀ·u).
        public var maximumInnerIterations: Int = 100
        /// `backtracking-steps`: matrix-free solvers (`cg`, `lsmr`) try a rejected step at ½, ¼, …
        /// of its length, up to this many times (one residual evaluation each), and take the
        /// first that the model predicts well (ρ ≥ 10⁻⁴), instead of solving again at a larger
        /// λ; then λ doubles. 0 never backtracks; at most 30. Unset (the default): the problem's
        /// hint (``LeastSquaresHints/matrixFreeBacktrackingSteps``; 4 for a network), else 0.
        public var backtrackingSteps: Int?
        /// `inner-tolerance`: matrix-free solvers stop an inner solve when its residual is at
        /// most this times ‖Jᵀr‖, in (0, 1). Unset (the default): η from the `forcing` rule
        /// (``MatrixFreeLevenbergMarquardtRun/forcingTerm(gradientNorm:)``).
        public var innerTolerance: Double?
        /// `preconditioner`: the matrix-free `cg` solver's (``Preconditioner``). Unset (the
        /// default): the problem's hint (``LeastSquaresHints/matrixFreePreconditioner``; `none`
        /// for a network), else `jacobi`. `lsmr`'s preconditioner is the scaling D (its damping
        /// acts on D·p), so `none` with `lsmr` is an error.
        public var preconditioner: Preconditioner?
        /// `forcing`: how a matrix-free inner solve's tolerance follows the fit when
        /// `inner-tolerance` is unset (``Forcing``). Unset (the default): the problem's hint
        /// (``LeastSquaresHints/matrixFreeForcing``; `gradient-ratio` for a network), else
        /// `eisenstat-walker`.
        public var forcing: Forcing?
        /// `max-time`: stop with status `max-time` once this many seconds have passed since the
        /// solver started (checked before each linearization and each trial); the result holds
        /// the point reached. Unset: no cap.
        public var maximumSeconds: Double?
        /// `normal-equations`: how JᵀJ and Jᵀr are formed (`auto`, `structured`,
        /// `from-jacobian`); see ``NormalEquations``. Anything that still needs J (the
        /// QR / SVD fallback, the covariance) evaluates it when needed.
        public var normalEquations: NormalEquations = .auto

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey, StoppingCodingKey {
            case scaling, damping, ftol, xtol, gtol, covariance
            case linearSolver = "linear-solver"
            case choleskyMinimumReciprocalCondition = "cholesky-min-rcond"
            case maximumIterations = "max-iterations"
            case maximumEvaluations = "max-evaluations"
            case initialStepBound = "initial-step-bound"
            case initialDamping = "initial-damping"
            case geodesicAcceleration = "geodesic-acceleration"
            case geodesicStep = "geodesic-step"
            case accelerationRatio = "acceleration-ratio"
            case refinementSteps = "refinement-steps"
            case targetCost = "target-cost"
            case normalEquations = "normal-equations"
            case maximumSeconds = "max-time"
            case maximumInnerIterations = "max-inner-iterations"
            case backtrackingSteps = "backtracking-steps"
            case innerTolerance = "inner-tolerance"
            case preconditioner, forcing
        }

        /// Decodes any subset of the keys; missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&scaling, forKey: .scaling)
            try c.update(&damping, forKey: .damping)
            try c.update(&linearSolver, forKey: .linearSolver)
            try c.update(&choleskyMinimumReciprocalCondition, forKey: .choleskyMinimumReciprocalCondition)
            try c.update(&ftol, forKey: .ftol)
            try c.update(&xtol, forKey: .xtol)
            try c.updateStopping(&self)
            try c.update(&initialStepBound, forKey: .initialStepBound)
            try c.update(&initialDamping, forKey: .initialDamping)
            try c.update(&geodesicAcceleration, forKey: .geodesicAcceleration)
            try c.update(&geodesicStep, forKey: .geodesicStep)
            try c.update(&accelerationRatio, forKey: .accelerationRatio)
            try c.update(&refinementSteps, forKey: .refinementSteps)
            try c.update(&covariance, forKey: .covariance)
            try c.update(&normalEquations, forKey: .normalEquations)
            try c.update(&maximumInnerIterations, forKey: .maximumInnerIterations)
            try c.update(&backtrackingSteps, forKey: .backtrackingSteps)
            if let backtrackingSteps, !(0...30).contains(backtrackingSteps) {
                throw DecodingError.dataCorruptedError(
                    forKey: .backtrackingSteps, in: c, debugDescription: "must be 0 to 30, got \(backtrackingSteps)")
            }
            try c.update(&innerTolerance, forKey: .innerTolerance)
            if let innerTolerance, !(innerTolerance > 0 && innerTolerance < 1) {
                throw DecodingError.dataCorruptedError(
                    forKey: .innerTolerance, in: c, debugDescription: "must be above 0 and below 1, got \(innerTolerance)")
            }
            try c.update(&preconditioner, forKey: .preconditioner)
            try c.update(&forcing, forKey: .forcing)
            if preconditioner == .plain, linearSolver == .lsmr {
                throw DecodingError.dataCorruptedError(
                    forKey: .preconditioner, in: c,
                    debugDescription: "`none` applies to linear-solver cg; lsmr's preconditioner is the scaling D")
            }
        }

        /// Encodes every key (an unset `scaling`, `cholesky-min-rcond`, `damping`, `initial-damping`,
        /// `backtracking-steps`, `inner-tolerance`, `preconditioner`, `forcing` or `max-time` as
        /// null, so `jacobench list` shows it)
        /// except an unset `target-cost`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(scaling, forKey: .scaling)
            try c.encode(damping, forKey: .damping)
            try c.encode(linearSolver, forKey: .linearSolver)
            try c.encode(choleskyMinimumReciprocalCondition, forKey: .choleskyMinimumReciprocalCondition)
            try c.encode(ftol, forKey: .ftol)
            try c.encode(xtol, forKey: .xtol)
            try c.encode(gtol, forKey: .gtol)
            try c.encode(maximumIterations, forKey: .maximumIterations)
            try c.encode(maximumEvaluations, forKey: .maximumEvaluations)
            try c.encode(initialStepBound, forKey: .initialStepBound)
            try c.encode(initialDamping, forKey: .initialDamping)
            try c.encode(geodesicAcceleration, forKey: .geodesicAcceleration)
            try c.encode(geodesicStep, forKey: .geodesicStep)
            try c.encode(accelerationRatio, forKey: .accelerationRatio)
            try c.encode(refinementSteps, forKey: .refinementSteps)
            try c.encodeIfPresent(targetCost, forKey: .targetCost)
            try c.encode(covariance, forKey: .covariance)
            try c.encode(normalEquations, forKey: .normalEquations)
            try c.encode(maximumInnerIterations, forKey: .maximumInnerIterations)
            try c.encode(backtrackingSteps, forKey: .backtrackingSteps)
            try c.encode(innerTolerance, forKey: .innerTolerance)
            try c.encode(preconditioner, forKey: .preconditioner)
            try c.encode(forcing, forKey: .forcing)
            try c.encode(maximumSeconds, forKey: .maximumSeconds)
        }
    }
}

extension LevenbergMarquardt.Configuration {
    /// Whether a dense fit of `problem` under these settings takes JᵀJ and Jᵀr assembled by the
    /// map instead of forming J (``LevenbergMarquardt/NormalEquations``): `normal-equations` is
    /// not `from-jacobian`; the map assembles them (``NormalEquationsAssembling``) and sees the
    /// problem unchanged (no σ weights, no fixed parameters); the cost is plain (linear loss, no
    /// constraining bounds) without geodesic acceleration; and the steps come from the normal
    /// equations (`cholesky`, or `auto` with `cholesky-min-rcond` 0 and m ≥ n).
    public func assemblesNormalEquations(of problem: LeastSquaresProblem) -> Bool {
        guard normalEquations != .fromJacobian, problem.map is any NormalEquationsAssembling,
              problem.standardDeviations == nil, problem.freeParameters.count == problem.initialParameters.count,
              problem.loss.isLinear, problem.bounds?.isConstraining != true, !geodesicAcceleration else { return false }
        let minimumReciprocalCondition = choleskyMinimumReciprocalCondition
            ?? problem.hints.choleskyMinimumReciprocalCondition ?? LevenbergMarquardt.certifiedMinimumReciprocalCondition
        return linearSolver == .cholesky
            || (linearSolver == .auto && problem.map.outputCount >= problem.initialParameters.count && minimumReciprocalCondition <= 0)
    }
}
