/// How a damped least-squares solver evolves its damping between steps.
///
/// Levenberg-Marquardt's `damping` setting; a map suggests one through ``LeastSquaresHints``.
public enum DampingRule: String, Sendable, Codable, CaseIterable {
    /// Moré's trust region: radius Δ updated from the gain ratio, λ from Δ by `lmpar`.
    case trustRegion = "trust-region"
    /// Nielsen (1999): λ ← λ·max(⅓, 1 − (2ρ − 1)³) on success, λ ← λν, ν ← 2ν on failure.
    case nielsen
}

/// How a damped least-squares solver scales its damping term λ‖D p‖² (and its trust region).
///
/// Levenberg-Marquardt's `scaling` setting; a map suggests one for matrix-free fits through
/// ``LeastSquaresHints``.
public enum ScalingRule: String, Sendable, Codable, CaseIterable {
    /// Moré (1978): Dⱼ = running maximum of ‖Jⱼ‖ over the iterations (MINPACK mode 1).
    case more
    /// Marquardt (1963): Dⱼ = ‖Jⱼ‖ = √(JᵀJ)ⱼⱼ at the current Jacobian.
    case marquardt
    /// Levenberg (1944): D = I.
    case levenberg
}

/// The preconditioner of a matrix-free conjugate-gradient solve of the damped normal equations
/// (Levenberg-Marquardt's `preconditioner`); a map suggests one through ``LeastSquaresHints``.
public enum PreconditionerRule: String, Sendable, Codable, CaseIterable {
    /// Jacobi: M = diag(JᵀJ) + λD². Exact for a diagonal JᵀJ; it reaches the stiff directions
    /// of a far start (a network's output bias) in one or two iterations.
    case jacobi
    /// Plain CG on JᵀJ + λD². When λD² dominates most of the spectrum (a network near a
    /// minimum: a few large eigenvalues above a cluster at λ) CG needs about as many iterations
    /// as there are eigenvalues above the cluster, while Jacobi's M⁻¹ = 1/(diag + λ) spreads the
    /// cluster over the range of the diagonal. Written `none`.
    case plain = "none"
}

/// How a matrix-free solve's inner tolerance η (residual ≤ η‖Jᵀr‖) follows the fit
/// (Levenberg-Marquardt's `forcing`); a map suggests one through ``LeastSquaresHints``.
public enum ForcingRule: String, Sendable, Codable, CaseIterable {
    /// Eisenstat and Walker (1996), choice 2 (γ = 0.9, exponent 2, their safeguard) on ‖Jᵀr‖,
    /// within [0.1, 0.5]: loose while the gradient falls slowly.
    case eisenstatWalker = "eisenstat-walker"
    /// η = ‖Jᵀr‖/‖Jᵀr₀‖ within [10⁻⁵, 0.5]: loose at the start, tight once the gradient has
    /// fallen, however slowly it falls then (a network near a minimum, where Eisenstat-Walker
    /// stays at 0.5 and its truncated steps stall).
    case gradientRatio = "gradient-ratio"
}

/// Solver settings a model suggests for its own residual map, used where the fit's
/// configuration leaves them unset (an explicit setting always wins).
///
/// A model kind describes the problem it poses — an over-parameterized network wants a
/// nearly Gauss-Newton start and never needs QR's certified digits; a regression with
/// certified values wants the conservative defaults — without any solver naming the model.
/// Every field is optional: nil keeps the solver's own default.
public struct LeastSquaresHints: Sendable, Equatable {
    /// The damping rule (Levenberg-Marquardt's `damping`).
    public var damping: DampingRule?
    /// The initial damping factor τ (Levenberg-Marquardt's `initial-damping`).
    public var initialDamping: Double?
    /// The smallest reciprocal condition of the equilibrated JᵀJ for which the normal
    /// equations are trusted (Levenberg-Marquardt's `cholesky-min-rcond`; 0: always).
    public var choleskyMinimumReciprocalCondition: Double?
    /// The scaling D of a matrix-free fit (Levenberg-Marquardt's `scaling` when the damped
    /// systems are solved by `cg` or `lsmr`).
    public var matrixFreeScaling: ScalingRule?
    /// The initial damping factor τ of a matrix-free fit (before ``initialDamping``).
    public var matrixFreeInitialDamping: Double?
    /// The preconditioner of a matrix-free `cg` fit (Levenberg-Marquardt's `preconditioner`).
    public var matrixFreePreconditioner: PreconditionerRule?
    /// The inner tolerance's rule of a matrix-free fit (Levenberg-Marquardt's `forcing`).
    public var matrixFreeForcing: ForcingRule?
    /// How many times a matrix-free fit halves a rejected step before it raises λ
    /// (Levenberg-Marquardt's `backtracking-steps`).
    public var matrixFreeBacktrackingSteps: Int?

    /// Creates hints; every field defaults to nil (the solver's own default).
    public init(
        damping: DampingRule? = nil, initialDamping: Double? = nil, choleskyMinimumReciprocalCondition: Double? = nil,
        matrixFreeScaling: ScalingRule? = nil, matrixFreeInitialDamping: Double? = nil,
        matrixFreePreconditioner: PreconditionerRule? = nil, matrixFreeForcing: ForcingRule? = nil,
        matrixFreeBacktrackingSteps: Int? = nil
    ) {
        self.damping = damping
        self.initialDamping = initialDamping
        self.choleskyMinimumReciprocalCondition = choleskyMinimumReciprocalCondition
        self.matrixFreeScaling = matrixFreeScaling
        self.matrixFreeInitialDamping = matrixFreeInitialDamping
        self.matrixFreePreconditioner = matrixFreePreconditioner
        self.matrixFreeForcing = matrixFreeForcing
        self.matrixFreeBacktrackingSteps = matrixFreeBacktrackingSteps
    }

    /// No hints: every solver default applies.
    public static let solverDefaults = LeastSquaresHints()
}

/// A residual map that suggests solver settings for fitting it (see ``LeastSquaresHints``).
public protocol LeastSquaresHinting: DifferentiableMap {
    /// The settings this map suggests.
    var leastSquaresHints: LeastSquaresHints { get }
}
