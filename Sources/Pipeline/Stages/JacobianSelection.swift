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
        let variables: JacobianShape.Variables = settings.withRespectTo == .parameters ? .parameters : .inputs
        shape = subject.model.jacobianShape(on: subject.data.training, variables: variables) ?? JacobianShape(map: map)
        let requests = settings.strategies ?? JacobianStrategyCatalog.names.map { StrategyRequest(name: $0) }
        let map = self.map
        entries = try requests.map { request in
            let options = JacobianStrategyOptions(
                chunk: request.chunk, relativeStep: request.relativeStep, pinned: request.name == "auto" ? settings.auto : nil)
            let strategy = try JacobianStrategyCatalog.strategy(named: request.name, options: options)
            return Entry(label: request.label, strategy: strategy, notApplicable: strategy.inapplicabilityReason(for: map))
        }
        reference = try JacobianStrategyCatalog.strategy(named: settings.reference)
        if let reason = reference.inapplicabilityReason(for: map) {
            throw StrategyNotApplicable(strategy: settings.reference, reason: "the reference cannot run: \(reason)")
        }
    }

    /// Metrics for strategies that cannot run here.
    var notApplicableMetrics: [Metric] {
        entries.compactMap { entry in entry.notApplicable.map { .text("jacobian.\(entry.label).not_applicable", $0) } }
    }
}
