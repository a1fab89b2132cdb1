import Datasets
import Foundation
import Jacobians
import LinearAlgebra
import Solvers
import YAMLDecoding

/// A case's predicted time and memory before it runs: ``JacobianCostModel`` counts times one
/// forward pass of the case's own map, timed here (best of 3), and for solvers a dense-solve
/// term at a multiply-add rate timed once per process.
///
/// - `jacobian-timing`: per strategy, what its ``TimingLoop`` spends at the predicted call
///   time (``timingSeconds(once:repeats:warmup:maxSeconds:)``); plus its forward-pass timing.
/// - `jacobian-accuracy`: one run of every strategy and of the reference.
/// - LM / Gauss-Newton: iterations (``expectedIterations(_:)``) × (one Jacobian by the
///   solver's strategy, 2 evaluations, the linear algebra of ``solveSeconds(rows:columns:qr:)``:
///   the normal equations or, with `linear-solver: qr`, two QRs of the stacked system); with
///   `linear-solver: cg` or `lsmr`, iterations × ``matrixFreeIterationForwardPasses`` forward
///   passes; first-order solvers: iterations × (one single-lane pullback + 2 evaluations). A
///   solver's `max-time` caps its share (plus one iteration).
/// - Every case: its data and model built (timed while estimating) and ``perCaseSeconds``.
/// - Other evaluations: nothing.
///
/// A case is skipped when even its minimum (``minimumSeconds``) exceeds `time-budget`;
/// strategies whose single run is predicted over the budget are skipped inside it.
///
/// The minimum peak is what the case cannot run without beyond its data and model (checked
/// when the case is planned), by how its stages differentiate the residual map
/// (``JacobianBudget/derivativeUse(_:problem:)``): when some stage forms J, the cheapest
/// (chunked) exact strategy's predicted peak; when the widest use sweeps all samples at once (a
/// matrix-free or first-order fit), the map's buffers for a single-lane sweep over every sample
/// (``JacobianShape/singleLaneSweepBytes``: a network's activations, derivatives and one lane);
/// nothing when the fit only sums normal equations the map assembles over sample blocks, or
/// nothing differentiates. With `jacobian-accuracy`, plus two more M × N matrices (the
/// reference and the difference).
struct CaseEstimate: Sendable {
    /// The Jacobian the case's evaluations differentiate.
    var shape: JacobianShape
    /// One forward pass of that map, seconds.
    var forwardSeconds: Double
    /// Predicted wall time of the whole case, seconds (solvers at their expected iterations;
    /// strategies predicted over the time budget for one run left out, as they will be skipped).
    var seconds: Double
    /// Predicted time the case cannot run in less: the cheapest exact strategy once per
    /// Jacobian evaluation (and the reference once), one solver iteration.
    var minimumSeconds: Double
    /// Predicted bytes the case needs at least.
    var minimumPeakBytes: Int
    /// What ``minimumPeakBytes`` is made of, for messages.
    var minimumPeakDetail: String

    /// Builds the case's data and model (no solver) and estimates it; `forwardSeconds` replaces
    /// the timed forward pass and the build's own time (tests compare estimates without timing).
    /// A case whose derivatives will not fit its memory budget (``JacobianBudget/excess(for:residuals:shape:budget:)``)
    /// is refused when it runs: its forward pass is not timed, and it is estimated at its build.
    static func build(_ plannedCase: PlannedCase, forwardSeconds: Double? = nil) throws -> CaseEstimate {
        let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory)
        let clock = Stopwatch()
        let data = try plannedCase.data.run(environment, ())
        let model = try plannedCase.model.run(environment, data)
        let residuals = try model.residualMap(on: data.training)
        // The run builds them again: their time, measured here, is part of the case's.
        let buildSeconds = clock.elapsedSeconds
        let problem = JacobianBudget.fitProblem(plannedCase, data: data, model: model, residuals: residuals)
        let derivativeUse = JacobianBudget.derivativeUse(plannedCase, problem: problem)
        let refused = JacobianBudget.excess(
            for: derivativeUse, residuals: residuals, shape: problem.jacobianShape, budget: plannedCase.memoryBudget) != nil
        var estimate = try estimate(
            plannedCase, data: data, model: model, residuals: residuals, derivativeUse: derivativeUse,
            forwardSeconds: forwardSeconds ?? (refused ? 0 : nil))
        if refused { (estimate.seconds, estimate.minimumSeconds) = (0, 0) }
        estimate.seconds += (forwardSeconds == nil ? buildSeconds : 0) + perCaseSeconds
        return estimate
    }

    /// Estimates a case whose data and model are built (one forward pass timed here unless
    /// `forwardSeconds` gives it); `derivativeUse`: how its stages differentiate the residual map
    /// (``JacobianBudget/derivativeUse(_:problem:)``), which decides the minimum peak.
    static func estimate(
        _ plannedCase: PlannedCase, data: LoadedData, model: any FittableModel, residuals: any DifferentiableMap,
        derivativeUse: ResidualDerivativeUse? = .jacobian, forwardSeconds: Double? = nil
    ) throws -> CaseEstimate {
        var subject = EvaluationSubject(
            data: data, model: model, residuals: residuals, parameters: model.initialParameters, fit: nil, jacobian: plannedCase.jacobian)
        subject.limits = plannedCase.limits
        let selection = try JacobianSelection(subject: subject)
        let shape = selection.shape
        var output: [Double] = []
        let forward = forwardSeconds ?? bestTime { selection.map.evaluate(at: selection.point, into: &output) }
        func seconds(_ strategy: any JacobianStrategy) -> Double {
            JacobianCostModel.predict(strategy, on: shape).forwardPassUnits * forward
        }
        let budget = plannedCase.limits.timeBudget ?? .infinity
        // Strategies predicted over the whole budget for one run are skipped when the case runs.
        let running = selection.entries.filter { $0.runs && seconds($0.strategy) <= budget }
        let cheapestSeconds = seconds(JacobianSelection.cheapestExactStrategy(on: shape))
        var total = 0.0, minimum = forward
        for evaluation in plannedCase.evaluations {
            switch evaluation.kind {
            case JacobianTimingEvaluation.kind:
                let repeats = number(evaluation.resolved, "repeats") ?? 20
                let warmup = number(evaluation.resolved, "warmup") ?? 2
                let perStrategy = number(evaluation.resolved, "max-seconds") ?? 2
                total += timingSeconds(once: forward, repeats: repeats, warmup: warmup, maxSeconds: perStrategy)
                for entry in running {
                    total += timingSeconds(once: seconds(entry.strategy), repeats: repeats, warmup: warmup, maxSeconds: perStrategy)
                }
                minimum += cheapestSeconds
            case JacobianAccuracyEvaluation.kind:
                total += seconds(selection.reference) + running.reduce(0) { $0 + seconds($1.strategy) }
                minimum += seconds(selection.reference) + cheapestSeconds
            default:
                break
            }
        }
        let residualShape = plannedCase.jacobian.withRespectTo == .parameters
            ? shape : model.jacobianShape(on: data.training, variables: .parameters) ?? JacobianShape(map: residuals)
        if let solver = plannedCase.solver {
            let iterations = expectedIterations(solver.resolved)
            let n = Double(residuals.inputCount), m = Double(residuals.outputCount)
            let linearSolver = text(solver.resolved, "linear-solver")
            let iterationSeconds: Double
            switch LeastSquaresSolverCatalog.registeredType(kind: solver.kind)?.linearizesEachIteration ?? false {
            case true where linearSolver == "cg" || linearSolver == "lsmr":
                iterationSeconds = Self.matrixFreeIterationForwardPasses * forward
            case true:
                let name = text(solver.resolved, "jacobian") ?? "auto"
                let strategy = (try? JacobianStrategyCatalog.strategy(named: name)) ?? ForwardVectorized()
                let jacobian = JacobianCostModel.predict(strategy, on: residualShape).forwardPassUnits * forward
                let solve = solveSeconds(rows: m, columns: n, qr: linearSolver == "qr")
                iterationSeconds = jacobian + 2 * forward + solve
            case false:
                iterationSeconds = (3 + residualShape.laneWork) * forward
            }
            // `max-time` caps the fit (it stops at the first check past the cap: one more iteration).
            let cap = number(solver.resolved, "max-time").map { $0 + iterationSeconds } ?? .infinity
            total += min(iterations * iterationSeconds, cap)
            minimum += min(iterationSeconds, cap)
        }
        let cheapest = MemoryBoundedAuto.bounded(
            JacobianSelection.cheapestExactStrategy(on: shape), on: shape, budgetBytes: plannedCase.limits.chunkBudget).strategy
        var peak: Int, detail: String
        switch derivativeUse {
        case .jacobian:
            (peak, detail) = (JacobianCostModel.predict(cheapest, on: shape).peakBytes, "\(cheapest.name) (the cheapest exact strategy)")
        case .wholeBatchSweeps:
            (peak, detail) = (residualShape.singleLaneSweepBytes, "single-lane sweeps over all samples at once (no stage forming J)")
        case .sampleBlocks, nil:
            (peak, detail) = (0, "no stage forming J or sweeping all samples at once")
        }
        if plannedCase.evaluations.contains(where: { $0.kind == JacobianAccuracyEvaluation.kind }) {
            peak += 2 * shape.outputCount * shape.inputCount * MemoryLayout<Double>.stride
            detail += " and the reference and difference, two \(shape.outputCount) × \(shape.inputCount) matrices"
        }
        return CaseEstimate(
            shape: shape, forwardSeconds: forward, seconds: total, minimumSeconds: minimum, minimumPeakBytes: peak, minimumPeakDetail: detail)
    }

    /// Seconds ``TimingLoop`` spends on a strategy whose calls take `once` seconds: one call
    /// when that is over `maxSeconds` (timed once); else the warm-up calls that start within
    /// `maxSeconds`, then repeats until `maxSeconds` is spent after at least 3 (or all of them).
    static func timingSeconds(once: Double, repeats: Double, warmup: Double, maxSeconds: Double) -> Double {
        guard once > 0 else { return 0 }
        if once > maxSeconds { return once }
        let warmupCalls = min(warmup, (maxSeconds / once).rounded(.down) + 1)
        let spentInWarmup = warmupCalls * once
        // Repeats until the spent time passes maxSeconds, at least 3, at most `repeats`.
        let untilSpent = max(((maxSeconds - spentInWarmup) / once).rounded(.down) + 1, 0)
        let timed = min(repeats, max(3, untilSpent))
        return spentInWarmup + timed * once
    }

    /// Forward passes of one matrix-free LM iteration: 25 inner iterations of one J·v and one
    /// Jᵀu (about four forward passes together), the linearization (a forward sweep, Jᵀr and
    /// diag(JᵀJ): five) and two trial evaluations.
    static let matrixFreeIterationForwardPasses = 25.0 * 4 + 5 + 2

    /// Iterations a solver is expected to run: `max-iterations` (100 when unset), a quarter of
    /// it when a `target-cost` is set (measured on optimizers: LM 19 and Gauss-Newton 42 of
    /// 500, L-BFGS 396 of 5,000, Adam 3,883 of 20,000 iterations to the target).
    static func expectedIterations(_ solver: YAMLNode) -> Double {
        let limit = number(solver, "max-iterations") ?? 100
        guard let target = number(solver, "target-cost"), target > 0 else { return limit }
        return (limit / 4).rounded(.up)
    }

    /// Seconds of one LM / Gauss-Newton iteration's linear algebra for an m × n Jacobian:
    /// with `qr`, two Householder QRs of the (m + n) × n stacked system ((m + n)·n² − n³/3
    /// multiply-adds each, one per λ trial); otherwise the normal equations — the Gram matrix
    /// of the smaller side (min²·max / 2, JᵀJ or the dual J·Jᵀ when n > m) and two Cholesky
    /// factorizations (min³ / 3 each) — at ``multiplyAddsPerSecond``.
    static func solveSeconds(rows m: Double, columns n: Double, qr: Bool) -> Double {
        if qr { return 2 * ((m + n) * n * n - n * n * n / 3) / multiplyAddsPerSecond }
        let small = min(m, n), large = max(m, n)
        return (small * small * large / 2 + 2 * small * small * small / 3) / multiplyAddsPerSecond
    }

    /// Why the case should not run under `limits`, nil when it fits.
    func skipReason(under limits: RunLimits) -> String? {
        if let cap = limits.memoryCap, minimumPeakBytes > cap {
            return "predicted peak \(RunLimits.describe(bytes: minimumPeakBytes)) for \(minimumPeakDetail) > memory-cap \(RunLimits.describe(bytes: cap))"
        }
        if let budget = limits.timeBudget, minimumSeconds > budget {
            return "predicted at least \(RunLimits.describe(seconds: minimumSeconds)) (cheapest exact strategy, cost model × forward pass \(ValueText.microseconds(forwardSeconds * 1e6))) > time-budget \(RunLimits.describe(seconds: budget))"
        }
        return nil
    }

    /// Metrics a skipped case still records: its shape and predictions.
    var metrics: [Metric] {
        [
            .count("jacobian.rows", shape.outputCount), .count("jacobian.columns", shape.inputCount),
            .count("memory.predicted_minimum_bytes", minimumPeakBytes),
            .timing("estimate.seconds", seconds),
        ]
    }

    /// What every case costs besides its stages: its folder, metrics, timings and trace
    /// written, the progress line (measured: crossover's 49 cases).
    static let perCaseSeconds = 0.005

    /// Multiply-adds per second of a 128 × 128 matrix product on this machine (best of 3), timed once.
    static let multiplyAddsPerSecond: Double = {
        let size = 128
        let a = Matrix(rows: size, columns: size, elements: (0..<(size * size)).map { Double($0 % 7) - 3 })
        var c = Matrix(rows: size, columns: size)
        let seconds = bestTime { multiply(a, a, into: &c) }
        return Double(size * size * size) / max(seconds, 1e-9)
    }()

    /// Best of 3 after one warm-up call, seconds; a warm-up of at least ``longCallSeconds`` is
    /// the time itself (a forward pass over a huge map is not run four times for an estimate).
    static func bestTime(_ body: () -> Void) -> Double {
        let warmup = Stopwatch()
        body()
        var best = warmup.elapsedSeconds
        guard best < longCallSeconds else { return best }
        for _ in 0..<3 {
            let clock = Stopwatch()
            body()
            best = min(best, clock.elapsedSeconds)
        }
        return best
    }

    /// A call this long is timed once (``bestTime(_:)``).
    static let longCallSeconds = 0.5

    /// A numeric option of a resolved stage section.
    static func number(_ node: YAMLNode, _ key: String) -> Double? {
        guard case .scalar(let scalar)? = node[key] else { return nil }
        return Double(scalar.value)
    }

    /// A text option of a resolved stage section.
    static func text(_ node: YAMLNode, _ key: String) -> String? {
        guard case .scalar(let scalar)? = node[key] else { return nil }
        return scalar.value
    }
}
