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

    /// Creates hints; every field defaults to nil (the solver's own default).
    public init(
        damping: DampingRule? = nil, initialDamping: Double? = nil, choleskyMinimumReciprocalCondition: Double? = nil,
        matrixFreeScaling: ScalingRule? = nil, matrixFreeInitialDamping: Double? = nil
    ) {
        self.damping = damping
        self.initialDamping = initialDamping
        self.choleskyMinimumReciprocalCondition = choleskyMinimumReciprocalCondition
        self.matrixFreeScaling = matrixFreeScaling
        self.matrixFreeInitialDamping = matrixFreeInitialDamping
    }

    /// No hints: every solver default applies.
    public static let solverDefaults = LeastSquaresHints()
}

/// A residual map that suggests solver settings for fitting it (see ``LeastSquaresHints``).
public protocol LeastSquaresHinting: DifferentiableMap {
    /// The settings this map suggests.
    var leastSquaresHints: LeastSquaresHints { get }
}
