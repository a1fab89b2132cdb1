/// A method that minimises ½‖W r(x)‖² over the free parameters of a ``LeastSquaresProblem``.
///
/// Each solver has a typed, `Codable` configuration whose coding keys are the kebab-case
/// manifest keys (`max-iterations`, `linear-solver`, …) and whose every field has a
/// default, so a manifest section decodes into it directly. A fit never throws: it ends
/// with a ``FitStatus`` and a message, whatever the residuals do.
public protocol LeastSquaresSolver: Sendable {
    /// The typed configuration.
    associatedtype Configuration: Codable & Sendable & Equatable & StoppingLimits
    /// The manifest `kind`, e.g. `levenberg-marquardt`.
    static var kind: String { get }
    /// The configuration in use.
    var configuration: Configuration { get }
    /// Creates the solver.
    init(configuration: Configuration)
    /// Fits the problem.
    func fit(_ problem: LeastSquaresProblem) -> FitResult
    /// Whether each iteration forms the Jacobian and solves a linear system (LM,
    /// Gauss-Newton), rather than taking one gradient (first-order methods): how a run's
    /// time is estimated. Default: false.
    static var linearizesEachIteration: Bool { get }
    /// Whether the solver keeps parameters inside ``LeastSquaresProblem/bounds``. Default: false
    /// (a problem with bounds is then an invalid problem for it).
    static var handlesBounds: Bool { get }
    /// Whether the solver minimises a ``LeastSquaresProblem/loss`` other than `linear`.
    /// Default: false.
    static var handlesRobustLoss: Bool { get }
    /// How fitting `problem` differentiates its residual map, which decides the memory the fit
    /// needs beyond the map itself: the pipeline refuses a case whose J cannot fit only when the
    /// answer is ``ResidualDerivativeUse/jacobian``. Default: `.jacobian`.
    func derivativeUse(on problem: LeastSquaresProblem) -> ResidualDerivativeUse
}

/// How a fit differentiates its residual map, ordered by the memory it needs.
public enum ResidualDerivativeUse: Int, Comparable, Sendable {
    /// Only the map's own JᵀJ and Jᵀr, summed over sample blocks: a block's rows at a time.
    case sampleBlocks
    /// Pushforwards and pullbacks over all samples at once (matrix-free and first-order
    /// solvers): the map's sweep buffers over every sample, never J.
    case wholeBatchSweeps
    /// The m × n Jacobian, at some iteration or for the covariance.
    case jacobian

    /// Orders by memory: sample blocks, then whole-batch sweeps, then J.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension LeastSquaresSolver {
    /// The manifest name of this solver.
    public var kind: String { Self.kind }

    /// False: one gradient per iteration.
    public static var linearizesEachIteration: Bool { false }
    /// False: no bounds.
    public static var handlesBounds: Bool { false }
    /// False: ordinary least squares only.
    public static var handlesRobustLoss: Bool { false }
    /// `.jacobian`: assume J is formed.
    public func derivativeUse(on problem: LeastSquaresProblem) -> ResidualDerivativeUse { .jacobian }

    /// The solver with its default configuration except the stopping limits given (nil keeps
    /// the default): what the conformance kit runs.
    public static func limited(
        maximumIterations: Int? = nil, maximumEvaluations: Int? = nil, targetCost: Double? = nil, maximumSeconds: Double? = nil
    ) -> Self {
        var configuration = Configuration()
        if let maximumSeconds { configuration.maximumSeconds = maximumSeconds }
        if let maximumIterations { configuration.maximumIterations = maximumIterations }
        if let maximumEvaluations { configuration.maximumEvaluations = maximumEvaluations }
        if let targetCost { configuration.targetCost = targetCost }
        return Self(configuration: configuration)
    }
}

/// Every solver in this module, by manifest `kind`.
public enum LeastSquaresSolverCatalog {
    /// Every solver type, in the order `jacobench list` shows them; a new solver adds its
    /// line here, and the solver conformance suite runs it.
    public static let registered: [any LeastSquaresSolver.Type] = [
        LevenbergMarquardt.self,
        GaussNewton.self,
        GradientDescent.self,
        Adam.self,
        LBFGS.self,
    ]

    /// `levenberg-marquardt`, `gauss-newton`, `gradient-descent`, `adam`, `lbfgs`.
    public static var kinds: [String] { registered.map { $0.kind } }

    /// The registered solver type of manifest kind `kind`, if any.
    public static func registeredType(kind: String) -> (any LeastSquaresSolver.Type)? {
        registered.first { $0.kind == kind }
    }
}
