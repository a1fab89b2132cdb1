/// A strategy that describes itself: its catalog line and options, the capabilities it
/// needs, the counters and bytes it will report on a shape, and what the conformance kit
/// expects of it. The catalog, the cost model, `auto`, `advise`, the benchmark and the
/// conformance suite read these instead of naming strategy types, so adding a strategy is
/// one file conforming to this protocol plus one line in
/// ``JacobianStrategyCatalog/registered``.
public protocol CatalogedJacobianStrategy: JacobianStrategy {
    /// The manifest name, summary, cost in words, exactness, option keys and whether `auto`
    /// may choose it.
    static var entry: JacobianStrategyEntry { get }

    /// The strategy configured by a manifest's `jacobian` options (already checked for sign
    /// and finiteness by the catalog); throws ``JacobianStrategyCatalogError`` for an option
    /// value it cannot take.
    init(options: JacobianStrategyOptions) throws

    /// Whether a map of `shape` has the capabilities the strategy needs (per-sample
    /// structure, complex evaluation, …), decided from the shape alone. Default: true.
    static func isApplicable(on shape: JacobianShape) -> Bool

    /// What the strategy will do on a map of `shape`: the counters it reports (exactly,
    /// or an upper bound), its workspace, its lanes and its work in forward-pass units by
    /// the generic model of ``JacobianCostModel`` (a sweep of k lanes costs 1 + r·k).
    func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork

    /// The strategy's wall time on a fully connected network in microseconds, from the
    /// measured constants (`network`), given its predicted `work`; nil when the table has
    /// no constants for it (the generic units are used then). Default: nil.
    func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double?

    /// Its time on `map` from `auto`'s calibration, or why it cannot be predicted so (e.g.
    /// not applicable). Default: `.excluded("not calibrated")`.
    func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime

    /// Why this strategy is the one for `shape`, in words, from its `prediction` (`advise`
    /// prints it), e.g. "M = 576 > N = 84 and samples are independent: per-sample needs 3
    /// sweeps". Default: the size relation and the counted sweeps or evaluations.
    func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String
}

/// What a strategy predicts it will do on a shape (see
/// ``CatalogedJacobianStrategy/predictedWork(on:)``).
public struct PredictedJacobianWork: Sendable, Equatable {
    /// The counters it will report; the workspace bytes it will allocate.
    public var cost: JacobianCost
    /// Work in forward-pass units by the generic model.
    public var forwardPassUnits: Double
    /// Lanes per sweep of the vectorized strategies (n or m when unchunked), else nil.
    public var lanesPerSweep: Int?
    /// Lanes of its widest sweep (1 for loops and per-sample, c or n/m for vectorized, 0 for
    /// evaluation-only strategies): the map's per-lane buffers are held this many times.
    public var lanesOfWidestSweep: Int
    /// Whether ``cost`` is an upper bound (an early stop can do less) rather than exact.
    public var isUpperBound: Bool

    /// A prediction from its parts; see the properties.
    public init(cost: JacobianCost, forwardPassUnits: Double, lanesPerSweep: Int? = nil, lanesOfWidestSweep: Int, isUpperBound: Bool = false) {
        self.cost = cost
        self.forwardPassUnits = forwardPassUnits
        self.lanesPerSweep = lanesPerSweep
        self.lanesOfWidestSweep = lanesOfWidestSweep
        self.isUpperBound = isUpperBound
    }
}

/// A strategy's time predicted from `auto`'s calibration, or why there is none.
public enum CalibratedTime: Sendable, Equatable {
    /// Predicted seconds per Jacobian.
    case seconds(Double)
    /// Why the strategy is not a candidate under calibration.
    case excluded(String)
}

extension CatalogedJacobianStrategy {
    /// The manifest name, from ``entry``.
    public var name: String { Self.entry.name }
    /// Whether the result is exact to rounding, from ``entry``.
    public var isExact: Bool { Self.entry.isExact }

    /// Every shape has what the strategy needs.
    public static func isApplicable(on shape: JacobianShape) -> Bool { true }

    /// No measured network constants.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? { nil }

    /// Not predicted by the calibration.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        .excluded("not calibrated")
    }

    /// "M … N: <name> needs k sweeps" (or evaluations when it makes no sweeps).
    public func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String {
        let sweeps = prediction.cost.pushforwards + prediction.cost.pullbacks
        let work = sweeps > 0
            ? JacobianStrategyEntry.plural(sweeps, "sweep")
            : JacobianStrategyEntry.plural(prediction.cost.forwardEvaluations, "evaluation")
        return "\(shape.sizeRelation): \(name) needs \(work)"
    }

    /// The prediction the cost model reports: the counters and workspace of
    /// ``predictedWork(on:)``; on a network the measured time over the forward pass's
    /// (when `table` has constants for the strategy); peak bytes as ``JacobianCostModel``
    /// documents.
    public func costPrediction(on shape: JacobianShape, table: NetworkCostTable) -> JacobianCostPrediction {
        let work = predictedWork(on: shape)
        var units = work.forwardPassUnits
        if let network = NetworkTimeModel(shape: shape, table: table), let forward = network.forwardPass, forward > 0,
            let time = networkMicroseconds(on: network, work: work)
        {
            units = max(time, 0) / forward
        }
        return JacobianCostPrediction(
            strategy: name, cost: work.cost, isUpperBound: work.isUpperBound, lanesPerSweep: work.lanesPerSweep,
            forwardPassUnits: units, peakBytes: JacobianCostModel.peakBytes(of: work, on: shape), isExact: isExact)
    }

    /// The counters of ``predictedWork(on:)`` on `map`'s shape without the workspace, unless
    /// they are only an upper bound.
    public func expectedCounters(on map: any DifferentiableMap) -> JacobianCost? {
        let work = predictedWork(on: JacobianShape(map: map))
        guard !work.isUpperBound else { return nil }
        var counters = work.cost
        counters.workspaceBytes = 0
        return counters
    }
}
