/// A method that minimises ½‖W r(x)‖² over the free parameters of a ``LeastSquaresProblem``.
///
/// Each solver has a typed, `Codable` configuration whose coding keys are the kebab-case
/// manifest keys (`max-iterations`, `linear-solver`, …) and whose every field has a
/// default, so a manifest section decodes into it directly. A fit never throws: it ends
/// with a ``FitStatus`` and a message, whatever the residuals do.
public protocol LeastSquaresSolver: Sendable {
    /// The typed configuration.
    associatedtype Configuration: Codable & Sendable & Equatable
    /// The manifest `kind`, e.g. `levenberg-marquardt`.
    static var kind: String { get }
    /// The configuration in use.
    var configuration: Configuration { get }
    /// Creates the solver.
    init(configuration: Configuration)
    /// Fits the problem.
    func fit(_ problem: LeastSquaresProblem) -> FitResult
}

extension LeastSquaresSolver {
    /// The manifest name of this solver.
    public var kind: String { Self.kind }
}

/// Every solver in this module, by manifest `kind`.
public enum LeastSquaresSolverCatalog {
    /// `levenberg-marquardt`, `gauss-newton`, `gradient-descent`, `adam`, `lbfgs`.
    public static let kinds: [String] = [
        LevenbergMarquardt.kind, GaussNewton.kind, GradientDescent.kind, Adam.kind, LBFGS.kind,
    ]
}
