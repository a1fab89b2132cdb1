import LinearAlgebra

/// `reverse-vectorized`: all m cotangent rows (the identity) as lanes of one
/// backward sweep, as `jacrev` with `vmap`; with `chunk`, ⌈m/chunk⌉ sweeps of at
/// most `chunk` lanes each, to bound memory.
///
/// - Cost: ⌈m/chunk⌉ pullbacks (1 without chunk) carrying m lanes in total.
/// - Exact to rounding; chunked and unchunked agree up to BLAS summation order.
public struct ReverseVectorized: CatalogedJacobianStrategy {
    /// Lanes per sweep; nil for all m at once.
    public var chunk: Int?
    /// Creates the strategy; `chunk` must be positive when given.
    public init(chunk: Int? = nil) {
        precondition(chunk.map { $0 > 0 } ?? true, "chunk must be positive")
        self.chunk = chunk
    }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Pulls identity blocks back; without chunking the sweep writes J in place.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        let blocks = IdentityLaneBlocks(total: m, chunk: chunk)
        if blocks.isWhole {
            let seed = Matrix.identity(m)
            map.pullback(at: point, cotangents: seed, into: &jacobian)
            return JacobianCost(pullbacks: 1, cotangentLanes: m, workspaceBytes: byteCount(m * m))
        }
        jacobian.reshape(rows: m, columns: n)
        var seed = Matrix(rows: blocks.width, columns: m)
        var block = Matrix(rows: blocks.width, columns: n)
        for lanes in blocks {
            seed.setIdentityRows(lanes, size: m)
            map.pullback(at: point, cotangents: seed, into: &block)
            jacobian.copyRows(startingAt: lanes.lowerBound, from: block)
        }
        return JacobianCost(pullbacks: blocks.count, cotangentLanes: m, workspaceBytes: byteCount(blocks.width * (m + n)))
    }
}

extension ReverseVectorized {
    /// `reverse-vectorized`, exact, option `chunk`.
    public static let entry = JacobianStrategyEntry(
        name: "reverse-vectorized", summary: "all m cotangent rows as lanes of one backward sweep (jacrev + vmap)",
        cost: "1 sweep, m lanes (⌈m/chunk⌉ sweeps)", isExact: true, options: ["chunk"])

    /// Reads `chunk`.
    public init(options: JacobianStrategyOptions) { self.init(chunk: options.chunk) }

    /// ⌈m/c⌉ pullbacks carrying m lanes; workspace 8m² unchunked (c ≥ m), else 8c(m + n);
    /// ⌈m/c⌉ + r·m forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount
        let plan = JacobianCostModel.chunking(total: m, chunk: chunk, other: shape.inputCount)
        return PredictedJacobianWork(
            cost: JacobianCost(pullbacks: plan.sweeps, cotangentLanes: m, workspaceBytes: plan.workspaceBytes),
            forwardPassUnits: Double(plan.sweeps) + shape.laneWork * Double(m), lanesPerSweep: plan.lanes, lanesOfWidestSweep: plan.lanes)
    }

    /// Terms 1, c, c·U·par, c·S·P, m·S·P, m·S·H, m·n, c·k·m, c·k·m·min(1, k·m / 4·10⁶),
    /// m·S·P·min(1, k·S·W / 4·10⁶).
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        let t = network.terms
        let k = Double(work.lanesPerSweep ?? 1), c = Double(max(work.cost.pushforwards + work.cost.pullbacks, 1))
        return network.microseconds(
            name,
            [1, c, c * t.perUnit, c * t.sp, t.m * t.sp, t.m * t.sh, t.m * t.n, c * k * t.m, c * k * t.m * NetworkTimeModel.spill(k * t.m),
             t.m * t.sp * NetworkTimeModel.spill(k * t.s * network.widest)])
    }

    /// One pullback of m lanes.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        .seconds(calibration.pullbackFixed + Double(map.outputCount) * calibration.pullbackPerLane)
    }

    /// "M … N: reverse-vectorized needs k sweeps carrying all M = m cotangent lanes".
    public func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String {
        "\(shape.sizeRelation): reverse-vectorized needs \(JacobianStrategyEntry.plural(prediction.cost.pullbacks, "sweep")) carrying all M = \(shape.outputCount) cotangent lanes"
    }
}
