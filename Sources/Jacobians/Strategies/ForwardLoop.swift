import LinearAlgebra

/// `forward-loop`: one Jacobian-vector product per input column, V = e_j.
///
/// - Cost: n pushforwards with one tangent lane each.
/// - Exact to rounding.
public struct ForwardLoop: CatalogedJacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Column j of J is J·e_j; the seed and column buffers are allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var tangent = Matrix(rows: n, columns: 1)
        var column = Matrix(rows: m, columns: 1)
        for input in 0..<n {
            if input > 0 { tangent.elements[input - 1] = 0 }
            tangent.elements[input] = 1
            map.pushforward(at: point, tangents: tangent, into: &column)
            jacobian.copyColumns(startingAt: input, from: column)
        }
        return JacobianCost(pushforwards: n, tangentLanes: n, workspaceBytes: byteCount(m + n))
    }
}

extension ForwardLoop {
    /// `forward-loop`, exact, no options.
    public static let entry = JacobianStrategyEntry(
        name: "forward-loop", summary: "one pushforward per input column", cost: "n forward-tangent", isExact: true)

    /// No options.
    public init(options: JacobianStrategyOptions) { self.init() }

    /// n pushforwards of one lane each; workspace 8(m + n); n·(1 + r) forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount, n = shape.inputCount
        return PredictedJacobianWork(
            cost: JacobianCost(pushforwards: n, tangentLanes: n, workspaceBytes: JacobianShape.doubleBytes(m + n)),
            forwardPassUnits: Double(n) * (1 + shape.laneWork), lanesOfWidestSweep: 1)
    }

    /// Terms 1, n, n·U·par, n·S·P, n·S·H, m·n, n·S·P·min(1, S·W / 4·10⁵).
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        let t = network.terms
        return network.microseconds(
            name, [1, t.n, t.n * t.perUnit, t.n * t.sp, t.n * t.sh, t.m * t.n, t.n * t.sp * NetworkTimeModel.spill(t.s * network.widest, limit: 4e5)])
    }

    /// n single-lane pushforwards.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        .seconds(Double(map.inputCount) * (calibration.pushforwardFixed + calibration.pushforwardPerLane))
    }

    /// "M … N: forward-loop needs N = n single-lane pushforwards".
    public func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String {
        "\(shape.sizeRelation): forward-loop needs N = \(shape.inputCount) single-lane pushforwards"
    }
}
