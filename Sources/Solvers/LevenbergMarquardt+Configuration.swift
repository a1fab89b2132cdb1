extension LevenbergMarquardt {
    /// How the diagonal scaling D of the trust region / damping term is chosen.
    public enum Scaling: String, Sendable, Codable, CaseIterable {
        /// Moré (1978): Dⱼ = running maximum of ‖Jⱼ‖ over the iterations (MINPACK mode 1).
        case more
        /// Marquardt (1963): Dⱼ = ‖Jⱼ‖ = √(JᵀJ)ⱼⱼ at the current Jacobian.
        case marquardt
        /// Levenberg (1944): D = I.
        case levenberg
    }

    /// How the damping evolves between steps.
    public enum DampingUpdate: String, Sendable, Codable, CaseIterable {
        /// Moré's trust region: radius Δ updated from the gain ratio, λ from Δ by `lmpar`.
        case trustRegion = "trust-region"
        /// Nielsen (1999): λ ← λ·max(⅓, 1 − (2ρ − 1)³) on success, λ ← λν, ν ← 2ν on failure.
        case nielsen
    }

    /// The linear algebra for the damped steps.
    public enum LinearSolver: String, Sendable, Codable, CaseIterable {
        /// Normal equations while the equilibrated JᵀJ is well enough conditioned
        /// (reciprocal condition ≥ `cholesky-min-rcond`), pivoted QR otherwise; decided per Jacobian.
        case auto
        /// Householder QR with pivoting + Givens per λ (MINPACK), no normal equations.
        case qr
        /// Cholesky of JᵀJ + λD² (fastest, loses κ(J)² digits).
        case cholesky
        /// Thin SVD of J D⁻¹ (rank-deficient safe).
        case svd
    }

    /// Settings of ``LevenbergMarquardt``; every field has a default. Manifest keys are
    /// the kebab-case coding keys.
    public struct Configuration: Sendable, Codable, Equatable {
        /// `scaling`: D. Default `more`.
        public var scaling: Scaling = .more
        /// `damping`: trust-region radius (default) or Nielsen's rule.
        public var damping: DampingUpdate = .trustRegion
        /// `linear-solver`: default `auto`.
        public var linearSolver: LinearSolver = .auto
        /// `cholesky-min-rcond`: `auto` uses Cholesky when the reciprocal condition of the
        /// equilibrated JᵀJ is at least this, i.e. the normal equations keep at least
        /// −log₁₀(this) − 16 … digits of the step (default 1e-10: six digits kept, enough
        /// for the iteration to converge to full accuracy, since the gradient Jᵀr itself is
        /// computed directly).
        public var choleskyMinimumReciprocalCondition: Double = 1e-10
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
        /// `initial-damping`: Nielsen's τ, λ₀ = τ·maxⱼ (JᵀJ)ⱼⱼ/Dⱼ².
        public var initialDamping: Double = 1e-3
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

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey {
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
        }

        /// Decodes any subset of the keys; missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Configuration()
            scaling = try c.decodeIfPresent(Scaling.self, forKey: .scaling) ?? d.scaling
            damping = try c.decodeIfPresent(DampingUpdate.self, forKey: .damping) ?? d.damping
            linearSolver = try c.decodeIfPresent(LinearSolver.self, forKey: .linearSolver) ?? d.linearSolver
            choleskyMinimumReciprocalCondition = try c.decodeIfPresent(Double.self, forKey: .choleskyMinimumReciprocalCondition) ?? d.choleskyMinimumReciprocalCondition
            ftol = try c.decodeIfPresent(Double.self, forKey: .ftol) ?? d.ftol
            xtol = try c.decodeIfPresent(Double.self, forKey: .xtol) ?? d.xtol
            gtol = try c.decodeIfPresent(Double.self, forKey: .gtol) ?? d.gtol
            maximumIterations = try c.decodeIfPresent(Int.self, forKey: .maximumIterations) ?? d.maximumIterations
            maximumEvaluations = try c.decodeIfPresent(Int.self, forKey: .maximumEvaluations) ?? d.maximumEvaluations
            initialStepBound = try c.decodeIfPresent(Double.self, forKey: .initialStepBound) ?? d.initialStepBound
            initialDamping = try c.decodeIfPresent(Double.self, forKey: .initialDamping) ?? d.initialDamping
            geodesicAcceleration = try c.decodeIfPresent(Bool.self, forKey: .geodesicAcceleration) ?? d.geodesicAcceleration
            geodesicStep = try c.decodeIfPresent(Double.self, forKey: .geodesicStep) ?? d.geodesicStep
            accelerationRatio = try c.decodeIfPresent(Double.self, forKey: .accelerationRatio) ?? d.accelerationRatio
            refinementSteps = try c.decodeIfPresent(Int.self, forKey: .refinementSteps) ?? d.refinementSteps
            targetCost = try c.decodeIfPresent(Double.self, forKey: .targetCost)
            covariance = try c.decodeIfPresent(Bool.self, forKey: .covariance) ?? d.covariance
        }
    }
}
