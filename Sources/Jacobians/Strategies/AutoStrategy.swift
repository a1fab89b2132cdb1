import ComplexModule
import LinearAlgebra
import Synchronization

/// What `auto` chose for a map, and why.
public struct AutoDecision: Sendable, CustomStringConvertible {
    /// The chosen strategy's manifest name.
    public var chosen: String { strategy.name }
    /// The chosen strategy (with its options).
    public var strategy: any JacobianStrategy
    /// A sentence for logs and result bundles.
    public var reason: String
    /// Predicted seconds per Jacobian for every candidate considered.
    public var predictedSeconds: [String: Double]
    /// Strategies not considered, with the reason.
    public var excluded: [String: String]
    /// True when the choice was pinned by configuration.
    public var pinned: Bool
    /// The unit costs measured on this machine when the decision was calibrated (nil for the
    /// cost model's decision and for a pinned one), so a result bundle can record them.
    public var calibration: AutoCalibration? = nil
    /// "auto → per-sample: <reason>".
    public var description: String { "auto → \(chosen): \(reason)" }
}

/// Unit costs measured on this machine for one map (seconds, best of 3).
public struct AutoCalibration: Sendable, Equatable {
    /// One evaluation of f.
    public var evaluation: Double
    /// One pushforward: fixed part and per-lane slope.
    public var pushforwardFixed: Double, pushforwardPerLane: Double
    /// One pullback: fixed part and per-lane slope.
    public var pullbackFixed: Double, pullbackPerLane: Double
    /// One full per-sample Jacobian (p sweeps), when structured.
    public var perSample: Double?
    /// One complex evaluation, when available.
    public var complexEvaluation: Double?

    /// Creates a calibration from measured (or, in tests, chosen) unit costs.
    public init(
        evaluation: Double, pushforwardFixed: Double, pushforwardPerLane: Double,
        pullbackFixed: Double, pullbackPerLane: Double, perSample: Double?, complexEvaluation: Double?
    ) {
        self.evaluation = evaluation
        self.pushforwardFixed = pushforwardFixed
        self.pushforwardPerLane = pushforwardPerLane
        self.pullbackFixed = pullbackFixed
        self.pullbackPerLane = pullbackPerLane
        self.perSample = perSample
        self.complexEvaluation = complexEvaluation
    }
}

/// `auto`: picks the cheapest exact strategy for the map, never an inexact one unless
/// `allowInexact`.
///
/// By default the decision is deterministic: the strategy with the fewest forward-pass units
/// that ``JacobianCostModel`` predicts for the map's shape (``JacobianShape/described(by:)``,
/// or the shape the caller passes), ties broken by catalog order — a pure function of the
/// shape, so two runs of one manifest pick the same strategy and their fits the same bits.
/// The map is never evaluated to decide.
///
/// With `calibrates` (manifest `jacobian.auto: {calibrate: true}`) it times the map on this
/// machine instead (cached per map) and picks the fastest predicted by the calibrated model
/// below; that choice depends on the machine and its load.
///
/// Calibrated model (t(k) = fixed + k·per-lane, fitted from 1 and K ≤ min(n or m, 64) lanes, see ``calibrate(_:at:)``):
/// forward-loop n·t_push(1); reverse-loop m·t_pull(1); forward-vectorized
/// t_push(n); reverse-vectorized t_pull(m); per-sample the measured p sweeps;
/// complex-step n·t_complex; and, when allowed, (n+1)·t_eval and 2n·t_eval for
/// finite differences. `swift-autodiff` is a reference implementation and never
/// chosen (it costs m pullbacks, like reverse-loop, through a slower runtime).
///
/// The decision is available as ``lastDecision`` (for result bundles) and can be
/// pinned: `AutoStrategy(pinned: PerSampleGradients())` or catalog option `pinned`.
public final class AutoStrategy: CatalogedJacobianStrategy {
    /// The strategy to use regardless of the model, when pinned.
    public let pinnedStrategy: (any JacobianStrategy)?
    /// Whether finite differences may be chosen.
    public let allowInexact: Bool
    /// Whether the decision times the map on this machine (opt-in) instead of using the
    /// cost model's counts.
    public let calibrates: Bool
    private struct CalibrationKey: Hashable, Sendable {
        var map: ObjectIdentifier
        var inputCount: Int
        var outputCount: Int
    }
    private struct State: Sendable {
        var calibrations: [CalibrationKey: AutoCalibration] = [:]
        var lastChoice: [CalibrationKey: AutoDecision] = [:]
        var lastDecision: AutoDecision?
    }
    private let state = Mutex(State())

    /// Creates the strategy, optionally pinned to `pinned`; `calibrates` decides by timing.
    public init(pinned: (any JacobianStrategy)? = nil, allowInexact: Bool = false, calibrates: Bool = false) {
        self.pinnedStrategy = pinned
        self.allowInexact = allowInexact
        self.calibrates = calibrates
    }

    /// How decisions are made: `pinned`, `calibrated` or `cost-model`.
    public var mode: String { pinnedStrategy != nil ? "pinned" : calibrates ? "calibrated" : "cost-model" }

    /// Creates the strategy pinned to a catalog name (e.g. `per-sample`).
    public convenience init(pinned name: String, allowInexact: Bool = false) throws {
        self.init(pinned: try JacobianStrategyCatalog.strategy(named: name), allowInexact: allowInexact)
    }

    /// True unless inexact strategies are allowed.
    public var isExact: Bool { !allowInexact && (pinnedStrategy?.isExact ?? true) }
    /// That of the pinned strategy, else 1e-12 (or 1e-6 when inexact is allowed).
    public var nominalRelativeError: Double {
        pinnedStrategy?.nominalRelativeError ?? (allowInexact ? 1e-6 : 1e-12)
    }
    /// Applicable whenever its pinned strategy is (some exact strategy always is).
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? {
        pinnedStrategy?.inapplicabilityReason(for: map)
    }

    /// The most recent decision (nil before the first call).
    public var lastDecision: AutoDecision? { state.withLock { $0.lastDecision } }

    /// Decides, records the decision, and runs the chosen strategy.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let decision = try decide(for: map, at: point)
        return try decision.strategy.jacobian(of: map, at: point, into: &jacobian)
    }

    /// Decides for `map` now (cached; with `calibrates`, the timing happens here), so the first
    /// Jacobian costs only itself.
    public func prepare(for map: any DifferentiableMap, at point: [Double]) throws {
        _ = try decide(for: map, at: point)
    }

    /// The decision for `map` without computing J: chosen on first use, then cached per map
    /// (identity and shape), so later calls cost a lookup. `shape` overrides the map's own
    /// description for the cost model (a pipeline knows the model's widths).
    public func decide(for map: any DifferentiableMap, at point: [Double], shape: JacobianShape? = nil) throws -> AutoDecision {
        if let pinnedStrategy {
            try pinnedStrategy.requireApplicable(to: map)
            let decision = AutoDecision(
                strategy: pinnedStrategy, reason: "pinned by configuration", predictedSeconds: [:], excluded: [:], pinned: true)
            state.withLock { $0.lastDecision = decision }
            return decision
        }
        let key = CalibrationKey(map: ObjectIdentifier(map), inputCount: map.inputCount, outputCount: map.outputCount)
        if let cached = state.withLock({ state -> AutoDecision? in
            let decision = state.lastChoice[key]
            if decision != nil { state.lastDecision = decision }
            return decision
        }) {
            return cached
        }
        guard calibrates else {
            let decision = Self.choose(for: map, shape: shape ?? JacobianShape.described(by: map), allowInexact: allowInexact)
            state.withLock {
                $0.lastChoice[key] = decision
                $0.lastDecision = decision
            }
            return decision
        }
        let calibration = Self.calibrate(map, at: point)
        var decision = Self.choose(for: map, calibration: calibration, allowInexact: allowInexact)
        decision.calibration = calibration
        state.withLock {
            $0.calibrations[key] = calibration
            $0.lastChoice[key] = decision
            $0.lastDecision = decision
        }
        return decision
    }

    /// The deterministic decision: every catalog strategy applicable to `map` (exact ones only
    /// unless `allowInexact`) predicted by ``JacobianCostModel`` on `shape`; the fewest
    /// forward-pass units wins, ties by catalog order. Pure: no evaluation, no clock.
    /// Strategies whose catalog line says `auto` never chooses them are excluded with that
    /// reason.
    public static func choose(for map: any DifferentiableMap, shape: JacobianShape, allowInexact: Bool) -> AutoDecision {
        if let decision = approximateSweepsDecision(for: map) { return decision }
        var excluded = notChosen()
        var ranked: [(strategy: any JacobianStrategy, units: Double)] = []
        for strategy in JacobianStrategyCatalog.allStrategies() where type(of: strategy).entry.notChosenByAuto == nil {
            if !strategy.isExact && !allowInexact {
                excluded[strategy.name] = "inexact (allow-inexact is off)"
                continue
            }
            if let reason = strategy.inapplicabilityReason(for: map) {
                excluded[strategy.name] = reason
                continue
            }
            guard JacobianCostModel.isApplicable(strategy.name, on: shape) else {
                excluded[strategy.name] = "not applicable to the shape the cost model was given"
                continue
            }
            ranked.append((strategy, JacobianCostModel.predict(strategy, on: shape).forwardPassUnits))
        }
        // Stable: catalog order among equal predictions.
        let order = ranked.enumerated().sorted { ($0.element.units, $0.offset) < ($1.element.units, $1.offset) }.map(\.element)
        guard let best = order.first else {
            return AutoDecision(strategy: ForwardVectorized(), reason: "no candidate applies; forward-vectorized", predictedSeconds: [:], excluded: excluded, pinned: false)
        }
        var reason = "cost model: \(units(best.units)) forward-pass units"
        if order.count > 1 { reason += " vs \(order[1].strategy.name) \(units(order[1].units))" }
        reason += " (n = \(shape.inputCount), m = \(shape.outputCount)"
        if let samples = shape.sampleCount, let p = shape.outputsPerSample { reason += ", S = \(samples), p = \(p)" }
        reason += ")"
        return AutoDecision(strategy: best.strategy, reason: reason, predictedSeconds: [:], excluded: excluded, pinned: false)
    }

    /// On a map whose own sweeps are approximate (``DerivativeExactnessDescribing``) no strategy
    /// is exact: the map's own strategy, with that reason; nil for every other map.
    static func approximateSweepsDecision(for map: any DifferentiableMap) -> AutoDecision? {
        guard let described = map as? any DerivativeExactnessDescribing, !described.sweepsAreExact else { return nil }
        let own = described.jacobianStrategy
        return AutoDecision(
            strategy: own, reason: "the map's own derivatives are approximate, so no strategy is exact on it: its own \(own.name)",
            predictedSeconds: [:], excluded: [:], pinned: false)
    }

    /// Every catalog strategy `auto` never chooses, with the reason its catalog line gives
    /// (`auto` itself is not listed).
    static func notChosen() -> [String: String] {
        var excluded: [String: String] = [:]
        for type in JacobianStrategyCatalog.registered where type != AutoStrategy.self {
            if let reason = type.entry.notChosenByAuto { excluded[type.entry.name] = reason }
        }
        return excluded
    }

    static func units(_ value: Double) -> String {
        let tenths = (value * 10).rounded() / 10
        return value >= 100 || tenths == tenths.rounded() ? String(Int(value.rounded())) : String(tenths)
    }

    /// Predicts each candidate's time from `calibration` and picks the fastest
    /// (exact candidates only unless `allowInexact`).
    public static func choose(for map: any DifferentiableMap, calibration c: AutoCalibration, allowInexact: Bool) -> AutoDecision {
        if let decision = approximateSweepsDecision(for: map) { return decision }
        var predicted: [String: Double] = [:]
        var excluded = notChosen()
        for strategy in JacobianStrategyCatalog.allStrategies() where type(of: strategy).entry.notChosenByAuto == nil {
            if !strategy.isExact && !allowInexact {
                excluded[strategy.name] = "inexact (allow-inexact is off)"
                continue
            }
            switch strategy.calibratedSeconds(from: c, on: map) {
            case .seconds(let seconds): predicted[strategy.name] = seconds
            case .excluded(let reason): excluded[strategy.name] = reason
            }
        }
        guard !predicted.isEmpty else {
            return AutoDecision(strategy: ForwardVectorized(), reason: "no candidate was calibrated; forward-vectorized", predictedSeconds: [:], excluded: excluded, pinned: false)
        }
        let ranked = predicted.sorted { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }
        let best = ranked[0]
        let strategy = (try? JacobianStrategyCatalog.strategy(named: best.key)) ?? ForwardVectorized()
        var reason = "predicted \(microseconds(best.value))"
        if ranked.count > 1 { reason += " vs \(ranked[1].key) \(microseconds(ranked[1].value))" }
        reason += " (n = \(map.inputCount), m = \(map.outputCount)"
        if let structured = map as? any PerSampleStructured {
            reason += ", S = \(structured.sampleCount), p = \(structured.outputsPerSample)"
        }
        reason += "; calibrated on this machine)"
        return AutoDecision(strategy: strategy, reason: reason, predictedSeconds: predicted, excluded: excluded, pinned: false)
    }

    static func microseconds(_ seconds: Double) -> String {
        let value = (seconds * 1e7).rounded() / 10
        return "\(value) µs"
    }

    /// Times one evaluation, one per-sample Jacobian, and pushforwards and pullbacks with 1
    /// and K identity-column (row) lanes spread over all inputs (outputs): best of 3 after a
    /// warm-up (1 for calls over 10 ms), plus one complex evaluation.
    ///
    /// K = min(n or m, 64) while one lane is cheap; on large maps K shrinks (not below 16) so
    /// that the K-lane call costs about ``laneCalibrationBudget`` or one per-sample Jacobian,
    /// whichever is more (see ``calibrationLanes(available:oneLane:budget:)``): on the
    /// 1 → 30 → 30 → 1 network over 4,096 samples the 64-lane calls alone cost several
    /// per-sample Jacobians, and K only sets the slope the model extrapolates.
    public static func calibrate(_ map: any DifferentiableMap, at point: [Double]) -> AutoCalibration {
        let n = map.inputCount, m = map.outputCount
        var output: [Double] = []
        let evaluation = bestTime { map.evaluate(at: point, into: &output) }
        var perSample: Double?
        if let structured = map as? any PerSampleStructured {
            var jacobian = Matrix(rows: 0, columns: 0)
            perSample = bestTime { structured.perSampleJacobian(at: point, into: &jacobian) }
        }
        let budget = max(laneCalibrationBudget, perSample ?? 0)
        var result = Matrix(rows: 0, columns: 0)
        // Seeds shaped like the strategies' own: columns / rows of the identity.
        var tangentsOne = Matrix(rows: n, columns: 1)
        tangentsOne[0, 0] = 1
        let pushOne = bestTime { map.pushforward(at: point, tangents: tangentsOne, into: &result) }
        let pushLanes = calibrationLanes(available: n, oneLane: pushOne, budget: budget)
        var tangentsMany = Matrix(rows: n, columns: pushLanes)
        for lane in 0..<pushLanes { tangentsMany[lane * n / pushLanes, lane] = 1 }
        let pushMany = bestTime { map.pushforward(at: point, tangents: tangentsMany, into: &result) }
        var cotangentsOne = Matrix(rows: 1, columns: m)
        cotangentsOne[0, 0] = 1
        let pullOne = bestTime { map.pullback(at: point, cotangents: cotangentsOne, into: &result) }
        let pullLanes = calibrationLanes(available: m, oneLane: pullOne, budget: budget)
        var cotangentsMany = Matrix(rows: pullLanes, columns: m)
        for lane in 0..<pullLanes { cotangentsMany[lane, lane * m / pullLanes] = 1 }
        let pullMany = bestTime { map.pullback(at: point, cotangents: cotangentsMany, into: &result) }
        let pushSlope = max(0, (pushMany - pushOne) / Double(pushLanes - 1))
        let pullSlope = max(0, (pullMany - pullOne) / Double(pullLanes - 1))
        var complexEvaluation: Double?
        if let complexMap = map as? any ComplexEvaluable,
           complexStepLowerBoundExceedsPerSample(inputCount: n, evaluation: evaluation, perSample: perSample) == nil {
            let complexPoint = point.map { Complex($0) }
            var complexOutput: [Complex<Double>] = []
            complexEvaluation = bestTime { complexMap.evaluate(at: complexPoint, into: &complexOutput) }
        }
        return AutoCalibration(
            evaluation: evaluation,
            pushforwardFixed: max(0, pushOne - pushSlope), pushforwardPerLane: pushSlope,
            pullbackFixed: max(0, pullOne - pullSlope), pullbackPerLane: pullSlope,
            perSample: perSample, complexEvaluation: complexEvaluation)
    }

    /// Why complex-step cannot win, when its lower bound already exceeds the measured
    /// per-sample Jacobian: it needs n complex evaluations, each at least one real evaluation,
    /// so n·t_eval ≥ t_per-sample rules it out without timing a complex evaluation (a complex
    /// evaluation of a large network is itself far slower than the whole per-sample Jacobian).
    /// Nil otherwise.
    public static func complexStepLowerBoundExceedsPerSample(inputCount n: Int, evaluation: Double, perSample: Double?) -> String? {
        guard let perSample, Double(n) * evaluation >= perSample else { return nil }
        return "not calibrated: its n = \(n) evaluations alone (≥ \(microseconds(Double(n) * evaluation))) cost more than per-sample's \(microseconds(perSample))"
    }

    /// Seconds one multi-lane calibration call may cost before K drops below 64 (2 ms).
    public static let laneCalibrationBudget = 2e-3
    /// Most lanes of a calibration call (64).
    public static let maximumCalibrationLanes = 64
    /// Fewest lanes of a calibration call on a large map (16): enough that the slope is not
    /// the difference of two nearly equal timings.
    public static let minimumCalibrationLanes = 16

    /// K for the slope measurement: as many lanes as `budget` seconds buy at `oneLane`
    /// seconds per lane, clamped to [16, 64], never more than the `available` inputs
    /// (outputs) and never fewer than 2.
    public static func calibrationLanes(available: Int, oneLane: Double, budget: Double) -> Int {
        let affordable = oneLane > 0 ? budget / oneLane : Double(maximumCalibrationLanes)
        let lanes = min(Double(maximumCalibrationLanes), max(Double(minimumCalibrationLanes), affordable.rounded(.down)))
        return max(2, min(available, Int(lanes)))
    }

    /// Best of 3 timed calls after a warm-up; calls slower than 10 ms are timed once
    /// (their noise is small next to their cost, and calibrating a large map, e.g. 64
    /// tangent lanes over 4,096 samples, would otherwise cost seconds).
    static func bestTime(_ body: () -> Void) -> Double {
        let clock = ContinuousClock()
        let warmUp = clock.measure(body)
        let repeats = warmUp > .milliseconds(10) ? 1 : 3
        var best = Double.infinity
        for _ in 0..<repeats {
            let elapsed = clock.measure(body)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            best = min(best, seconds)
        }
        return best
    }
}

extension AutoStrategy {
    /// `auto`, exact unless inexact strategies are allowed, options `pinned`, `allow-inexact`
    /// and `calibrate`.
    public static let entry = JacobianStrategyEntry(
        name: "auto",
        summary: "the cheapest exact strategy by the cost model's counts for the map's shape (deterministic); by timing on this machine with calibrate",
        cost: "that of its choice", isExact: true, options: ["pinned", "allow-inexact", "calibrate"], notChosenByAuto: "auto itself")

    /// Reads `pinned` (a catalog name other than `auto`, configured by the other options),
    /// `allow-inexact` and `calibrate`.
    public convenience init(options: JacobianStrategyOptions) throws {
        if let pinned = options.pinned {
            if pinned == "auto" {
                throw JacobianStrategyCatalogError(name: pinned, message: "auto cannot be pinned to itself")
            }
            var inner = options
            inner.pinned = nil
            self.init(pinned: try JacobianStrategyCatalog.strategy(named: pinned, options: inner), allowInexact: options.allowInexact)
        } else {
            self.init(allowInexact: options.allowInexact, calibrates: options.calibrate)
        }
    }

    /// The work of its pinned strategy, else of the cost model's cheapest exact strategy.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let chosen = (pinnedStrategy as? any CatalogedJacobianStrategy)
            ?? JacobianStrategyCatalog.registeredType(named: JacobianCostModel.cheapestExact(on: shape).strategy).flatMap { try? $0.init(options: JacobianStrategyOptions()) }
        return chosen?.predictedWork(on: shape) ?? ForwardVectorized().predictedWork(on: shape)
    }

    /// Its pinned strategy's prediction, else the cheapest exact one's, plus `auto`'s own
    /// per-call overhead (measured for networks).
    public func costPrediction(on shape: JacobianShape, table: NetworkCostTable) -> JacobianCostPrediction {
        var prediction = pinnedStrategy.map { JacobianCostModel.predict($0, on: shape, table: table) }
            ?? JacobianCostModel.cheapestExact(on: shape, table: table)
        prediction.strategy = name
        prediction.forwardPassUnits += JacobianCostModel.autoOverheadUnits(on: shape, table: table)
        return prediction
    }

    /// Those of the strategy it last chose; nil before it has chosen.
    public func expectedCounters(on map: any DifferentiableMap) -> JacobianCost? {
        lastDecision?.strategy.expectedCounters(on: map)
    }

    /// False: it may decide again between calls.
    public var repeatsIdentically: Bool { false }
}
