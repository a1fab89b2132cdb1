import Foundation
import Jacobians
import YAMLDecoding

/// What `jacobench advise` prints: every strategy's predicted cost on one case (counts,
/// forward-pass units and peak bytes from ``JacobianCostModel``), optionally its measured
/// median time (the `jacobian-timing` evaluation itself), and the recommendation.
///
/// The recommendation is `auto`'s decision on the case's own map and shape
/// (`AutoStrategy.decide`: by default the cost model's cheapest exact strategy, no timing;
/// by timing only when the manifest says `jacobian.auto: {calibrate: true}`), so advise and a
/// run's `auto` agree; the reason is phrased from the cost model's counts. Inexact strategies
/// are listed, never recommended.
public struct StrategyAdvice: Sendable {
    /// One strategy's line.
    public struct Row: Sendable {
        /// The manifest name.
        public var strategy: String
        /// Whether it is exact to rounding.
        public var isExact: Bool
        /// The cost model's prediction (nil when not applicable).
        public var prediction: JacobianCostPrediction?
        /// Why it cannot run on this model, from the catalog.
        public var notApplicable: String?
        /// Measured median, µs (with `--measure`).
        public var measuredMicroseconds: Double?
        /// Measured median in forward-pass units (with `--measure`).
        public var measuredForwardUnits: Double?
        /// Why it was not measured although applicable.
        public var notMeasured: String?
    }

    /// The case's Jacobian as the cost model sees it.
    public var shape: JacobianShape
    /// One row per catalog strategy, in catalog order.
    public var rows: [Row]
    /// The recommended strategy (`auto`'s choice).
    public var recommended: String
    /// The reason, one line.
    public var reason: String
    /// Measured forward pass, µs (with `--measure`).
    public var forwardMicroseconds: Double?

    /// How to measure: `jacobian-timing` options, and strategies left out of the measurement.
    public struct Measurement: Sendable {
        /// Timed repetitions per strategy.
        public var repeats: Int
        /// Time budget per strategy, seconds.
        public var maxSeconds: Double
        /// Strategies not measured (with the reason shown in their row).
        public var excluded: [String: String]

        /// Options; by default `swift-autodiff` (a reference implementation, about 300
        /// forward passes per Jacobian on the forum case) is left out.
        public init(repeats: Int = 20, maxSeconds: Double = 0.5, excluded: [String: String] = Measurement.referenceOnly) {
            self.repeats = repeats
            self.maxSeconds = maxSeconds
            self.excluded = excluded
        }

        /// `swift-autodiff` left out.
        public static let referenceOnly = ["swift-autodiff": "reference implementation (measure with --all)"]
    }

    /// Builds the case's data, model and map (no solver), predicts every strategy, asks
    /// `auto` for its decision and, when `measurement` is given, times every applicable
    /// strategy with the `jacobian-timing` evaluation.
    public static func advise(_ plannedCase: PlannedCase, measurement: Measurement? = nil, registry: PluginRegistry = .standard) throws -> StrategyAdvice {
        let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory)
        let data = try plannedCase.data.run(environment, ())
        let model = try plannedCase.model.run(environment, data)
        let residuals = try model.residualMap(on: data.training)
        var settings = plannedCase.jacobian
        settings.strategies = nil
        var subject = EvaluationSubject(
            data: data, model: model, residuals: residuals, parameters: model.initialParameters, fit: nil, jacobian: settings)
        let selection = try JacobianSelection(subject: subject)
        let auto = try settings.auto.map { try AutoStrategy(pinned: $0) } ?? AutoStrategy(calibrates: settings.autoCalibrates)
        let decision = try auto.decide(for: selection.map, at: selection.point, shape: selection.shape)

        var rows = selection.entries.map { entry in
            Row(strategy: entry.label, isExact: entry.strategy.isExact,
                prediction: entry.notApplicable == nil ? JacobianCostModel.predict(entry.strategy, on: selection.shape) : nil,
                notApplicable: entry.notApplicable)
        }
        if let index = rows.firstIndex(where: { $0.strategy == "auto" }) {
            rows[index].prediction = JacobianCostModel.predict(decision.strategy, on: selection.shape)
        }
        var forward: Double?
        if let measurement {
            let measured = rows.filter { $0.notApplicable == nil && measurement.excluded[$0.strategy] == nil }.map(\.strategy)
            subject.jacobian.strategies = measured.map { StrategyRequest(name: $0) }
            let text = "{kind: jacobian-timing, repeats: \(measurement.repeats), warmup: 1, max-seconds: \(measurement.maxSeconds)}"
            let stage = try registry.prepareEvaluation(try YAMLParser.parse(text, file: "jacobench advise --measure"), keyPath: ["evaluation[0]"])
            let result = try stage.run(environment, subject)
            let metrics = Dictionary(result.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
            forward = metrics["forward.median_us"]?.numberValue
            for index in rows.indices {
                let name = rows[index].strategy
                rows[index].measuredMicroseconds = metrics["jacobian.\(name).median_us"]?.numberValue
                rows[index].measuredForwardUnits = metrics["jacobian.\(name).forward_units"]?.numberValue
                if rows[index].notApplicable == nil, let reason = measurement.excluded[name] { rows[index].notMeasured = reason }
            }
        }
        let reason = Self.reason(
            chosen: decision, shape: selection.shape, predictions: rows.compactMap(\.prediction).filter { $0.strategy != "auto" },
            measured: rows.first { $0.strategy == decision.chosen })
        return StrategyAdvice(shape: selection.shape, rows: rows, recommended: decision.chosen, reason: reason, forwardMicroseconds: forward)
    }

    /// One line: why `chosen` is the strategy for `shape`, from the cost model's counts
    /// (e.g. "M = 576 > N = 84 and samples are independent: per-sample needs 3 sweeps"),
    /// noting when the cost model alone would rank another first and the measured time.
    static func reason(chosen decision: AutoDecision, shape: JacobianShape, predictions: [JacobianCostPrediction], measured: Row?) -> String {
        let prediction = JacobianCostModel.predict(decision.strategy, on: shape)
        var line = (decision.strategy as? any CatalogedJacobianStrategy)?.choiceReason(prediction, on: shape)
            ?? "\(shape.sizeRelation): \(decision.chosen) (\(decision.reason))"
        if decision.pinned { line += " (pinned by jacobian.auto)" }
        if !decision.pinned, shape.sampleCount == nil, decision.chosen != "per-sample" { line += "; samples are not independent" }
        let ranked = JacobianCostModel.cheapestExact(on: shape)
        if !decision.pinned, ranked.strategy != decision.chosen {
            line += decision.calibration != nil
                ? "; timed faster here than \(ranked.strategy), which the operation count ranks first"
                : "; \(ranked.strategy), which the operation count ranks first, cannot run on this map"
        }
        if let time = measured?.measuredMicroseconds, let units = measured?.measuredForwardUnits {
            line += "; measured \(ValueText.microseconds(time)) = \(ValueText.units(units)) forward passes"
        }
        return line
    }
}

/// Short renderings for advise's table.
enum ValueText {
    /// "56.1 µs", "4.57 ms", "1.2 s".
    static func microseconds(_ value: Double) -> String {
        if value < 1000 { return String(format: "%.3g µs", value) }
        if value < 1e6 { return String(format: "%.3g ms", value / 1e3) }
        return String(format: "%.3g s", value / 1e6)
    }

    /// "2.54", "169", "1.73k".
    static func units(_ value: Double) -> String {
        if value < 1000 { return String(format: "%.3g", value) }
        if value < 1e6 { return String(format: "%.3gk", value / 1e3) }
        return String(format: "%.3gM", value / 1e6)
    }

    /// "4.6 KiB", "2.0 GiB".
    static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var scaled = Double(value), index = 0
        while scaled >= 1024, index < units.count - 1 {
            scaled /= 1024
            index += 1
        }
        return index == 0 ? "\(value) B" : String(format: "%.1f ", scaled) + units[index]
    }
}
