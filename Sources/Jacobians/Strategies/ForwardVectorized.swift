import LinearAlgebra

/// `forward-vectorized`: all n tangent columns (the identity) as lanes of one
/// forward sweep, as `jacfwd` with `vmap`; with `chunk`, ⌈n/chunk⌉ sweeps of at
/// most `chunk` lanes each, to bound memory.
///
/// - Cost: ⌈n/chunk⌉ pushforwards (1 without chunk) carrying n lanes in total.
/// - Exact to rounding; the reference the conformance suite compares against.
public struct ForwardVectorized: CatalogedJacobianStrategy {
    /// Lanes per sweep; nil for all n at once.
    public var chunk: Int?
    /// Creates the strategy; `chunk` must be positive when given.
    public init(chunk: Int? = nil) {
        precondition(chunk.map { $0 > 0 } ?? true, "chunk must be positive")
        self.chunk = chunk
    }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Pushes identity blocks forward; without chunking the sweep writes J in place.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        let blocks = IdentityLaneBlocks(total: n, chunk: chunk)
        if blocks.isWhole {
            let seed = Matrix.identity(n)
            map.pushforward(at: point, tangents: seed, into: &jacobian)
            return JacobianCost(pushforwards: 1, tangentLanes: n, workspaceBytes: byteCount(n * n))
        }
        jacobian.reshape(rows: m, columns: n)
        var seed = Matrix(rows: n, columns: blocks.width)
        var block = Matrix(rows: m, columns: blocks.width)
        for lanes in blocks {
            seed.setIdentityColumns(lanes, size: n)
            map.pushforward(at: point, tangents: seed, into: &block)
            jacobian.copyColumns(startingAt: lanes.lowerBound, from: block)
        }
        return JacobianCost(pushforwards: blocks.count, tangentLanes: n, workspaceBytes: byteCount(blocks.width * (m + n)))
    }
}

extension ForwardVectorized {
    /// `forward-vectorized`, exact, option `chunk`.
    public static let entry = JacobianStrategyEntry(
        name: "forward-vectorized", summary: "all n tangent columns as lanes of one forward sweep (jacfwd + vmap)",
        cost: "1 sweep, n lanes (⌈n/chunk⌉ sweeps)", isExact: true, options: ["chunk"])

    /// Reads `chunk`.
    public init(options: JacobianStrategyOptions) { self.init(chunk: options.chunk) }

    /// ⌈n/c⌉ pushforwards carrying n lanes; workspace 8n² unchunked (c ≥ n), else 8c(m + n);
    /// ⌈n/c⌉ + r·n forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let n = shape.inputCount
        let plan = JacobianCostModel.chunking(total: n, chunk: chunk, other: shape.outputCount)
        return PredictedJacobianWork(
            cost: JacobianCost(pushforwards: plan.sweeps, tangentLanes: n, workspaceBytes: plan.workspaceBytes),
            forwardPassUnits: Double(plan.sweeps) + shape.laneWork * Double(n), lanesPerSweep: plan.lanes, lanesOfWidestSweep: plan.lanes)
    }

    /// Terms 1, c, c·U·par, c·S·P, n·S·P, n·S·H, m·n, c·k·n, c·k·n·min(1, k·n / 4·10⁶),
    /// n·S·H·min(1, k·S·W / 4·10⁶).
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        let t = network.terms
        let k = Double(work.lanesPerSweep ?? 1), c = Double(max(work.cost.pushforwards + work.cost.pullbacks, 1))
        return network.microseconds(
            name,
            [1, c, c * t.perUnit, c * t.sp, t.n * t.sp, t.n * t.sh, t.m * t.n, c * k * t.n, c * k * t.n * NetworkTimeModel.spill(k * t.n),
             t.n * t.sh * NetworkTimeModel.spill(k * t.s * network.widest)])
    }

    /// One pushforward of n lanes.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        .seconds(calibration.pushforwardFixed + Double(map.inputCount) * calibration.pushforwardPerLane)
    }

    /// "M … N: forward-vectorized needs k sweeps carrying all N = n tangent lanes".
    public func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String {
        "\(shape.sizeRelation): forward-vectorized needs \(JacobianStrategyEntry.plural(prediction.cost.pushforwards, "sweep")) carrying all N = \(shape.inputCount) tangent lanes"
    }
}
