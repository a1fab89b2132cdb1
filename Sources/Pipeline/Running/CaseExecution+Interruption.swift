import Foundation

extension CaseExecution {
    /// Turns the record of a case interrupted after its solver returned into one that keeps
    /// the fit: runs the manifest's `fit` evaluations that had not run (they only read the fit
    /// and evaluate the residuals once; the cancellation flag is not asked), leaves the record
    /// `pending` — `--resume` reruns the case — and says in `error` where the run stopped and
    /// what is kept. Any solver's outcome is kept the same way, whatever its status (`cancelled`
    /// when the flag stopped it, its own when it had ended).
    ///
    /// - Parameters:
    ///   - evaluationsFinished: how many of the manifest's evaluations finished (their metrics
    ///     are in the record already).
    ///   - stage: the stage the run stopped in (`solver`, `evaluation.jacobian-timing`).
    static func keepingInterruptedFit(
        _ record: inout CaseRecord, subject: EvaluationSubject, evaluationsFinished: Int, plannedCase: PlannedCase, stage: String
    ) {
        guard let fit = record.fit else { return }
        let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory)
        for evaluation in plannedCase.evaluations.dropFirst(evaluationsFinished) where evaluation.kind == FitEvaluation.kind {
            guard let result = try? evaluation.run(environment, subject) else { continue }
            record.metrics += result.metrics
            record.timings += result.timings
        }
        record.status = .pending
        record.error = interruptionNote(stage: stage, fit: fit)
    }

    /// `solver: interrupted; the fit is kept as it stopped (status cancelled, 12 iterations,
    /// cost 3.214e-02) and --resume reruns the case`.
    static func interruptionNote(stage: String, fit: FitOutcome) -> String {
        let cost = String(format: "%.4g", fit.finalCost)
        return "\(stage): interrupted; the fit is kept as it stopped (status \(fit.status), \(fit.iterations) iteration\(fit.iterations == 1 ? "" : "s"), "
            + "cost \(cost)) and --resume reruns the case"
    }
}
