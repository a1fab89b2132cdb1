import LinearAlgebra

/// `reverse-loop`: one vector-Jacobian product per output row, U = e_iᵀ
/// (what `torch.autograd.functional.jacobian` does by default).
///
/// - Cost: m pullbacks with one cotangent lane each.
/// - Exact to rounding.
public struct ReverseLoop: CatalogedJacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Row i of J is e_iᵀ·J; the seed and row buffers are allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var cotangent = Matrix(rows: 1, columns: m)
        var row = Matrix(rows: 1, columns: n)
        for output in 0..<m {
            if output > 0 { cotangent.elements[output - 1] = 0 }
            cotangent.elements[output] = 1
            map.pullback(at: point, cotangents: cotangent, into: &row)
            jacobian.copyRow(output, from: row.elements)
        }
        return JacobianCost(pullbacks: m, cotangentLanes: m, workspaceBytes: byteCount(m + n))
    }
}

extension ReverseLoop {
    /// `reverse-loop`, exact, no options.
    public static let entry = JacobianStrategyEntry(
        name: "reverse-loop", summary: "one pullback per output row (the torch default)", cost: "m backward", isExact: true)

    /// No options.
    public init(options: JacobianStrategyOptions) { self.init() }

    /// m pullbacks of one lane each; workspace 8(m + n); m·(1 + r) forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount, n = shape.inputCount
        return PredictedJacobianWork(
            cost: JacobianCost(pullbacks: m, cotangentLanes: m, workspaceBytes: JacobianShape.doubleBytes(m + n)),
            forwardPassUnits: Double(m) * (1 + shape.laneWork), lanesOfWidestSweep: 1)
    }

    /// Terms 1, m, m·U·par, m·S·P, m·S·H, m·n, m·S·P·min(1, S·W / 4·10⁵).
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        let t = network.terms
        return network.microseconds(
            name, [1, t.m, t.m * t.perUnit, t.m * t.sp, t.m * t.sh, t.m * t.n, t.m * t.sp * NetworkTimeModel.spill(t.s * network.widest, limit: 4e5)])
    }

    /// m single-lane pullbacks.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        .seconds(Double(map.outputCount) * (calibration.pullbackFixed + calibration.pullbackPerLane))
    }

    /// "M … N: reverse-loop needs M = m single-lane pullbacks".
    public func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String {
        "\(shape.sizeRelation): reverse-loop needs M = \(shape.outputCount) single-lane pullbacks"
    }
}
