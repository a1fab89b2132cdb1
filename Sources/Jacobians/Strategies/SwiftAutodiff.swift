import LinearAlgebra
import _Differentiation

/// `swift-autodiff`: the Swift toolchain's own reverse mode on the model's
/// differentiable Swift implementation (``SwiftDifferentiableMap``):
/// `valueWithPullback` once, then one pullback per output row with seed e_i.
///
/// The Swift twin of torch's default, and an independent check of the
/// hand-written sweeps. Each pullback returns a fresh array (the toolchain's
/// runtime allocates it); rows are copied into J.
///
/// - Cost: 1 forward evaluation (recording) + m pullbacks with one lane each.
/// - Exact to rounding.
public struct SwiftAutodiff: CatalogedJacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// Not applicable without a differentiable Swift implementation.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? {
        map is any SwiftDifferentiableMap ? nil : "the model has no differentiable Swift implementation (SwiftDifferentiableMap)"
    }

    /// valueWithPullback, then m pullbacks.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        guard let differentiable = map as? any SwiftDifferentiableMap else {
            throw StrategyNotApplicable(strategy: name, reason: inapplicabilityReason(for: map) ?? "")
        }
        return rows(of: differentiable, at: point, into: &jacobian)
    }

    private func rows<Map: SwiftDifferentiableMap>(of map: Map, at point: [Double], into jacobian: inout Matrix) -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        let (_, pullback) = valueWithPullback(at: point) { x in map.differentiableOutput(at: x) }
        var seed = [Double](repeating: 0, count: m)
        for output in 0..<m {
            seed[output] = 1
            let gradient = pullback(Array<Double>.DifferentiableView(seed)).base
            seed[output] = 0
            if gradient.count == n {
                jacobian.copyRow(output, from: gradient)
            } else {
                // A zero tangent may come back as an empty array.
                jacobian.setRow(output) { _ in 0 }
            }
        }
        return JacobianCost(forwardEvaluations: 1, pullbacks: m, cotangentLanes: m, workspaceBytes: byteCount(m))
    }
}

extension SwiftAutodiff {
    /// `swift-autodiff`, exact, no options; a reference `auto` never chooses.
    public static let entry = JacobianStrategyEntry(
        name: "swift-autodiff", summary: "the Swift toolchain's reverse mode, one pullback per row", cost: "m pullbacks", isExact: true,
        notChosenByAuto: "reference implementation: m pullbacks through the toolchain runtime, never faster than reverse-loop")

    /// No options.
    public init(options: JacobianStrategyOptions) { self.init() }

    /// 1 evaluation and m pullbacks of one lane; workspace 8m; 1 + m·(1 + r) forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount
        return PredictedJacobianWork(
            cost: JacobianCost(forwardEvaluations: 1, pullbacks: m, cotangentLanes: m, workspaceBytes: JacobianShape.doubleBytes(m)),
            forwardPassUnits: 1 + Double(m) * (1 + shape.laneWork), lanesOfWidestSweep: 1)
    }

    /// Terms m·S·P, m·S·H.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        let t = network.terms
        return network.microseconds(name, [t.m * t.sp, t.m * t.sh])
    }
}
