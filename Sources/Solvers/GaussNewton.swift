import LinearAlgebra

/// Gauss-Newton with a backtracking (Armijo) line search: p solves min ‖J p + r‖ (pivoted
/// QR, rank-truncated when J is rank deficient; or the configured linear solver), then
/// x ← x + t p with t = 1, ½, ¼, … until ½‖r(x + tp)‖² ≤ ½‖r‖² + c₁ t pᵀJᵀr.
///
/// A baseline for LM: no damping, so it fails where J is nearly singular far from the solution.
public struct GaussNewton: LeastSquaresSolver {
    /// `gauss-newton`.
    public static let kind = "gauss-newton"
    /// True: each iteration forms J and solves a linear system.
    public static let linearizesEachIteration = true

    /// Settings; manifest keys are the kebab-case coding keys.
    public struct Configuration: Sendable, Codable, Equatable, StoppingLimits {
        /// `linear-solver`: `qr` (default), `svd` or `cholesky` (`auto` means `qr` here).
        public var linearSolver: LevenbergMarquardt.LinearSolver = .qr
        /// `ftol`: stop when the relative cost reduction of an accepted step is ≤ this.
        public var ftol: Double = 1e-15
        /// `xtol`: stop when ‖t p‖ ≤ xtol·(‖x‖ + xtol).
        public var xtol: Double = 1e-15
        /// `gtol`: stop when the largest cosine between r and a Jacobian column is ≤ this.
        public var gtol: Double = 1e-15
        /// `max-iterations`.
        public var maximumIterations: Int = 200
        /// `max-evaluations`: residual evaluations.
        public var maximumEvaluations: Int = 10_000
        /// `armijo`: c₁ of the sufficient-decrease test.
        public var armijo: Double = 1e-4
        /// `max-backtracks`: halvings of t before the line search fails.
        public var maximumBacktracks: Int = 40
        /// `target-cost`: stop (converged) once the cost is at most this.
        public var targetCost: Double?
        /// `max-time`: seconds from the solver's start; nil: no cap.
        public var maximumSeconds: Double?
        /// `covariance`: compute covariance and standard errors at the solution.
        public var covariance: Bool = true

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey, StoppingCodingKey {
            case ftol, xtol, gtol, armijo, covariance
            case linearSolver = "linear-solver"
            case maximumIterations = "max-iterations"
            case maximumEvaluations = "max-evaluations"
            case maximumBacktracks = "max-backtracks"
            case targetCost = "target-cost"
            case maximumSeconds = "max-time"
        }

        /// Decodes any subset of the keys; missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&linearSolver, forKey: .linearSolver)
            try c.update(&ftol, forKey: .ftol)
            try c.update(&xtol, forKey: .xtol)
            try c.updateStopping(&self)
            try c.update(&armijo, forKey: .armijo)
            try c.update(&maximumBacktracks, forKey: .maximumBacktracks)
            try c.update(&covariance, forKey: .covariance)
        }

        /// Encodes every key with the manifest names (an unset `max-time` as null, so
        /// `jacobench list` shows it) except an unset `target-cost`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(linearSolver, forKey: .linearSolver)
            try c.encode(ftol, forKey: .ftol)
            try c.encode(xtol, forKey: .xtol)
            try c.encodeStopping(self)
            try c.encode(armijo, forKey: .armijo)
            try c.encode(maximumBacktracks, forKey: .maximumBacktracks)
            try c.encode(covariance, forKey: .covariance)
        }
    }

    /// The settings.
    public var configuration: Configuration
    /// Creates the solver.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Fits `problem`.
    ///
    /// - Complexity: per iteration one Jacobian, one factorization, and one residual
    ///   evaluation per line-search trial.
    public func fit(_ problem: LeastSquaresProblem) -> FitResult {
        if let reason = problem.validationFailure(for: Self.self) {
            return FitRun.invalid(solver: Self.kind, problem: problem, reason: reason)
        }
        if configuration.linearSolver.isMatrixFree {
            return FitRun.invalid(
                solver: Self.kind, problem: problem,
                reason: "gauss-newton solves each step exactly: linear-solver is qr, cholesky or svd (cg and lsmr are levenberg-marquardt's)")
        }
        let c = configuration
        let fitRun = FitRun(problem: problem)
        let m = fitRun.residualCount, n = fitRun.parameterCount
        var x = fitRun.initialFreeParameters, trialX = x
        var residual = Array(repeating: 0.0, count: m), trialResidual = residual
        var jacobian = Matrix(rows: m, columns: n)
        var gradient = Array(repeating: 0.0, count: n), step = gradient
        let unit = Array(repeating: 1.0, count: n)
        let system: any DampedLeastSquaresSystem = switch c.linearSolver {
        case .svd: SVDDampedSystem()
        case .cholesky: CholeskyDampedSystem()
        case .qr, .auto, .cg, .lsmr: QRDampedSystem()  // cg and lsmr were refused above
        }
        func finish(_ cost: Double, _ initial: Double, _ iterations: Int, _ g: Double, _ status: FitStatus, _ message: String, atX: Bool) -> FitResult {
            fitRun.bookFactorizationTimes(of: [system])
            return fitRun.result(
                solver: Self.kind, usesJacobian: true, point: x, cost: cost, initialCost: initial, iterations: iterations,
                gradientNorm: g, status: status, message: message, covariance: c.covariance && cost.isFinite && status != .nonFiniteJacobian,
                jacobianAtSolution: atX ? jacobian : nil)
        }
        guard var cost = fitRun.cost(at: x, residual: &residual) else {
            return finish(.nan, .nan, 0, .nan, .nonFiniteResiduals, "the residuals at the starting point contain NaN or infinity", atX: false)
        }
        let initialCost = cost
        if let stop = c.noStepAllowed { return finish(cost, initialCost, 0, .nan, stop.status, stop.message, atX: false) }
        var iterations = 0
        while true {
            if problem.isCancelled {
                return finish(cost, initialCost, iterations, .nan, .cancelled, LeastSquaresProblem.cancellationMessage, atX: false)
            }
            if let stop = c.timeLimitStop(elapsedSeconds: fitRun.elapsed) {
                return finish(cost, initialCost, iterations, .nan, stop.status, stop.message, atX: false)
            }
            guard fitRun.jacobian(at: x, into: &jacobian) else {
                let status: FitStatus = fitRun.jacobianError == nil ? .nonFiniteJacobian : .jacobianFailed
                return finish(cost, initialCost, iterations, .nan, status, fitRun.jacobianError ?? "the Jacobian contains NaN or infinity", atX: false)
            }
            multiply(jacobian, residual, transposeA: .transposed, into: &gradient)
            let gradientNorm = maximumMagnitude(gradient)
            var cosine = 0.0
            let fnorm = (2 * cost).squareRoot()
            for j in 0..<n {
                var sum = 0.0
                for i in 0..<m { sum += jacobian[i, j] * jacobian[i, j] }
                if sum > 0 && fnorm > 0 { cosine = max(cosine, abs(gradient[j]) / (sum.squareRoot() * fnorm)) }
            }
            if cosine <= c.gtol {
                return finish(cost, initialCost, iterations, gradientNorm, .gradientBelowTolerance, "the scaled gradient is at most gtol = \(c.gtol)", atX: true)
            }
            fitRun.timeLinearSolve {
                _ = system.factor(jacobian: jacobian, residual: residual, gradient: gradient, diagonal: unit)
                system.solve(damping: 0, diagonal: unit, into: &step)
            }
            fitRun.linearSolverUse[system.name, default: 0] += 1
            if !system.isFullRank { fitRun.rankDeficientJacobians += 1 }
            var slope = 0.0
            for j in 0..<n { slope += step[j] * gradient[j] }
            var t = 1.0
            var accepted = false
            var trialCost = Double.nan
            for _ in 0...c.maximumBacktracks {
                for j in 0..<n { trialX[j] = x[j] + t * step[j] }
                if let value = fitRun.cost(at: trialX, residual: &trialResidual), value <= cost + c.armijo * t * slope {
                    trialCost = value
                    accepted = true
                }
                let stepNorm = t * euclideanNorm(step)
                fitRun.record(iteration: iterations + (accepted ? 1 : 0), cost: accepted ? trialCost : cost, damping: t,
                                 stepNorm: stepNorm, gradientNorm: gradientNorm, accepted: accepted)
                if accepted || fitRun.residualEvaluations >= c.maximumEvaluations { break }
                t *= 0.5
            }
            guard accepted else {
                if fitRun.residualEvaluations >= c.maximumEvaluations {
                    return finish(cost, initialCost, iterations, gradientNorm, .maximumEvaluations, "reached max-evaluations = \(c.maximumEvaluations)", atX: true)
                }
                let root = Double.ulpOfOne.squareRoot()
                if euclideanNorm(step) <= root * (euclideanNorm(x) + root) {
                    return finish(cost, initialCost, iterations, gradientNorm, .machinePrecision,
                                  "the Gauss-Newton step is below √ε relative to the parameters and no longer decreases the cost measurably", atX: true)
                }
                return finish(cost, initialCost, iterations, gradientNorm, .lineSearchFailed,
                              "no step length 2^-k, k ≤ \(c.maximumBacktracks), along the Gauss-Newton direction decreases the cost enough", atX: true)
            }
            let reduction = (cost - trialCost) / max(cost, Double.leastNormalMagnitude)
            let stepNorm = t * euclideanNorm(step)
            swap(&x, &trialX)
            swap(&residual, &trialResidual)
            cost = trialCost
            iterations += 1
            if let target = c.targetCost, cost <= target {
                return finish(cost, initialCost, iterations, .nan, .targetCostReached, "the cost reached target-cost = \(target)", atX: false)
            }
            if reduction <= c.ftol {
                return finish(cost, initialCost, iterations, .nan, .costReductionBelowTolerance, "the relative cost reduction is at most ftol = \(c.ftol)", atX: false)
            }
            if stepNorm <= c.xtol * (euclideanNorm(x) + c.xtol) {
                return finish(cost, initialCost, iterations, .nan, .stepBelowTolerance, "the step is at most xtol = \(c.xtol) relative to the parameters", atX: false)
            }
            if iterations >= c.maximumIterations {
                return finish(cost, initialCost, iterations, .nan, .maximumIterations, "reached max-iterations = \(c.maximumIterations)", atX: false)
            }
            if fitRun.residualEvaluations >= c.maximumEvaluations {
                return finish(cost, initialCost, iterations, .nan, .maximumEvaluations, "reached max-evaluations = \(c.maximumEvaluations)", atX: false)
            }
        }
    }
}
