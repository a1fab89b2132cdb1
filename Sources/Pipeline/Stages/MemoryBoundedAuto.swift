import Jacobians
import LinearAlgebra

/// `auto` under the run's memory limits: the decision is `AutoStrategy`'s own (on the model's
/// shape, which the pipeline knows), but when it
/// falls on `forward-vectorized` or `reverse-vectorized` without a chunk and the cost model
/// predicts the sweep above `budgetBytes`, the chosen strategy runs chunked (same result up
/// to summation order). Its name stays `auto`, so metrics and reports do not change.
struct MemoryBoundedAuto: JacobianStrategy {
    /// The deciding strategy (its cache and last decision are the ones reported).
    let auto: AutoStrategy
    /// The shape the chunk is computed for.
    let shape: JacobianShape
    /// Bytes one Jacobian may take before the chosen vectorized strategy is chunked.
    let budgetBytes: Int

    var name: String { auto.name }
    var isExact: Bool { auto.isExact }
    var nominalRelativeError: Double { auto.nominalRelativeError }
    func inapplicabilityReason(for map: any DifferentiableMap) -> String? { auto.inapplicabilityReason(for: map) }

    /// `auto`'s calibration and decision, ahead of the first Jacobian.
    func prepare(for map: any DifferentiableMap, at point: [Double]) throws {
        _ = try auto.decide(for: map, at: point, shape: shape)
    }

    /// Decides (cached per map), bounds the choice, runs it.
    func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let decision = try auto.decide(for: map, at: point, shape: shape)
        return try Self.bounded(decision.strategy, on: shape, budgetBytes: budgetBytes).strategy.jacobian(of: map, at: point, into: &jacobian)
    }

    /// `strategy`, chunked when it is an unchunked vectorized strategy predicted above
    /// `budgetBytes`; the chunk is nil when unchanged.
    static func bounded(_ strategy: any JacobianStrategy, on shape: JacobianShape, budgetBytes: Int) -> (strategy: any JacobianStrategy, chunk: Int?) {
        switch strategy {
        case let vectorized as ForwardVectorized where vectorized.chunk == nil:
            guard let chunk = JacobianCostModel.chunk(forward: true, on: shape, budgetBytes: budgetBytes) else { return (strategy, nil) }
            return (ForwardVectorized(chunk: chunk), chunk)
        case let vectorized as ReverseVectorized where vectorized.chunk == nil:
            guard let chunk = JacobianCostModel.chunk(forward: false, on: shape, budgetBytes: budgetBytes) else { return (strategy, nil) }
            return (ReverseVectorized(chunk: chunk), chunk)
        default:
            return (strategy, nil)
        }
    }
}
