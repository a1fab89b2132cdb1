import LinearAlgebra

/// Limited-memory BFGS (Nocedal 1980; two-loop recursion) on ½‖r‖² with a strong-Wolfe
/// line search. Gradients are Jᵀr from one single-lane backward sweep per trial point (the
/// map's Jacobian operator when it has one, else its pullback).
public struct LBFGS: LeastSquaresSolver {
    /// `lbfgs`.
    public static let kind = "lbfgs"

    /// Settings; manifest keys `memory`, `ftol`, `gtol`, `c1`, `c2`, `max-line-search`,
    /// `max-iterations`, `max-evaluations`, `target-cost`.
    public struct Configuration: Sendable, Codable, Equatable, StoppingLimits {
        /// `memory`: number of (s, y) pairs kept.
        public var memory: Int = 10
        /// `ftol`: stop when (f_k − f_{k+1})/max(|f_k|, |f_{k+1}|, 1) ≤ this (scipy's rule).
        public var ftol: Double = 1e-15
        /// `gtol`: stop when ‖Jᵀr‖∞ ≤ this.
        public var gtol: Double = 1e-10
        /// `c1`: sufficient decrease.
        public var c1: Double = 1e-4
        /// `c2`: curvature.
        public var c2: Double = 0.9
        /// `max-line-search`: trials per line search.
        public var maximumLineSearchEvaluations: Int = 20
        /// `max-iterations`.
        public var maximumIterations: Int = 1000
        /// `max-evaluations`: residual evaluations.
        public var maximumEvaluations: Int = 20_000
        /// `target-cost`: stop (converged) once the cost is at most this.
        public var targetCost: Double?
        /// `max-time`: seconds from the solver's start; nil: no cap.
        public var maximumSeconds: Double?

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey, StoppingCodingKey {
            case memory, ftol, gtol, c1, c2
            case maximumLineSearchEvaluations = "max-line-search"
            case maximumIterations = "max-iterations"
            case maximumEvaluations = "max-evaluations"
            case targetCost = "target-cost"
            case maximumSeconds = "max-time"
        }

        /// Decodes any subset of the keys; missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&memory, forKey: .memory)
            try c.update(&ftol, forKey: .ftol)
            try c.update(&c1, forKey: .c1)
            try c.update(&c2, forKey: .c2)
            try c.update(&maximumLineSearchEvaluations, forKey: .maximumLineSearchEvaluations)
            try c.updateStopping(&self)
        }

        /// Encodes every key with the manifest names (an unset `max-time` as null, so
        /// `jacobench list` shows it) except an unset `target-cost`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(memory, forKey: .memory)
            try c.encode(ftol, forKey: .ftol)
            try c.encode(c1, forKey: .c1)
            try c.encode(c2, forKey: .c2)
            try c.encode(maximumLineSearchEvaluations, forKey: .maximumLineSearchEvaluations)
            try c.encodeStopping(self)
        }
    }

    /// The settings.
    public var configuration: Configuration
    /// `.wholeBatchSweeps`: gradients come from single-lane backward sweeps over all samples
    /// and no covariance is formed.
    public func derivativeUse(on problem: LeastSquaresProblem) -> ResidualDerivativeUse { .wholeBatchSweeps }
    /// Creates the solver.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Fits `problem`.
    ///
    /// - Complexity: per iteration O(memory·n) plus the line-search trials, each one
    ///   residual evaluation and one single-lane backward sweep.
    public func fit(_ problem: LeastSquaresProblem) -> FitResult {
        if let reason = problem.validationFailure(for: Self.self) {
            return FitRun.invalid(solver: Self.kind, problem: problem, reason: reason)
        }
        let c = configuration
        let fitRun = FitRun(problem: problem)
        let n = fitRun.parameterCount, memory = max(1, c.memory)
        var x = fitRun.initialFreeParameters, trialX = x
        var residual = Array(repeating: 0.0, count: fitRun.residualCount)
        var gradient = Array(repeating: 0.0, count: n), trialGradient = gradient, direction = gradient
        var sHistory = Array(repeating: Array(repeating: 0.0, count: n), count: memory)
        var yHistory = sHistory
        var rho = Array(repeating: 0.0, count: memory), alphas = rho
        var stored = 0, newest = -1
        func finish(_ cost: Double, _ initial: Double, _ iterations: Int, _ g: Double, _ status: FitStatus, _ message: String) -> FitResult {
            fitRun.result(solver: Self.kind, usesJacobian: false, point: x, cost: cost, initialCost: initial, iterations: iterations,
                             gradientNorm: g, status: status, message: message, covariance: false, jacobianAtSolution: nil)
        }
        guard var cost = fitRun.costAndGradient(at: x, residual: &residual, gradient: &gradient) else {
            return finish(.nan, .nan, 0, .nan, .nonFiniteResiduals, "the residuals or their gradient at the starting point contain NaN or infinity")
        }
        let initialCost = cost
        var iterations = 0
        let search = StrongWolfeLineSearch(c1: c.c1, c2: c.c2, maximumEvaluations: c.maximumLineSearchEvaluations)
        while true {
            let gradientNorm = maximumMagnitude(gradient)
            if let (status, message) = c.firstOrderStop(gradientNorm: gradientNorm, iterations: iterations,
                                                        residualEvaluations: fitRun.residualEvaluations,
                                                        isCancelled: problem.isCancelled, elapsedSeconds: fitRun.elapsed) {
                return finish(cost, initialCost, iterations, gradientNorm, status, message)
            }
            // Two-loop recursion: direction = −H g.
            for j in 0..<n { direction[j] = -gradient[j] }
            var k = newest
            for _ in 0..<stored {
                var dot = 0.0
                for j in 0..<n { dot += sHistory[k][j] * direction[j] }
                alphas[k] = rho[k] * dot
                for j in 0..<n { direction[j] -= alphas[k] * yHistory[k][j] }
                k = (k - 1 + memory) % memory
            }
            if stored > 0 {
                var sy = 0.0, yy = 0.0
                for j in 0..<n { sy += sHistory[newest][j] * yHistory[newest][j]; yy += yHistory[newest][j] * yHistory[newest][j] }
                let gamma = sy / yy
                for j in 0..<n { direction[j] *= gamma }
            }
            k = (newest - stored + 1 + memory) % memory
            for _ in 0..<stored {
                var dot = 0.0
                for j in 0..<n { dot += yHistory[k][j] * direction[j] }
                let beta = rho[k] * dot
                for j in 0..<n { direction[j] += (alphas[k] - beta) * sHistory[k][j] }
                k = (k + 1) % memory
            }
            var slope = 0.0
            for j in 0..<n { slope += direction[j] * gradient[j] }
            if !(slope < 0) {
                // Not a descent direction (lost curvature information): restart with −g.
                stored = 0
                for j in 0..<n { direction[j] = -gradient[j] }
                slope = -gradient.reduce(0) { $0 + $1 * $1 }
            }
            let initialStep = stored == 0 ? min(1, 1 / max(euclideanNorm(gradient), Double.leastNormalMagnitude)) : 1
            var lastAlpha = Double.nan
            let found = search.search(initial: initialStep, value0: cost, slope0: slope) { alpha in
                lastAlpha = alpha
                for j in 0..<n { trialX[j] = x[j] + alpha * direction[j] }
                guard let value = fitRun.costAndGradient(at: trialX, residual: &residual, gradient: &trialGradient) else { return nil }
                var dot = 0.0
                for j in 0..<n { dot += trialGradient[j] * direction[j] }
                return (value, dot)
            }
            guard let (alpha, trial) = found else {
                fitRun.record(iteration: iterations, cost: cost, damping: 0, stepNorm: 0, gradientNorm: gradientNorm, accepted: false)
                return finish(cost, initialCost, iterations, gradientNorm, .lineSearchFailed,
                              "the strong-Wolfe line search found no acceptable step in \(c.maximumLineSearchEvaluations) trials")
            }
            // The buffers hold the last trial; re-evaluate only if the search settled elsewhere.
            var newCost = trial.value
            if lastAlpha != alpha {
                for j in 0..<n { trialX[j] = x[j] + alpha * direction[j] }
                guard let value = fitRun.costAndGradient(at: trialX, residual: &residual, gradient: &trialGradient) else {
                    return finish(cost, initialCost, iterations, gradientNorm, .nonFiniteResiduals, "the residuals became NaN or infinite")
                }
                newCost = value
            }
            newest = (newest + 1) % memory
            var sy = 0.0
            for j in 0..<n {
                sHistory[newest][j] = trialX[j] - x[j]
                yHistory[newest][j] = trialGradient[j] - gradient[j]
                sy += sHistory[newest][j] * yHistory[newest][j]
            }
            if sy > 0 {
                rho[newest] = 1 / sy
                stored = min(stored + 1, memory)
            } else {
                newest = (newest - 1 + memory) % memory
            }
            let stepNorm = alpha * euclideanNorm(direction)
            let reduction = (cost - newCost) / max(abs(cost), abs(newCost), 1)
            swap(&x, &trialX)
            swap(&gradient, &trialGradient)
            cost = newCost
            iterations += 1
            fitRun.record(iteration: iterations, cost: cost, damping: alpha, stepNorm: stepNorm, gradientNorm: gradientNorm, accepted: true)
            if let target = c.targetCost, cost <= target {
                return finish(cost, initialCost, iterations, maximumMagnitude(gradient), .targetCostReached, "the cost reached target-cost = \(target)")
            }
            if reduction <= c.ftol {
                return finish(cost, initialCost, iterations, maximumMagnitude(gradient), .costReductionBelowTolerance,
                              "the relative cost reduction is at most ftol = \(c.ftol)")
            }
        }
    }
}
