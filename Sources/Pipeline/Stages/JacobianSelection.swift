import Jacobians
import LinearAlgebra

/// The strategies a case measures, resolved from the manifest's `jacobian:` section: the
/// catalog strategy for each request (`all` = every catalog entry), the reference, and the
/// map and point they differentiate (parameters → residuals at θ; inputs → outputs at x).
struct JacobianSelection {
    /// One requested strategy, ready to run.
    struct Entry {
        /// The metric label (`forward-vectorized-chunk16`).
        var label: String
        /// The strategy.
        var strategy: any JacobianStrategy
        /// Why it cannot run on this map, when it cannot.
        var notApplicable: String?
        /// Why it is not run under the case's limits (predicted peak above the memory cap).
        var skipped: String?
        /// Lanes per sweep chosen by the limits for an unchunked vectorized strategy.
        var defaultChunk: Int?

        /// Whether it runs.
        var runs: Bool { notApplicable == nil && skipped == nil }

        /// `auto`'s latest decision, when the strategy is `auto`.
        var autoDecision: AutoDecision? {
            ((strategy as? MemoryBoundedAuto)?.auto ?? strategy as? AutoStrategy)?.lastDecision
        }
    }

    var entries: [Entry]
    var reference: any JacobianStrategy
    var map: any DifferentiableMap
    var point: [Double]
    /// The cost model's view of `map` (the model's own when it has one).
    var shape: JacobianShape

    init(subject: EvaluationSubject) throws {
        let settings = subject.jacobian
        switch settings.withRespectTo {
        case .parameters:
            map = subject.residuals
            point = subject.parameters
        case .inputs:
            (map, point) = try subject.model.inputMap(on: subject.data.training, parameters: subject.parameters)
        }
        let variables: JacobianVariables = settings.withRespectTo == .parameters ? .parameters : .inputs
        shape = subject.model.jacobianShape(on: subject.data.training, variables: variables) ?? JacobianShape(map: map)
        let requests = settings.strategies ?? JacobianStrategyCatalog.names.map { StrategyRequest(name: $0) }
        let map = self.map
        let limits = subject.limits, shape = self.shape
        // With respect to the parameters, the model's starting parameters are their typical
        // scale (finite-difference steps, DifferenceStep), as in a fit.
        let typical = settings.withRespectTo == .parameters ? subject.model.initialParameters.map { abs($0) } : nil
        entries = try requests.map { request in
            let options = JacobianStrategyOptions(
                chunk: request.chunk, relativeStep: request.relativeStep, typicalScale: request.typicalScale, pinned: request.name == "auto" ? settings.auto : nil,
                calibrate: request.name == "auto" && settings.autoCalibrates)
            // A plain `auto` is the case's own (shared with the solver), so a calibrating auto
            // times each map once per case and every stage reports the same decision.
            let shared = request.name == "auto" && request.chunk == nil && request.relativeStep == nil && request.typicalScale == nil ? subject.caseAuto : nil
            var strategy = try shared ?? JacobianStrategyCatalog.strategy(named: request.name, options: options)
            if let typical, typical.count == map.inputCount { strategy = strategy.withTypicalScale(typical) }
            var entry = Entry(label: request.label, strategy: strategy, notApplicable: strategy.inapplicabilityReason(for: map))
            guard entry.notApplicable == nil else { return entry }
            if let auto = strategy as? AutoStrategy {
                strategy = MemoryBoundedAuto(auto: auto, shape: shape, budgetBytes: limits.chunkBudget)
            } else {
                (strategy, entry.defaultChunk) = MemoryBoundedAuto.bounded(strategy, on: shape, budgetBytes: limits.chunkBudget)
            }
            entry.strategy = strategy
            entry.skipped = Self.overCap(strategy, on: shape, limits: limits)
            return entry
        }
        reference = MemoryBoundedAuto.bounded(try JacobianStrategyCatalog.strategy(named: settings.reference), on: shape, budgetBytes: limits.chunkBudget).strategy
        if let reason = reference.inapplicabilityReason(for: map) {
            throw StrategyNotApplicable(strategy: settings.reference, reason: "the reference cannot run: \(reason)")
        }
    }

    /// "predicted peak 3.1 GiB > memory-cap 2.0 GiB" when the cost model puts `strategy`
    /// (for `auto`: the cheapest exact strategy by count, or its calibration sweeps of up
    /// to 64 lanes when larger) above the cap; nil otherwise.
    static func overCap(_ strategy: any JacobianStrategy, on shape: JacobianShape, limits: RunLimits) -> String? {
        guard let cap = limits.memoryCap else { return nil }
        let bounded = (strategy as? MemoryBoundedAuto).map { MemoryBoundedAuto.bounded(cheapestExactStrategy(on: shape), on: shape, budgetBytes: $0.budgetBytes).strategy } ?? strategy
        var peak = JacobianCostModel.predict(bounded, on: shape).peakBytes
        if strategy is MemoryBoundedAuto {
            // auto's calibration sweeps up to 64 lanes forward and backward, unchunked.
            let lanes = min(max(shape.inputCount, shape.outputCount), 64)
            let calibration = shape.bytesPerLane * lanes + shape.fixedBytes + 8 * lanes * (shape.inputCount + shape.outputCount)
            peak = max(peak, calibration)
        }
        guard peak > cap else { return nil }
        return "predicted peak \(RunLimits.describe(bytes: peak)) > memory-cap \(RunLimits.describe(bytes: cap))"
    }

    /// The cost model's cheapest exact strategy on `shape`, as a strategy.
    static func cheapestExactStrategy(on shape: JacobianShape) -> any JacobianStrategy {
        (try? JacobianStrategyCatalog.strategy(named: JacobianCostModel.cheapestExact(on: shape).strategy)) ?? ForwardVectorized()
    }

    /// Metrics for strategies the limits changed or skipped: `.chunk` (lanes per sweep
    /// chosen by `chunk-above`) and `.skipped` (the reason).
    var limitMetrics: [Metric] {
        entries.flatMap { entry -> [Metric] in
            var metrics: [Metric] = []
            if let chunk = entry.defaultChunk { metrics.append(.count("jacobian.\(entry.label).chunk", chunk)) }
            if let reason = entry.skipped { metrics.append(.text("jacobian.\(entry.label).skipped", reason)) }
            return metrics
        }
    }

    /// "predicted 3.2 min per run > 40 s left of time-budget 2 min" when the cost model
    /// (times `forwardSeconds`, one forward pass of the map) puts one run of the entry past
    /// what is left of the case's time budget, else nil.
    func overBudget(_ entry: Entry, forwardSeconds: Double, subject: EvaluationSubject) -> String? {
        guard let budget = subject.limits.timeBudget else { return nil }
        let predicted = predictedSeconds(entry, forwardSeconds: forwardSeconds)
        let left = budget - subject.caseClock.elapsedSeconds
        guard predicted > left else { return nil }
        return "predicted \(RunLimits.describe(seconds: predicted)) per run > \(RunLimits.describe(seconds: max(left, 0))) left of time-budget \(RunLimits.describe(seconds: budget))"
    }

    /// Seconds one run of the entry is predicted to take: the cost model's units (for `auto`:
    /// of the cheapest exact strategy, chunked as the limits chunk it) times `forwardSeconds`,
    /// one forward pass of the map.
    func predictedSeconds(_ entry: Entry, forwardSeconds: Double) -> Double {
        let strategy = (entry.strategy as? MemoryBoundedAuto).map { MemoryBoundedAuto.bounded(Self.cheapestExactStrategy(on: shape), on: shape, budgetBytes: $0.budgetBytes).strategy } ?? entry.strategy
        return JacobianCostModel.predict(strategy, on: shape).forwardPassUnits * forwardSeconds
    }

    /// "case time budget 2 min spent (2.1 min elapsed)" once the case's time budget is
    /// used up (strategies not yet run are then skipped), else nil.
    static func budgetSpent(_ subject: EvaluationSubject) -> String? {
        guard let budget = subject.limits.timeBudget else { return nil }
        let elapsed = subject.caseClock.elapsedSeconds
        guard elapsed > budget else { return nil }
        return "time-budget \(RunLimits.describe(seconds: budget)) spent (\(RunLimits.describe(seconds: elapsed)) elapsed)"
    }

    /// Metrics for strategies that cannot run here.
    var notApplicableMetrics: [Metric] {
        entries.compactMap { entry in entry.notApplicable.map { .text("jacobian.\(entry.label).not_applicable", $0) } }
    }
}
