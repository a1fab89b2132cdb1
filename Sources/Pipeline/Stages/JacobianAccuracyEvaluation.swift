import Jacobians
import LinearAlgebra

/// `evaluation: [{kind: jacobian-accuracy}]` — every strategy against the reference:
/// `jacobian.<s>.rel_error` = ‖J_s − J_ref‖_F / ‖J_ref‖_F, and the exact cost counters of
/// one computation (forward evaluations, pushforwards and tangent lanes, pullbacks and
/// cotangent lanes, workspace bytes); `jacobian.auto.choice` names what `auto` picked.
public enum JacobianAccuracyEvaluation: EvaluationStage {
    /// No options.
    public struct Configuration: DeclaredStageConfiguration {
        /// No options.
        public init() {}
        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = []
    }

    /// `jacobian-accuracy`.
    public static let kind = "jacobian-accuracy"
    /// One line.
    public static let summary = "relative error of every strategy against the reference, and exact cost counters"

    /// Computes each Jacobian once and compares it with the reference.
    public static func evaluate(_ context: StageContext<Configuration>, subject: EvaluationSubject) throws -> EvaluationResult {
        let selection = try JacobianSelection(subject: subject)
        var reference = Matrix(rows: 0, columns: 0)
        _ = try selection.reference.jacobian(of: selection.map, at: selection.point, into: &reference)
        let referenceNorm = reference.frobeniusNorm
        var metrics = selection.notApplicableMetrics + selection.limitMetrics
        metrics += [.count("jacobian.rows", selection.map.outputCount), .count("jacobian.columns", selection.map.inputCount)]
        var jacobian = Matrix(rows: 0, columns: 0)
        var difference = [Double]()
        var forwardSeconds = 0.0
        if subject.limits.timeBudget != nil {
            var output: [Double] = []
            forwardSeconds = CaseEstimate.bestTime { selection.map.evaluate(at: selection.point, into: &output) }
        }
        for entry in selection.entries where entry.runs {
            try context.checkCancellation()
            if let spent = JacobianSelection.budgetSpent(subject) ?? selection.overBudget(entry, forwardSeconds: forwardSeconds, subject: subject) {
                metrics.append(Metric(name: "jacobian.\(entry.label).accuracy_skipped", value: .string(spent), kind: .timing))
                continue
            }
            context.progress.note(entry.label)
            let cost = try entry.strategy.jacobian(of: selection.map, at: selection.point, into: &jacobian)
            difference.removeAll(keepingCapacity: true)
            for index in jacobian.elements.indices { difference.append(jacobian.elements[index] - reference.elements[index]) }
            let error = euclideanNorm(difference) / (referenceNorm > 0 ? referenceNorm : 1)
            let prefix = "jacobian.\(entry.label)."
            // `auto` decides from the cost model (or is pinned) unless it calibrates by timing.
            let reproducible = entry.strategy.name != "auto" || !subject.jacobian.autoCalibrates
            var entryMetrics: [Metric] = [
                .deterministic(prefix + "rel_error", error),
                .count(prefix + "forward_evaluations", cost.forwardEvaluations),
                .count(prefix + "pushforwards", cost.pushforwards),
                .count(prefix + "tangent_lanes", cost.tangentLanes),
                .count(prefix + "pullbacks", cost.pullbacks),
                .count(prefix + "cotangent_lanes", cost.cotangentLanes),
                .count(prefix + "workspace_bytes", cost.workspaceBytes),
            ]
            if !reproducible {
                for index in entryMetrics.indices { entryMetrics[index].kind = .timing }
            }
            if let decision = entry.autoDecision {
                entryMetrics += AutoDecisionMetrics.metrics(decision, mode: subject.jacobian.autoMode, prefix: prefix)
            }
            metrics += entryMetrics
        }
        return EvaluationResult(metrics: metrics)
    }
}
