import Datasets
import Foundation
import Jacobians
import LinearAlgebra
import Solvers

/// `evaluation: [{kind: fit}]` — how the fit went: final cost, iterations, status,
/// evaluation counts, training and test RMSE, and the fit's wall time (total and split into
/// residual, Jacobian, Gram, factorization, linear-solve and other time, each also per
/// iteration; `auto`'s one-time calibration and the covariance at the end whole, as
/// `fit.calibration_us` and `fit.covariance_us`), and `fit.time_over_kernels`: the iterations'
/// time (the fit without those two) over their kernel time.
public enum FitEvaluation: EvaluationStage {
    /// No options.
    public struct Configuration: DeclaredStageConfiguration {
        /// No options.
        public init() {}
        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = []
    }

    /// `fit`.
    public static let kind = "fit"
    /// One line.
    public static let summary = "fit metrics: final cost, iterations, status, train/test RMSE, fit time"

    /// False: the metrics come from the fit and from residual evaluations.
    public static func formsJacobian(_ configuration: Configuration) -> Bool { false }

    /// Reports the solver's outcome (or the cost at the initial parameters without a solver).
    public static func evaluate(_ context: StageContext<Configuration>, subject: EvaluationSubject) throws -> EvaluationResult {
        var metrics: [Metric] = []
        let trainRMSE = rootMeanSquare(of: subject.residuals, at: subject.parameters)
        if let fit = subject.fit {
            metrics += [
                .deterministic("fit.final_cost", fit.finalCost),
                .count("fit.iterations", fit.iterations),
                .text("fit.status", fit.status),
                .count("fit.residual_evaluations", fit.residualEvaluations),
                .count("fit.jacobian_evaluations", fit.jacobianEvaluations),
                .text("fit.jacobian_strategy", fit.jacobianStrategy),
            ]
            if !fit.normalEquations.isEmpty {
                metrics.append(.text("fit.normal_equations", fit.normalEquations))
                metrics.append(.count("fit.structured_assemblies", fit.structuredAssemblies))
            }
            for (name, seconds) in fit.timingsSeconds.sorted(by: { $0.key < $1.key }) {
                metrics.append(.timing("fit.\(name)_us", seconds * 1e6))
                // Per iteration: the scaling experiment's Jacobian-vs-solve split (steady state:
                // the one-time calibration is only reported whole).
                if fit.iterations > 0, name != "total", name != "calibration", name != "covariance" {
                    metrics.append(.timing("fit.\(name)_us_per_iteration", seconds * 1e6 / Double(fit.iterations)))
                }
            }
            if let ratio = fit.timeOverKernels { metrics.append(.timing("fit.time_over_kernels", ratio)) }
            metrics += convergenceMetrics(fit)
            if let change = fit.linearSolverSwitch { metrics.append(.text("fit.linear_solver_switch", change)) }
            if let damping = fit.damping { metrics.append(.text("fit.damping", damping)) }
            if let loss = fit.loss { metrics.append(.text("fit.loss", loss)) }
            if let note = fit.covarianceNote { metrics.append(.text("fit.covariance", note)) }
            if let statistics = fit.matrixFree { metrics += matrixFreeMetrics(statistics) }
            if let teacherCost = subject.data.split.teacherCost { metrics += teacherCostMetrics(fit, teacherCost: teacherCost) }
        } else {
            let cost = 0.5 * trainRMSE * trainRMSE * Double(subject.residuals.outputCount)
            metrics += [.deterministic("fit.final_cost", cost), .count("fit.iterations", 0), .text("fit.status", "no-solver")]
        }
        if let seconds = subject.fitSeconds { metrics.append(.timing("fit.time_us", seconds * 1e6)) }
        metrics += [.count("fit.parameters", subject.residuals.inputCount), .count("fit.residuals", subject.residuals.outputCount)]
        metrics.append(.deterministic("fit.train_rmse", trainRMSE))
        if let test = subject.data.test {
            let testMap = try subject.model.residualMap(on: test)
            metrics.append(.deterministic("fit.test_rmse", rootMeanSquare(of: testMap, at: subject.parameters)))
        }
        // A fit whose `auto` decided by timing (jacobian.auto: {calibrate: true}) may take
        // another path on another run: none of its numbers is reproducible to the bit.
        if let fit = subject.fit, fit.jacobianStrategy.hasPrefix("auto"), subject.jacobian.autoCalibrates {
            for index in metrics.indices { metrics[index].kind = .timing }
        }
        // A fit cut short by `max-time` stopped wherever the clock said: nothing of it repeats.
        if subject.fit?.status == FitStatus.timeLimit.rawValue {
            for index in metrics.indices { metrics[index].kind = .timing }
        }
        // What the solver's `auto` decided, each metric of its own kind (fit.auto.mode stays
        // deterministic; a calibrated choice and its unit costs are timing).
        metrics += subject.fit?.autoMetrics ?? []
        return EvaluationResult(metrics: metrics)
    }

    /// The cost multiples of the teacher cost whose first crossing is reported.
    static let teacherCostMultiples: [(label: String, factor: Double)] = [("1_05", 1.05), ("1_02", 1.02), ("1_01", 1.01)]
    /// The wall time within which the lowest accepted cost is reported.
    static let lowestCostWindowSeconds = 60.0

    /// Against ``DatasetSplit/teacherCost`` (data drawn from a known network): the final cost over
    /// it (`fit.cost_over_teacher`, deterministic); for 1.05, 1.02 and 1.01 × teacher cost the
    /// accepted iterations to reach it (`fit.teacher.iterations_to_1_02`, deterministic) and the
    /// time from solver start (`fit.teacher.time_to_1_02_us`, timing), both absent when never
    /// reached; and the lowest accepted cost stamped within 60 s of solver start
    /// (`fit.cost_within_60s`, timing: another machine reaches another cost).
    static func teacherCostMetrics(_ fit: FitOutcome, teacherCost: Double) -> [Metric] {
        guard teacherCost > 0, teacherCost.isFinite else { return [] }
        var metrics: [Metric] = [.deterministic("fit.cost_over_teacher", fit.finalCost / teacherCost)]
        guard let costColumn = fit.traceColumns.firstIndex(of: "cost"), let acceptedColumn = fit.traceColumns.firstIndex(of: "accepted"),
              let timeColumn = fit.traceColumns.firstIndex(of: "elapsed_seconds"), let iterationColumn = fit.traceColumns.firstIndex(of: "iteration")
        else { return metrics }
        let accepted = fit.trace.filter { $0[acceptedColumn] == 1 }
        for (label, factor) in teacherCostMultiples {
            guard let first = accepted.first(where: { $0[costColumn] <= factor * teacherCost }) else { continue }
            metrics.append(.count("fit.teacher.iterations_to_\(label)", Int(first[iterationColumn])))
            metrics.append(.timing("fit.teacher.time_to_\(label)_us", first[timeColumn] * 1e6))
        }
        let withinWindow = accepted.filter { $0[timeColumn] <= lowestCostWindowSeconds }.map { $0[costColumn] }
        if let lowest = withinWindow.min() { metrics.append(.timing("fit.cost_within_60s", lowest)) }
        return metrics
    }

    /// A matrix-free fit's inner solves: `fit.linear_solver`, `fit.matrix_free_reason`,
    /// `fit.preconditioner`, `fit.forcing`, the resolved `fit.scaling`, `fit.initial_damping` and
    /// `fit.backtracking_steps`, `fit.inner_iterations` and `fit.inner_stops` (deterministic), the products made and their
    /// time per J̃ᵀJ̃·v with its rate (`fit.gauss_newton_product_us`, `…_gflops`, timing) against
    /// this machine's one-thread DGEMM rate measured now (1024³, median of 5:
    /// `fit.dgemm_gflops`, `fit.gauss_newton_product_over_dgemm`), and the operator's workspace.
    static func matrixFreeMetrics(_ statistics: MatrixFreeStatistics) -> [Metric] {
        var metrics: [Metric] = [
            .text("fit.linear_solver", statistics.linearSolver),
            .text("fit.matrix_free_reason", statistics.reason),
            .text("fit.preconditioner", statistics.preconditioner ?? "jacobi"),
            .text("fit.forcing", statistics.forcing ?? "eisenstat-walker"),
            .text("fit.scaling", statistics.scaling),
            .deterministic("fit.initial_damping", statistics.initialDamping),
            .count("fit.inner_iterations", statistics.innerIterations),
            .count("fit.backtracking_steps", statistics.backtrackingSteps ?? 0),
            .count("fit.backtracked_steps", statistics.backtrackedSteps ?? 0),
            .text("fit.inner_stops", statistics.innerStops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")),
            .count("fit.jacobian_vector_products", statistics.products),
            .count("fit.transposed_products", statistics.transposedProducts),
            .count("fit.operator_workspace_bytes", statistics.workspaceBytes),
        ]
        let seconds = statistics.secondsPerGaussNewtonProduct
        if seconds.isFinite {
            metrics.append(.timing("fit.gauss_newton_product_us", seconds * 1e6))
            if statistics.gaussNewtonProductFlops.isFinite {
                let rate = statistics.gaussNewtonProductFlops / seconds / 1e9
                let gemmRate = GEMMRate.measure()
                metrics.append(.timing("fit.gauss_newton_product_gflops", rate))
                metrics.append(.timing("fit.dgemm_gflops", gemmRate))
                metrics.append(.timing("fit.gauss_newton_product_over_dgemm", rate / gemmRate))
            }
        }
        return metrics
    }

    /// √(Σ rᵢ² / m) of `map` at `point`.
    static func rootMeanSquare(of map: any DifferentiableMap, at point: [Double]) -> Double {
        var residuals: [Double] = []
        map.evaluate(at: point, into: &residuals)
        guard !residuals.isEmpty else { return 0 }
        return (residuals.reduce(0) { $0 + $1 * $1 } / Double(residuals.count)).squareRoot()
    }

    /// `fit.converged` (1 or 0, deterministic), `fit.convergence` (why, in words), `fit.rank`
    /// and `fit.covariance_condition` (κ₂(J) at the end, ∞ when rank deficient) and
    /// `fit.scaled_gradient`, from the solver's test of the end (``FitConvergence``); without
    /// one, `fit.converged` is 0 with the reason that the end was not tested.
    static func convergenceMetrics(_ fit: FitOutcome) -> [Metric] {
        guard let convergence = fit.convergence else {
            return [.count("fit.converged", 0), .text("fit.convergence", "not tested (no Jacobian at the end: covariance off or a first-order solver); status \(fit.status)")]
        }
        var metrics: [Metric] = [
            .count("fit.converged", convergence.converged ? 1 : 0),
            .text("fit.convergence", convergence.reason),
        ]
        if let rank = convergence.rank { metrics.append(.count("fit.rank", rank)) }
        if let condition = convergence.condition { metrics.append(.deterministic("fit.covariance_condition", condition)) }
        if let gradient = convergence.scaledGradient { metrics.append(.deterministic("fit.scaled_gradient", gradient)) }
        return metrics
    }
}
