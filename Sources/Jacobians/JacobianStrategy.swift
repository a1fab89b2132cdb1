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

    /// `nil` when the strategy can run on `map`, otherwise the reason it cannot
    /// (e.g. "model has no per-sample structure").
    func inapplicabilityReason(for map: any DifferentiableMap) -> String?

    /// Writes the m × n Jacobian of `map` at `point` into `jacobian` (reshaped as
    /// needed) and returns what the computation cost.
    func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost
}

extension JacobianStrategy {
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
