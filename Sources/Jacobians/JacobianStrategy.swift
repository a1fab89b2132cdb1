import LinearAlgebra

/// One way of computing the full m × n Jacobian of a ``DifferentiableMap``.
///
/// Strategies are written against ``DifferentiableMap`` alone and query optional
/// capabilities with `as?`. A strategy that needs a capability the map lacks
/// reports itself as not applicable instead of failing.
public protocol JacobianStrategy: Sendable {
    /// The manifest name, e.g. `forward-vectorized`.
    var name: String { get }
    /// Whether the result is exact to rounding (false for finite differences).
    var isExact: Bool { get }

    /// The relative Frobenius error ‖J − J*‖/‖J*‖ the strategy promises on smooth,
    /// well-scaled maps (values and derivatives of order one): 1e-12 for exact
    /// strategies; the step rule's bound for finite differences.
    var nominalRelativeError: Double { get }

    /// `nil` when the strategy can run on `map`, otherwise the reason it cannot
    /// (e.g. "model has no per-sample structure").
    func inapplicabilityReason(for map: any DifferentiableMap) -> String?

    /// Writes the m × n Jacobian of `map` at `point` into `jacobian` (reshaped as
    /// needed) and returns what the computation cost.
    func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost

    /// Does the one-time work the strategy would otherwise do inside its first
    /// ``jacobian(of:at:into:)`` on `map` (`auto`'s calibration), so that a caller can time
    /// it apart from the Jacobians. Optional: `jacobian(of:at:into:)` does it itself when
    /// needed. Default: nothing.
    func prepare(for map: any DifferentiableMap, at point: [Double]) throws
}

extension JacobianStrategy {
    /// Nothing to prepare.
    public func prepare(for map: any DifferentiableMap, at point: [Double]) throws {}

    /// Exact strategies promise 1e-12; inexact ones override this.
    public var nominalRelativeError: Double { isExact ? 1e-12 : 1e-6 }

    /// Throws ``StrategyNotApplicable`` when ``inapplicabilityReason(for:)`` gives a reason.
    public func requireApplicable(to map: any DifferentiableMap) throws {
        if let reason = inapplicabilityReason(for: map) { throw StrategyNotApplicable(strategy: name, reason: reason) }
    }

    /// Convenience: returns the Jacobian as a new matrix.
    public func jacobian(of map: any DifferentiableMap, at point: [Double]) throws -> Matrix {
        var result = Matrix(rows: map.outputCount, columns: map.inputCount)
        _ = try jacobian(of: map, at: point, into: &result)
        return result
    }
}

/// An error raised when a strategy is asked to run on a map it cannot handle.
public struct StrategyNotApplicable: Error, CustomStringConvertible, Sendable {
    /// The strategy's manifest name.
    public var strategy: String
    /// Why it cannot run.
    public var reason: String
    /// Creates the error.
    public init(strategy: String, reason: String) {
        self.strategy = strategy
        self.reason = reason
    }
    /// "strategy 'per-sample' is not applicable: <reason>".
    public var description: String { "strategy '\(strategy)' is not applicable: \(reason)" }
}
