import Datasets
import Jacobians

/// Runs one planned case's stages in order — data, model, solver, evaluations — and
/// returns its record. Never throws for a stage failure (the record says `failed`).
///
/// Interrupted (the cancellation flag set: SIGINT, SIGTERM) once its solver has returned, the
/// case keeps the fit as it stopped — parameters, trace, weights, fit curve and the metrics of
/// its `fit` evaluations and of the evaluations that finished — in a record that stays
/// `pending` (so `--resume` reruns it) with the interruption in `error`
/// (``keepingInterruptedFit(_:subject:evaluationsFinished:plannedCase:stage:)``). Interrupted
/// before that, it throws ``RunCancelled``: there is nothing to keep.
public enum CaseExecution {
    /// Runs `plannedCase`; `stage` is told each stage's name as it starts.
    public static func run(
        _ plannedCase: PlannedCase, cancellation: CancellationFlag, progress: StageProgress = StageProgress(),
        stage: (String) -> Void = { _ in }
    ) throws -> CaseRecord {
        var record = CaseRecord.pending(plannedCase)
        let environment = StageEnvironment(
            seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory, progress: progress, cancellation: cancellation)
        let memoryReset = PeakMemory.reset()
        let caseClock = Stopwatch()
        var currentStage = "data"
        func timed<T>(_ name: String, _ work: () throws -> T) throws -> T {
            currentStage = name
            stage(name)
            try cancellation.check()
            let clock = Stopwatch()
            let value = try work()
            let microseconds = clock.elapsedSeconds * 1e6
            record.timings.append(TimingRow(
                name: "stage.\(name)", repeats: 1, medianMicroseconds: microseconds,
                minimumMicroseconds: microseconds, maximumMicroseconds: microseconds))
            return value
        }
        var subject: EvaluationSubject?
        var evaluationsFinished = 0
        if let reason = plannedCase.overMemoryBudget {
            record.status = .skipped
            record.error = reason
            record.elapsedSeconds = caseClock.elapsedSeconds
            return record
        }
        do {
            let data = try timed("data") { try plannedCase.data.run(environment, ()) }
            let model = try timed("model") { try plannedCase.model.run(environment, data) }
            record.parameterNames = model.parameterNames
            record.initialParameters = model.initialParameters
            record.metrics += [
                .text("data.hash", ContentHash.data(inputs: data.training.inputs.elements, targets: data.training.targets.elements)),
                .text("model.initial_parameters_hash", ContentHash.parameters(model.initialParameters)),
            ]
            if let teacherCost = data.split.teacherCost { record.metrics.append(.deterministic("data.teacher_cost", teacherCost)) }
            let residuals = try model.residualMap(on: data.training)
            var problem = JacobianBudget.fitProblem(plannedCase, data: data, model: model, residuals: residuals)
            let derivativeUse = JacobianBudget.derivativeUse(plannedCase, problem: problem)
            // Every Jacobian of this case is at least M × N doubles, and a sweep over all samples
            // at once holds the map's activations: refuse before allocating. Under limits the
            // estimate below says more (its peak includes them), unless J is too large for its
            // arithmetic.
            if let (reason, isJacobian) = JacobianBudget.excess(
                for: derivativeUse, residuals: residuals, shape: problem.jacobianShape, budget: plannedCase.memoryBudget),
               !plannedCase.limits.boundsCases || (isJacobian && !JacobianBudget.isCountable(residuals)) {
                guard plannedCase.limits.boundsCases else { throw JacobianBudget.Refusal(reason: reason) }
                record.status = .skipped
                record.error = reason
                record.elapsedSeconds = caseClock.elapsedSeconds
                return record
            }
            if plannedCase.limits.boundsCases {
                currentStage = "limits"
                let estimate = try CaseEstimate.estimate(
                    plannedCase, data: data, model: model, residuals: residuals, derivativeUse: derivativeUse)
                if let reason = estimate.skipReason(under: plannedCase.limits) {
                    record.status = .skipped
                    record.error = reason
                    record.metrics = estimate.metrics
                    record.elapsedSeconds = caseClock.elapsedSeconds
                    return record
                }
            }
            var parameters = model.initialParameters
            var fitSeconds: Double?
            let caseAuto = try plannedCase.jacobian.autoStrategy()
            if let solver = plannedCase.solver {
                let clock = Stopwatch()
                problem.caseAuto = caseAuto
                let outcome = try timed("solver") { try solver.run(environment, problem) }
                fitSeconds = clock.elapsedSeconds
                record.fit = outcome
                parameters = outcome.parameters
                record.fitCurve = model.residualsInTargetUnits ? Self.fitCurve(data: data.training, residuals: residuals, at: parameters) : nil
                record.fitCurveHasOneInput = data.training.inputCount == 1
                record.fitCurveTargets = data.training.targetCount > 1 ? data.training.targetNames : []
            }
            record.weights = model.exportedWeights(parameters: parameters)
            var evaluated = EvaluationSubject(
                data: data, model: model, residuals: residuals, parameters: parameters, fit: record.fit,
                jacobian: plannedCase.jacobian, fitSeconds: fitSeconds)
            evaluated.limits = plannedCase.limits
            evaluated.caseClock = caseClock
            evaluated.caseAuto = caseAuto
            subject = evaluated
            // A fit the flag stopped (or that ended as it was set) is not a finished case.
            try cancellation.check()
            for evaluation in plannedCase.evaluations {
                let result = try timed("evaluation.\(evaluation.kind)") { try evaluation.run(environment, evaluated) }
                record.metrics += result.metrics
                record.timings += result.timings
                evaluationsFinished += 1
            }
            record.status = .ok
        } catch let cancelled as RunCancelled {
            guard record.fit != nil, let subject else { throw cancelled }
            keepingInterruptedFit(&record, subject: subject, evaluationsFinished: evaluationsFinished, plannedCase: plannedCase, stage: currentStage)
        } catch {
            record.status = .failed
            record.error = "\(currentStage): \(error)"
        }
        let peak = PeakMemory.read(afterReset: memoryReset)
        record.metrics += [.timing("memory.peak_bytes", Double(peak.bytes)), Metric(name: "memory.peak_source", value: .string(peak.source), kind: .timing)]
        record.elapsedSeconds = caseClock.elapsedSeconds
        return record
    }

    /// Most samples a fit curve keeps (the report draws every one).
    static let fitCurveSamples = 5_000

    /// (x, observed y, fitted y = y + r) per sample and target (the residual map is
    /// r = f(x; θ) − y, unweighted, row s·p + d for sample s and target d), with the target's
    /// index as a fourth value when there are several: sorted by x for one input; for several
    /// inputs x is the sample's index (the report then draws fitted against observed). Nil for
    /// more than ``fitCurveSamples`` samples or a map of another shape.
    static func fitCurve(data: Dataset, residuals: any DifferentiableMap, at parameters: [Double]) -> [[Double]]? {
        let p = data.targetCount, samples = data.sampleCount
        guard data.inputCount >= 1, p >= 1, samples <= fitCurveSamples,
              residuals.outputCount == samples * p, residuals.inputCount == parameters.count
        else { return nil }
        var r: [Double] = []
        residuals.evaluate(at: parameters, into: &r)
        guard r.count == samples * p else { return nil }
        var rows: [[Double]] = []
        for sample in 0..<samples {
            let x = data.inputCount == 1 ? data.inputs[sample, 0] : Double(sample)
            for d in 0..<p {
                let observed = data.targets[sample, d]
                rows.append([x, observed, observed + r[sample * p + d]] + (p > 1 ? [Double(d)] : []))
            }
        }
        return data.inputCount == 1 ? rows.sorted { ($0[0], $0.count > 3 ? $0[3] : 0) < ($1[0], $1.count > 3 ? $1[3] : 0) } : rows
    }
}
