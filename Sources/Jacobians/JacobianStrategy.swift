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

    /// The cost model's prediction on `shape` with the network constants of `table` (see
    /// ``JacobianCostModel/predict(_:on:)``). Cataloged strategies derive it from their
    /// description (``CatalogedJacobianStrategy``), `auto` from its choice. Default: one
    /// evaluation per column, as an upper-bound guess.
    func costPrediction(on shape: JacobianShape, table: NetworkCostTable) -> JacobianCostPrediction

    /// The counters (workspace excluded) the strategy must report on `map`, for the
    /// conformance kit; nil when they are not fixed in advance. Cataloged strategies derive
    /// them from ``CatalogedJacobianStrategy/predictedWork(on:)``. Default: nil.
    func expectedCounters(on map: any DifferentiableMap) -> JacobianCost?

    /// Violations of the strategy's own promises in what it `reported` on `map`, beyond the
    /// kit's generic checks (e.g. `ridders`' range of evaluations). Default: none.
    func conformanceProblems(reported: JacobianCost, on map: any DifferentiableMap) -> [String]

    /// Whether a second call at the same point must give the identical matrix. Default:
    /// true (`auto` may decide again).
    var repeatsIdentically: Bool { get }

    /// The strategy for a fit whose parameters have typical magnitudes `typical` (|x₀|, one per
    /// coordinate of the map): finite differences step by at least c times them.
    /// Default: itself.
    func withTypicalScale(_ typical: [Double]) -> any JacobianStrategy
}

extension JacobianStrategy {
    /// Nothing to prepare.
    public func prepare(for map: any DifferentiableMap, at point: [Double]) throws {}

    /// One evaluation per column, as a floor: an upper-bound guess for a strategy the cost
    /// model is told nothing about.
    public func costPrediction(on shape: JacobianShape, table: NetworkCostTable) -> JacobianCostPrediction {
        let work = PredictedJacobianWork(
            cost: JacobianCost(forwardEvaluations: shape.inputCount), forwardPassUnits: Double(shape.inputCount),
            lanesOfWidestSweep: 0, isUpperBound: true)
        return JacobianCostPrediction(
            strategy: name, cost: work.cost, isUpperBound: true, lanesPerSweep: nil, forwardPassUnits: work.forwardPassUnits,
            peakBytes: JacobianCostModel.peakBytes(of: work, on: shape), isExact: isExact)
    }

    /// Not fixed in advance.
    public func expectedCounters(on map: any DifferentiableMap) -> JacobianCost? { nil }

    /// None.
    public func conformanceProblems(reported: JacobianCost, on map: any DifferentiableMap) -> [String] { [] }

    /// True.
    public var repeatsIdentically: Bool { true }

    /// Itself: the strategy takes no step.
    public func withTypicalScale(_ typical: [Double]) -> any JacobianStrategy { self }

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
