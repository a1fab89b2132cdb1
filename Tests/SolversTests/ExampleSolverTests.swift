import LinearAlgebra
import Testing
@testable import Solvers

// The worked example of docs/EXTENDING.md, "A solver": Levenberg's method with a damping
// multiplied by 10 on a rejected step and divided by 10 on an accepted one. A solver in
// Sources/Solvers is this file plus one line in `LeastSquaresSolverCatalog.registered`.

/// Levenberg's method: solve (JᵀJ + λI)·p = −Jᵀr, accept x + p when it lowers the cost.
struct ExampleLevenberg: LeastSquaresSolver {
    static let kind = "example-levenberg"

    /// The shared stopping limits (manifest keys `max-iterations`, `max-evaluations`, `gtol`,
    /// `target-cost`, `max-time`) and nothing else.
    struct Configuration: Codable, Sendable, Equatable, StoppingLimits {
        var maximumIterations = 500
        var maximumEvaluations = 5_000
        var gtol = 1e-10
        var targetCost: Double?
        var maximumSeconds: Double?
        init() {}
    }

    var configuration: Configuration
    init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    static let linearizesEachIteration = true

    func fit(_ problem: LeastSquaresProblem) -> FitResult {
        if let reason = problem.validationFailure(for: Self.self) { return FitRun.invalid(solver: Self.kind, problem: problem, reason: reason) }
        let limits = configuration, run = FitRun(problem: problem)
        let m = run.residualCount, n = run.parameterCount
        var x = run.initialFreeParameters, trialX = x
        var residual = [Double](repeating: 0, count: m), trialResidual = residual
        var jacobian = Matrix(rows: m, columns: n)
        var gradient = [Double](repeating: 0, count: n), step = gradient
        let identity = [Double](repeating: 1, count: n)
        let system = QRDampedSystem()
        var iterations = 0
        func finish(_ cost: Double, _ initialCost: Double, _ gradientNorm: Double, _ status: FitStatus, _ message: String) -> FitResult {
            run.result(
                solver: Self.kind, usesJacobian: true, point: x, cost: cost, initialCost: initialCost, iterations: iterations,
                gradientNorm: gradientNorm, status: status, message: message, covariance: false, jacobianAtSolution: nil)
        }
        guard var cost = run.cost(at: x, residual: &residual) else {
            return finish(.nan, .nan, .nan, .nonFiniteResiduals, "the residuals at the start are not finite")
        }
        let initialCost = cost
        if let stop = limits.noStepAllowed { return finish(cost, initialCost, .nan, stop.status, stop.message) }
        var damping = 1e-3
        while true {
            if problem.isCancelled { return finish(cost, initialCost, .nan, .cancelled, LeastSquaresProblem.cancellationMessage) }
            if let stop = limits.timeLimitStop(elapsedSeconds: run.elapsed) { return finish(cost, initialCost, .nan, stop.status, stop.message) }
            if let target = limits.targetCost, cost <= target { return finish(cost, initialCost, .nan, .targetCostReached, "cost at most target-cost") }
            guard run.jacobian(at: x, into: &jacobian) else { return finish(cost, initialCost, .nan, .nonFiniteJacobian, "the Jacobian is not finite") }
            multiply(jacobian, residual, transposeA: .transposed, into: &gradient)
            let gradientNorm = maximumMagnitude(gradient)
            if gradientNorm <= limits.gtol { return finish(cost, initialCost, gradientNorm, .gradientBelowTolerance, "‖Jᵀr‖∞ at most gtol") }
            if iterations >= limits.maximumIterations { return finish(cost, initialCost, gradientNorm, .maximumIterations, "reached max-iterations") }
            if run.residualEvaluations >= limits.maximumEvaluations {
                return finish(cost, initialCost, gradientNorm, .maximumEvaluations, "reached max-evaluations")
            }
            _ = system.factor(jacobian: jacobian, residual: residual, gradient: gradient, diagonal: identity)
            system.solve(damping: damping, diagonal: identity, into: &step)
            for j in 0..<n { trialX[j] = x[j] + step[j] }
            let trialCost = run.cost(at: trialX, residual: &trialResidual)
            let accepted = trialCost.map { $0 < cost } ?? false
            iterations += 1
            run.record(iteration: iterations, cost: accepted ? trialCost! : cost, damping: damping, stepNorm: euclideanNorm(step),
                       gradientNorm: gradientNorm, accepted: accepted)
            if accepted {
                swap(&x, &trialX)
                swap(&residual, &trialResidual)
                cost = trialCost!
                damping /= 10
            } else {
                damping *= 10
            }
        }
    }
}

/// The example passes the solver conformance kit, as every registered solver must.
@Suite struct ExampleSolverTests {
    @Test(arguments: ["rosenbrock", "helical-valley"]) func theExampleSolverPassesTheKit(problemName: String) throws {
        let problem = try #require(mghProblems.first { $0.name == problemName })
        let report = LeastSquaresSolverConformance.check(ExampleLevenberg.self, on: problem.make(), from: problem.start)
        #expect(report.passed, "\(report)")
        let control = try #require(report.control)
        #expect(control.status.isConverged && control.cost < 1e-20, "\(control.status) \(control.cost)")
    }
}
