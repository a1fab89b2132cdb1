import LinearAlgebra
import _Differentiation

/// `swift-autodiff`: the Swift toolchain's own reverse mode on the model's
/// differentiable Swift implementation (``SwiftDifferentiableMap``), one pullback per
/// output row with seed e_i.
///
/// - A ``SwiftDifferentiablePerSampleMap`` (the networks): per sample s one
///   `valueWithPullback` of its p outputs as a function of the variables it depends on,
///   then p pullbacks, so each pullback runs through one sample's operations (per layer an
///   affine map and an activation, each with a registered derivative) instead of the whole
///   batch; the gradient is copied into row s·p + i, zero outside the sample's columns.
/// - Any other map: `valueWithPullback` of the whole map once, then m pullbacks through it.
///
/// The Swift twin of torch's default, and an independent check of the hand-written sweeps.
/// Each pullback returns a fresh array (the toolchain's runtime allocates it); rows are
/// copied into J.
///
/// - Cost: 1 forward evaluation (recording; for a per-sample map S recordings of one sample
///   each) + m pullbacks with one lane each.
/// - Exact to rounding.
public struct SwiftAutodiff: CatalogedJacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// Not applicable without a differentiable Swift implementation.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? {
        map is any SwiftDifferentiableMap ? nil : "the model has no differentiable Swift implementation (SwiftDifferentiableMap)"
    }

    /// Per-sample pullbacks when the map has them, else valueWithPullback and m pullbacks.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        if let perSample = map as? any SwiftDifferentiablePerSampleMap {
            return sampleRows(of: perSample, at: point, into: &jacobian)
        }
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

    /// Per sample: valueWithPullback of its p outputs, p pullbacks, each gradient into its
    /// row's block of columns (the rest of J zero).
    private func sampleRows<Map: SwiftDifferentiablePerSampleMap>(of map: Map, at point: [Double], into jacobian: inout Matrix) -> JacobianCost {
        let m = map.outputCount, n = map.inputCount, p = map.outputsPerSample
        jacobian.reshape(rows: m, columns: n)
        var seed = [Double](repeating: 0, count: p)
        var cleared = false
        var widest = 0
        for sample in 0..<map.sampleCount {
            let columns = map.sampleVariables(sample)
            widest = max(widest, columns.count)
            if columns.count != n && !cleared {
                jacobian.fill(0)
                cleared = true
            }
            let variables = columns.count == n ? point : Array(point[columns])
            let (_, pullback) = valueWithPullback(at: variables) { x in map.differentiableSampleOutput(sample, variables: x) }
            for output in 0..<p {
                seed[output] = 1
                let gradient = pullback(Array<Double>.DifferentiableView(seed)).base
                seed[output] = 0
                jacobian.copyRow(sample * p + output, columns: columns, from: gradient)
            }
        }
        return JacobianCost(forwardEvaluations: 1, pullbacks: m, cotangentLanes: m, workspaceBytes: byteCount(p + widest))
    }
}

extension SwiftAutodiff {
    /// `swift-autodiff`, exact, no options; a reference `auto` never chooses.
    public static let entry = JacobianStrategyEntry(
        name: "swift-autodiff", summary: "the Swift toolchain's reverse mode, one pullback per row", cost: "m pullbacks", isExact: true,
        notChosenByAuto: "reference implementation: m pullbacks through the toolchain runtime, never faster than per-sample")

    /// No options.
    public init(options: JacobianStrategyOptions) { self.init() }

    /// 1 evaluation and m pullbacks of one lane. Whole map: workspace 8m (the seed),
    /// 1 + m·(1 + r) forward-pass units. Per sample (``JacobianShape/swiftSampleVariables`` k):
    /// workspace 8(p + k) (the seed and one gradient), each pullback through one sample,
    /// 1 + m·(1 + r)/S units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount
        if let k = shape.swiftSampleVariables, let p = shape.outputsPerSample, let samples = shape.sampleCount, samples > 0 {
            return PredictedJacobianWork(
                cost: JacobianCost(forwardEvaluations: 1, pullbacks: m, cotangentLanes: m, workspaceBytes: JacobianShape.doubleBytes(p + k)),
                forwardPassUnits: 1 + Double(m) * (1 + shape.laneWork) / Double(samples), lanesOfWidestSweep: 1)
        }
        return PredictedJacobianWork(
            cost: JacobianCost(forwardEvaluations: 1, pullbacks: m, cotangentLanes: m, workspaceBytes: JacobianShape.doubleBytes(m)),
            forwardPassUnits: 1 + Double(m) * (1 + shape.laneWork), lanesOfWidestSweep: 1)
    }

    /// Terms S, m·L, m·P, m·k·L: per sample one recording, per pullback one closure per
    /// operation and the products of one sample, and per layer an n-vector θ-gradient (k = n)
    /// or a d-vector input gradient (k = d) that the runtime allocates and sums.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        let t = network.terms
        let layers = Double(network.layers.count - 1)
        let k = network.isParameters ? t.n : Double(network.layers.first ?? 0)
        return network.microseconds(name, [t.s, t.m * layers, t.m * network.parameters, t.m * k * layers])
    }
}
