/// What the cost model needs to know about a map: its size, its capabilities, and how much
/// work and memory one tangent or cotangent lane of its sweeps takes.
///
/// Build it from a map (``init(map:)``: sizes and capabilities, no lane workspace) or from
/// a network's widths (``multilayerPerceptron(layers:samples:variables:)``: everything,
/// without building the network, so a runner can predict a case before running it).
public struct JacobianShape: Sendable, Equatable, Hashable {
    /// n, the number of Jacobian columns.
    public var inputCount: Int
    /// m, the number of Jacobian rows.
    public var outputCount: Int
    /// S, when the rows of sample s depend only on sample s (``PerSampleStructured``).
    public var sampleCount: Int?
    /// p, outputs per sample, when per-sample structured.
    public var outputsPerSample: Int?
    /// Whether the map evaluates in complex arithmetic (``ComplexEvaluable``).
    public var hasComplexEvaluation: Bool
    /// Forward-pass units one lane of a pushforward or pullback costs (r): 2 for a network's
    /// parameters (W·V plus V_W·a forward, Wᵀ·U plus U·aᵀ backward), 1 for its inputs and
    /// for maps the model knows nothing about.
    public var laneWork: Double
    /// Bytes the map's own sweep buffers hold per lane (a network: two blocks of
    /// max-width × S doubles per lane); 0 when unknown.
    public var bytesPerLane: Int
    /// Bytes the map holds independently of lanes (a network: activations and their
    /// derivatives, 2·S·Σ widths doubles); 0 when unknown.
    public var fixedBytes: Int
    /// Bytes the map holds for one single-lane sweep over every sample (a J·v, a Jᵀu, a
    /// gradient): ``fixedBytes`` plus one lane (saturating at `Int.max`).
    public var singleLaneSweepBytes: Int { Self.saturatingSum(fixedBytes, bytesPerLane) }
    /// The network's widths [d, w₁, …, p] when the map is a fully connected network (the
    /// measured ``NetworkCostTable`` then predicts its time); nil for other maps.
    public var layers: [Int]?
    /// What a network's Jacobian is taken with respect to; nil for other maps.
    public var variables: JacobianVariables?
    /// For a ``SwiftDifferentiablePerSampleMap``, the most variables one sample's outputs
    /// depend on (n for a network's parameters, d for its inputs): `swift-autodiff` then
    /// pulls back per sample. Nil for other maps.
    public var swiftSampleVariables: Int?

    /// A shape from its parts; see the properties.
    public init(
        inputCount: Int, outputCount: Int, sampleCount: Int? = nil, outputsPerSample: Int? = nil,
        hasComplexEvaluation: Bool = false, laneWork: Double = 1, bytesPerLane: Int = 0, fixedBytes: Int = 0,
        layers: [Int]? = nil, variables: JacobianVariables? = nil, swiftSampleVariables: Int? = nil
    ) {
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.sampleCount = sampleCount
        self.outputsPerSample = outputsPerSample
        self.hasComplexEvaluation = hasComplexEvaluation
        self.laneWork = laneWork
        self.bytesPerLane = bytesPerLane
        self.fixedBytes = fixedBytes
        self.layers = layers
        self.variables = variables
        self.swiftSampleVariables = swiftSampleVariables
    }

    /// Sizes and capabilities of `map` (lane work 1, lane workspace unknown).
    public init(map: any DifferentiableMap) {
        let structured = map as? any PerSampleStructured
        self.init(
            inputCount: map.inputCount, outputCount: map.outputCount, sampleCount: structured?.sampleCount,
            outputsPerSample: structured?.outputsPerSample, hasComplexEvaluation: map is any ComplexEvaluable,
            swiftSampleVariables: (map as? any SwiftDifferentiablePerSampleMap)?.widestSampleVariables)
    }

    /// A fully connected network with widths `layers` = [d, w₁, …, p] over `samples` samples.
    ///
    /// n = Σ_l w_{l+1}(w_l + 1) (parameters) or S·d (inputs); m = S·p; per-sample
    /// structured with S samples of p outputs; complex evaluation; r = 2 (parameters) or 1
    /// (inputs); lane workspace 2·max(w)·S doubles; fixed workspace 2·S·Σ_{l≥1} w_l doubles;
    /// Swift-differentiable per sample in n (parameters) or d (inputs) variables.
    public static func multilayerPerceptron(layers: [Int], samples: Int, variables: JacobianVariables) -> JacobianShape {
        let parameters = zip(layers, layers.dropFirst()).reduce(0) { $0 + $1.1 * ($1.0 + 1) }
        let d = layers.first ?? 0, p = layers.last ?? 0
        let widest = layers.max() ?? 1
        return JacobianShape(
            inputCount: variables == .parameters ? parameters : samples * d, outputCount: samples * p,
            sampleCount: samples, outputsPerSample: p, hasComplexEvaluation: true,
            laneWork: variables == .parameters ? 2 : 1,
            bytesPerLane: doubleBytes(2 * widest * samples),
            fixedBytes: doubleBytes(2 * samples * layers.dropFirst().reduce(0, +)),
            layers: layers, variables: variables, swiftSampleVariables: variables == .parameters ? parameters : d)
    }

    /// "M = 576 > N = 84", "M = N = 3" or "N = 84 > M = 10": the relation of the Jacobian's
    /// sizes, as reasons for a choice begin.
    public var sizeRelation: String {
        let n = inputCount, m = outputCount
        return m > n ? "M = \(m) > N = \(n)" : m == n ? "M = N = \(n)" : "N = \(n) > M = \(m)"
    }

    /// Bytes of `count` doubles (saturating at `Int.max`).
    public static func doubleBytes(_ count: Int) -> Int { saturatingProduct(count, MemoryLayout<Double>.stride) }

    /// `a × b`, or `Int.max` when it overflows: a prediction too large to count is over any
    /// budget, never a trap.
    public static func saturatingProduct(_ a: Int, _ b: Int) -> Int {
        let (result, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : result
    }

    /// The sum of `terms`, or `Int.max` when it overflows.
    public static func saturatingSum(_ terms: Int...) -> Int {
        var total = 0
        for term in terms {
            let (next, overflow) = total.addingReportingOverflow(term)
            if overflow { return Int.max }
            total = next
        }
        return total
    }
}

/// One strategy's predicted cost on a ``JacobianShape``.
public struct JacobianCostPrediction: Sendable, Equatable {
    /// The strategy's manifest name.
    public var strategy: String
    /// The counters the strategy will report (``JacobianCost``), exactly; for `ridders` an
    /// upper bound (its extrapolation stops early when converged).
    public var cost: JacobianCost
    /// Whether ``cost`` is an upper bound rather than exact.
    public var isUpperBound: Bool
    /// Lanes per sweep for the vectorized strategies (n or m when unchunked), else nil.
    public var lanesPerSweep: Int?
    /// Predicted work in forward-pass units (see ``JacobianCostModel``).
    public var forwardPassUnits: Double
    /// Predicted peak bytes: the strategy's workspace, the map's sweep buffers for the
    /// lanes of one sweep and its fixed buffers, and the m × n result.
    public var peakBytes: Int
    /// Whether the strategy is exact to rounding.
    public var isExact: Bool

    /// Sweeps: pushforward and pullback calls plus evaluations (one number to compare).
    public var sweeps: Int { cost.pushforwards + cost.pullbacks + cost.forwardEvaluations }
}

/// The explicit cost model behind `jacobench advise` and the runner's memory cap and time
/// estimates. Counts are those the strategies report; work and memory are modelled.
///
/// Each strategy states its own row (``CatalogedJacobianStrategy/predictedWork(on:)``, with
/// the formula in its doc comment): the counters of ``JacobianCost`` it will report (exactly;
/// `ridders` an upper bound, its extrapolation stops early when converged), its workspace,
/// the lanes of its widest sweep, and its work in forward-pass units by the generic rule
/// below. `auto` is predicted as its pinned strategy, else as ``cheapestExact(on:)``.
///
/// The generic rule, for maps the model knows nothing else about (formula models, a user's
/// map): with n columns, m rows and lane work r, a sweep carrying k lanes costs 1 + r·k forward
/// passes (it re-traverses the map once, then does r multiply-adds per lane for every one of
/// the forward pass); a per-sample sweep carries one lane per sample, the work of one lane
/// over the batch; an evaluation costs one (four for a complex one). It counts multiply-adds
/// and ignores structural zeros, BLAS efficiency and activation cost: it ranks strategies, it
/// does not time them.
///
/// Forward-pass units of a fully connected network (a shape with ``JacobianShape/layers``)
/// come from measured constants instead: ``NetworkCostTable`` models each strategy's wall
/// time and the forward pass's as sums of work terms of the widths (products, activations,
/// per-call and per-unit overheads, memory traffic of big seeds), fitted to
/// `experiments/crossover.yaml`, `seed-lm.yaml` and `seed-input.yaml` for the kernel
/// variant the CPU runs (``KernelVariant``); each strategy supplies its terms
/// (``CatalogedJacobianStrategy/networkMicroseconds(on:work:)``), and the units are its time
/// over the forward pass's. `make cost-model-check` reruns the fitting experiments and
/// compares predicted with measured units.
///
/// Peak bytes = strategy workspace + bytes-per-lane × lanes of the widest sweep + the map's
/// fixed bytes + 8mn for the Jacobian (``peakBytes(of:on:)``).
public enum JacobianCostModel {
    /// The prediction for `strategy` (with its options, e.g. `chunk`) on `shape`; `auto`
    /// is predicted as its pinned strategy, else as ``cheapestExact(on:)`` (on a network, plus
    /// its measured per-call overhead).
    public static func predict(_ strategy: any JacobianStrategy, on shape: JacobianShape) -> JacobianCostPrediction {
        predict(strategy, on: shape, table: shippedTable)
    }

    /// The shipped constants for the kernel variant this CPU runs.
    public static let shippedTable = NetworkCostTable.shipped(for: KernelVariant.current)

    /// ``predict(_:on:)`` with the network constants of `table` (tests pin a variant's table).
    public static func predict(_ strategy: any JacobianStrategy, on shape: JacobianShape, table: NetworkCostTable) -> JacobianCostPrediction {
        strategy.costPrediction(on: shape, table: table)
    }

    /// Peak bytes of `work` on `shape`: the strategy's workspace, the map's per-lane buffers
    /// times the lanes of the widest sweep, the map's fixed buffers and the m × n result
    /// (saturating at `Int.max`).
    public static func peakBytes(of work: PredictedJacobianWork, on shape: JacobianShape) -> Int {
        JacobianShape.saturatingSum(
            work.cost.workspaceBytes, JacobianShape.saturatingProduct(shape.bytesPerLane, work.lanesOfWidestSweep), shape.fixedBytes,
            JacobianShape.doubleBytes(JacobianShape.saturatingProduct(shape.outputCount, shape.inputCount)))
    }

    /// Sweeps, lanes per sweep and workspace of a vectorized strategy over `total` lanes
    /// (n forward, m reverse; `other` is the other dimension): unchunked, one sweep and the
    /// total² identity seed; chunked by c, ⌈total/c⌉ sweeps and a c × (m + n) seed and block.
    public static func chunking(total: Int, chunk: Int?, other: Int) -> (sweeps: Int, lanes: Int, workspaceBytes: Int) {
        let lanes = max(1, min(chunk ?? total, total))
        if lanes >= total { return (1, total, JacobianShape.doubleBytes(JacobianShape.saturatingProduct(total, total))) }
        return (
            (total - 1) / lanes + 1, lanes,
            JacobianShape.doubleBytes(JacobianShape.saturatingProduct(lanes, JacobianShape.saturatingSum(total, other))))
    }

    /// Every catalog strategy (default options) that `shape` can run, predicted; `auto` last.
    public static func predictions(on shape: JacobianShape) -> [JacobianCostPrediction] {
        JacobianStrategyCatalog.allStrategies().filter { isApplicable($0.name, on: shape) }.map { predict($0, on: shape) }
    }

    /// The exact, applicable strategy with the fewest predicted forward-pass units (ties by
    /// catalog order); `swift-autodiff` and `auto` are never candidates.
    public static func cheapestExact(on shape: JacobianShape) -> JacobianCostPrediction {
        cheapestExact(on: shape, table: shippedTable)
    }

    /// `auto`'s own per-call cost on top of its choice's, in forward-pass units: measured for
    /// networks (``NetworkCostTable``, "auto/…"), 0 for other maps.
    public static func autoOverheadUnits(on shape: JacobianShape) -> Double {
        autoOverheadUnits(on: shape, table: shippedTable)
    }

    /// ``autoOverheadUnits(on:)`` with the network constants of `table`.
    static func autoOverheadUnits(on shape: JacobianShape, table: NetworkCostTable) -> Double {
        guard let network = NetworkTimeModel(shape: shape, table: table), let forward = network.forwardPass, forward > 0 else { return 0 }
        return (network.autoOverhead ?? 0) / forward
    }

    /// ``cheapestExact(on:)`` with the network constants of `table`.
    static func cheapestExact(on shape: JacobianShape, table: NetworkCostTable) -> JacobianCostPrediction {
        let candidates = JacobianStrategyCatalog.allStrategies()
            .filter { $0.isExact && type(of: $0).entry.notChosenByAuto == nil && isApplicable($0.name, on: shape) }
            .map { predict($0, on: shape, table: table) }
        return candidates.min { $0.forwardPassUnits < $1.forwardPassUnits } ?? predict(ForwardVectorized(), on: shape, table: table)
    }

    /// Whether the shape has the capabilities the strategy called `name` needs (its
    /// ``CatalogedJacobianStrategy/isApplicable(on:)``); true for a name not in the catalog.
    public static func isApplicable(_ name: String, on shape: JacobianShape) -> Bool {
        JacobianStrategyCatalog.registeredType(named: name)?.isApplicable(on: shape) ?? true
    }

    /// The largest chunk (lanes per sweep) for `forward-vectorized` (`forward` true: up to n
    /// lanes) or `reverse-vectorized` (up to m) whose predicted peak stays within
    /// `budgetBytes`; nil when all lanes at once fit (no chunking needed). At least 1.
    public static func chunk(forward: Bool, on shape: JacobianShape, budgetBytes: Int) -> Int? {
        let total = forward ? shape.inputCount : shape.outputCount
        func peak(_ chunk: Int) -> Int {
            let strategy: any JacobianStrategy = forward ? ForwardVectorized(chunk: chunk) : ReverseVectorized(chunk: chunk)
            return predict(strategy, on: shape).peakBytes
        }
        guard total > 1, peak(total) > budgetBytes else { return nil }
        var low = 1, high = total - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if peak(middle) <= budgetBytes { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
