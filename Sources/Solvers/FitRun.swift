import Jacobians
import LinearAlgebra

/// The machinery every solver shares: the weighted free residual map, evaluation counters,
/// the time split, the trace and the construction of the ``FitResult`` (with covariance).
final class FitRun {
    let problem: LeastSquaresProblem
    let map: WeightedFreeResidualMap
    let clock = ContinuousClock()
    let start: ContinuousClock.Instant
    var timings = FitTimings()
    var residualEvaluations = 0
    var jacobianEvaluations = 0
    var gradientEvaluations = 0
    var jacobianCost = JacobianCost()
    var trace: [FitIteration] = []
    var linearSolverUse: [String: Int] = [:]
    /// Per iteration's linearization: `structured` or `from-jacobian` (see ``FitResult/normalEquations``).
    var normalEquationSources: [String: Int] = [:]
    var rankDeficientJacobians = 0
    private var cotangent: Matrix
    private var gradientRow: Matrix
    private var svd = ThinSingularValueDecomposition()
    private var fullJacobian = Matrix(rows: 0, columns: 0)
    /// The full parameter vector of the last Jacobian's point (fixed parameters included).
    private var expandedPoint: [Double] = []
    /// Last Jacobian error, for the message.
    var jacobianError: String?
    /// Whether the strategy's one-time preparation (`auto`'s calibration) has run.
    private var strategyPrepared = false
    /// The map's own Jacobian operator for ``gradient(at:residual:into:)``, made at the first
    /// gradient; nil when the map offers none (its single-lane pullback is used then).
    private(set) lazy var gradientOperator: WeightedFreeJacobianOperator? = {
        let candidate = WeightedFreeJacobianOperator(map: map)
        return candidate.isMapOwn ? candidate : nil
    }()

    /// Lower and upper bounds of the free parameters (n_free values each), or nil when the
    /// problem has no finite bound.
    let freeLowerBounds: [Double]?, freeUpperBounds: [Double]?

    /// The problem's strategy, told the start's magnitudes as the parameters' typical scale
    /// (finite differences step by it at parameters near zero).
    let strategy: any JacobianStrategy

    init(problem: LeastSquaresProblem) {
        self.problem = problem
        self.strategy = problem.jacobianStrategy.withTypicalScale(problem.initialParameters.map { abs($0) })
        let free = problem.freeParameters
        self.map = WeightedFreeResidualMap(
            base: problem.map, fullInitial: problem.initialParameters, freeIndices: free,
            standardDeviations: problem.standardDeviations)
        self.start = clock.now
        self.cotangent = Matrix(rows: 1, columns: problem.map.outputCount)
        self.gradientRow = Matrix(rows: 1, columns: free.count)
        if let bounds = problem.bounds, bounds.isConstraining {
            freeLowerBounds = free.map { bounds.lower[$0] }
            freeUpperBounds = free.map { bounds.upper[$0] }
        } else {
            freeLowerBounds = nil
            freeUpperBounds = nil
        }
        trace.reserveCapacity(64)
    }

    /// m, residuals.
    var residualCount: Int { map.outputCount }
    /// n_free.
    var parameterCount: Int { map.inputCount }

    /// The free parameters of the initial point.
    var initialFreeParameters: [Double] { map.freeIndices.map { problem.initialParameters[$0] } }

    var elapsed: Double { seconds(clock.now - start) }

    func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// r̃(z) into `residual`; returns ½‖r̃‖² (under a robust loss ½Σ C²ρ((r̃ᵢ/C)²)), or nil if
    /// any residual is not finite.
    func cost(at point: [Double], residual: inout [Double]) -> Double? {
        let begin = clock.now
        map.evaluate(at: point, into: &residual)
        timings.residualSeconds += seconds(clock.now - begin)
        residualEvaluations += 1
        if !problem.loss.isLinear {
            guard residual.allSatisfy(\.isFinite) else { return nil }
            return problem.loss.cost(of: residual)
        }
        var sum = 0.0
        for value in residual { sum += value * value }
        guard sum.isFinite else {
            // Σ overflow with finite entries is treated as non-finite too: the cost is unusable.
            return nil
        }
        return 0.5 * sum
    }

    /// The weighted free Jacobian at `point`; false when J (the map's m × n doubles) is over the
    /// problem's memory budget, or the strategy threw or produced NaN/∞ (``jacobianError`` says
    /// which).
    ///
    /// The strategy runs on the user's map itself (so capabilities such as per-sample
    /// structure or complex evaluation stay visible to it); rows are then divided by σ and
    /// fixed columns dropped.
    func jacobian(at point: [Double], into result: inout Matrix) -> Bool {
        // A J over the memory budget is refused before the strategy allocates it (a fit that
        // assembles its normal equations falls back to J only when they were not finite).
        if let reason = problem.jacobianOverBudget(rows: problem.map.outputCount, columns: problem.map.inputCount) {
            jacobianError = reason
            return false
        }
        // The full point, without a new array per call when parameters are fixed.
        if !map.isIdentityEmbedding { map.expand(point, into: &expandedPoint) }
        let full = map.isIdentityEmbedding ? point : expandedPoint
        if !strategyPrepared {
            // Booked apart, so that per-iteration Jacobian time is the steady state.
            strategyPrepared = true
            let begin = clock.now
            defer { timings.calibrationSeconds += seconds(clock.now - begin) }
            do {
                try strategy.prepare(for: problem.map, at: full)
            } catch {
                jacobianError = "the Jacobian strategy '\(strategy.name)' failed: \(error)"
                return false
            }
        }
        let begin = clock.now
        defer { timings.jacobianSeconds += seconds(clock.now - begin) }
        do {
            if map.isIdentityEmbedding {
                jacobianCost = jacobianCost + (try strategy.jacobian(of: problem.map, at: full, into: &result))
            } else {
                jacobianCost = jacobianCost + (try strategy.jacobian(of: problem.map, at: full, into: &fullJacobian))
                let m = fullJacobian.rows, nFull = fullJacobian.columns, n = parameterCount
                result.reshape(rows: m, columns: n)
                for i in 0..<m {
                    for (k, index) in map.freeIndices.enumerated() { result.elements[i * n + k] = fullJacobian.elements[i * nFull + index] }
                }
            }
        } catch {
            jacobianError = "the Jacobian strategy '\(strategy.name)' failed: \(error)"
            return false
        }
        jacobianEvaluations += 1
        if let w = map.inverseSigma {
            let n = result.columns
            for i in 0..<result.rows { for j in 0..<n { result.elements[i * n + j] *= w[i] } }
        }
        if !allFinite(result.elements) {
            jacobianError = nil
            return false
        }
        return true
    }

    /// g = J̃ᵀ r̃ with one single-lane backward sweep (never a full Jacobian): through the map's
    /// own ``JacobianOperator`` when it has one (``JacobianOperatorProviding``: linearized at
    /// `point`, then one Jᵀu — a network's as matrix products over the batch), else one
    /// pullback of a single cotangent lane. Returns false if g is not finite.
    func gradient(at point: [Double], residual: [Double], into gradient: inout [Double]) -> Bool {
        let begin = clock.now
        defer { timings.jacobianSeconds += seconds(clock.now - begin) }
        if let gradientOperator {
            gradientOperator.linearize(at: point)
            gradientOperator.applyTransposed(residual, into: &gradient)
        } else {
            for i in 0..<residual.count { cotangent.elements[i] = residual[i] }
            map.pullback(at: point, cotangents: cotangent, into: &gradientRow)
            if gradient.count != parameterCount { gradient = Array(repeating: 0, count: parameterCount) }
            for j in 0..<parameterCount { gradient[j] = gradientRow.elements[j] }
        }
        gradientEvaluations += 1
        jacobianCost = jacobianCost + JacobianCost(pullbacks: 1, cotangentLanes: 1)
        return gradient.allSatisfy(\.isFinite)
    }

    /// Runs `body` and books its time as linear solving.
    func timeLinearSolve<T>(_ body: () -> T) -> T {
        let begin = clock.now
        defer { timings.linearSolveSeconds += seconds(clock.now - begin) }
        return body()
    }

    /// Copies the Gram and factorization times of the solver's linear systems into the
    /// timings (they are parts of the linear-solve time already booked).
    func bookFactorizationTimes(of systems: [any DampedLeastSquaresSystem]) {
        timings.gramSeconds = systems.reduce(0) { $0 + $1.gramSeconds }
        timings.factorizationSeconds = systems.reduce(0) { $0 + $1.factorizationSeconds }
    }

    /// Appends a trace row stamped with the elapsed time, and reports an accepted step to the
    /// problem's ``LeastSquaresProblem/iterationObserver``.
    func record(
        iteration: Int, cost: Double, damping: Double, stepNorm: Double, gradientNorm: Double, accepted: Bool,
        inner: InnerSolveRecord? = nil
    ) {
        let seconds = elapsed
        var row = FitIteration(
            iteration: iteration, cost: cost, damping: damping, stepNorm: stepNorm,
            gradientNorm: gradientNorm, accepted: accepted, elapsedSeconds: seconds)
        row.inner = inner
        trace.append(row)
        if accepted, let observer = problem.iterationObserver {
            observer(FitProgress(iteration: iteration, cost: cost, elapsedSeconds: seconds))
        }
    }

    /// Builds the result. With `covariance`, uses `jacobianAtSolution` when given (it must be
    /// the weighted free Jacobian at `point`), otherwise computes one — or, for a J too large to
    /// form, JᵀJ assembled by the map (``covarianceFromGram(at:cost:initialCost:)``).
    func result(
        solver: String, usesJacobian: Bool, point: [Double], cost: Double, initialCost: Double,
        iterations: Int, gradientNorm: Double, status: FitStatus, message: String,
        covariance: Bool, jacobianAtSolution: Matrix?
    ) -> FitResult {
        var covarianceResult: FitCovariance?
        var convergence: FitConvergence?
        var status = status, message = message
        var finalGradientNorm = gradientNorm
        let boundsActive = activeBounds(at: point)
        let covarianceBegin = clock.now
        let iterationSplit = (jacobian: timings.jacobianSeconds, linearSolve: timings.linearSolveSeconds, residual: timings.residualSeconds)
        let computesCovariance = covariance && cost.isFinite && parameterCount > 0
        if computesCovariance, jacobianAtSolution == nil,
           let fromGram = covarianceFromGram(at: point, cost: cost, initialCost: initialCost) {
            covarianceResult = fromGram.covariance
            if !finalGradientNorm.isFinite { finalGradientNorm = fromGram.gradientNorm }
            if let verdict = fromGram.verdict { (status, message, convergence) = Self.judged(status: status, message: message, verdict: verdict) }
        } else if computesCovariance {
            var jacobian = jacobianAtSolution ?? Matrix(rows: 0, columns: 0)
            let available = jacobianAtSolution != nil || self.jacobian(at: point, into: &jacobian)
            if available {
                var residual: [Double] = []
                map.evaluate(at: point, into: &residual)
                if !problem.loss.isLinear {
                    // The solver's J at the solution is rescaled already; one computed here is not.
                    if jacobianAtSolution == nil {
                        var scaled: [Double] = []
                        LossScaledLinearization.apply(problem.loss, residual: residual, jacobian: &jacobian, scaledResidual: &scaled)
                        residual = scaled
                    } else {
                        residual = LossScaledLinearization.scaledResiduals(problem.loss, residual: residual)
                    }
                }
                // Parameters on a bound are held there, as fixed ones are: J loses their columns.
                let held = boundsActive.map { active in map.freeIndices.indices.filter { active[map.freeIndices[$0]] != nil } } ?? []
                let inner = held.isEmpty ? jacobian : Self.columns(of: jacobian, excluding: Set(held))
                let innerIndices = held.isEmpty ? map.freeIndices : map.freeIndices.indices.filter { !held.contains($0) }.map { map.freeIndices[$0] }
                let begin = clock.now
                covarianceResult = FitCovariance.compute(
                    jacobian: inner, cost: cost, freeIndices: innerIndices,
                    parameterCount: problem.initialParameters.count, absoluteSigma: problem.absoluteSigma && problem.standardDeviations != nil,
                    svd: &svd)
                timings.linearSolveSeconds += seconds(clock.now - begin)
                if !finalGradientNorm.isFinite {
                    var g = Array(repeating: 0.0, count: parameterCount)
                    multiply(jacobian, residual, transposeA: .transposed, into: &g)
                    for k in held where pointsOutOfBox(gradient: g[k], bound: boundsActive?[map.freeIndices[k]]) { g[k] = 0 }
                    finalGradientNorm = g.reduce(0) { max($0, abs($1)) }
                }
                if let covarianceResult {
                    var verdict = FitConvergence.test(
                        jacobian: inner, residual: residual, rank: covarianceResult.rank,
                        condition: covarianceResult.conditionNumber, startingNorm: (2 * initialCost).squareRoot())
                    if !held.isEmpty, let boundsActive {
                        verdict.checkHeldParameters(
                            jacobian: jacobian, residual: residual, held: held,
                            bounds: held.map { boundsActive[map.freeIndices[$0]]! }, names: held.map { parameterName(map.freeIndices[$0]) })
                    }
                    (status, message, convergence) = Self.judged(status: status, message: message, verdict: verdict)
                }
            }
        }
        // The covariance block (its Jacobian, SVD and the convergence test) is booked whole apart,
        // so that the other parts describe the iterations.
        if computesCovariance {
            timings.covarianceSeconds = seconds(clock.now - covarianceBegin)
            (timings.jacobianSeconds, timings.linearSolveSeconds, timings.residualSeconds) = iterationSplit
        }
        timings.totalSeconds = elapsed
        return FitResult(
            solver: solver, jacobianStrategy: usesJacobian || covariance ? problem.jacobianStrategy.name : "",
            parameters: map.expand(point), parameterNames: problem.parameterNames,
            cost: cost, initialCost: initialCost, iterations: iterations,
            residualEvaluations: residualEvaluations, jacobianEvaluations: jacobianEvaluations,
            gradientEvaluations: gradientEvaluations, gradientNorm: finalGradientNorm,
            status: status, message: message, timings: timings, jacobianCost: jacobianCost,
            trace: trace, covariance: covarianceResult, linearSolverUse: linearSolverUse,
            normalEquations: normalEquationSources, rankDeficientJacobians: rankDeficientJacobians, convergence: convergence,
            boundsActive: boundsActive, loss: problem.loss.isLinear ? nil : problem.loss)
    }

    /// A convergence status whose end fails `verdict` becomes ``FitStatus/rankDeficient`` (J
    /// loses rank) or ``FitStatus/notStationary`` (not stationary), its message saying which test
    /// stopped the iteration and which failed; any other status stands. The verdict is
    /// converged only with a convergence status.
    static func judged(status: FitStatus, message: String, verdict: FitConvergence) -> (FitStatus, String, FitConvergence) {
        var verdict = verdict
        guard status.isConverged else {
            if verdict.converged { verdict.reason = "stopped by \(status.rawValue) (\(verdict.reason))" }
            verdict.converged = false
            return (status, message, verdict)
        }
        guard !verdict.converged else { return (status, message, verdict) }
        let rankLost = (verdict.rank ?? verdict.freeParameters) < verdict.freeParameters
        let downgraded: FitStatus = rankLost ? .rankDeficient : .notStationary
        return (downgraded, "\(status.rawValue) stopped the iteration, but the end is not a solution: \(verdict.reason) (\(message))", verdict)
    }

    /// The result for a malformed problem (nothing evaluated).
    static func invalid(solver: String, problem: LeastSquaresProblem, reason: String) -> FitResult {
        FitResult(
            solver: solver, jacobianStrategy: problem.jacobianStrategy.name, parameters: problem.initialParameters,
            parameterNames: problem.parameterNames, cost: .nan, initialCost: .nan, iterations: 0,
            residualEvaluations: 0, jacobianEvaluations: 0, gradientEvaluations: 0, gradientNorm: .nan,
            status: .invalidProblem, message: "invalid problem: \(reason)", timings: FitTimings(),
            jacobianCost: JacobianCost(), trace: [], covariance: nil, linearSolverUse: [:],
            normalEquations: [:], rankDeficientJacobians: 0, convergence: nil, boundsActive: nil, loss: nil)
    }
}

/// Whether every value is finite: accumulates v·0 (0 for a finite v, NaN for ±∞ or NaN)
/// eight lanes at a time, so a Jacobian is checked at memory speed with no branch per entry.
func allFinite(_ values: [Double]) -> Bool {
    values.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return true }
        let count = buffer.count, blocks = count / 8
        var lanes = SIMD8<Double>()
        let raw = UnsafeRawPointer(base)
        for block in 0..<blocks {
            lanes += raw.loadUnaligned(fromByteOffset: block * 8 * MemoryLayout<Double>.stride, as: SIMD8<Double>.self) * 0
        }
        var tail = 0.0
        for index in (blocks * 8)..<count { tail += base[index] * 0 }
        return !(lanes.sum() + tail).isNaN
    }
}

/// ‖v‖∞.
func maximumMagnitude(_ v: [Double]) -> Double {
    var result = 0.0
    for value in v { result = max(result, abs(value)) }
    return result
}

extension FitRun {
    /// ½‖r̃(z)‖² and its gradient J̃ᵀr̃ from one residual evaluation and one single-lane
    /// pullback; nil when either is not finite.
    func costAndGradient(at point: [Double], residual: inout [Double], gradient: inout [Double]) -> Double? {
        guard let cost = cost(at: point, residual: &residual) else { return nil }
        guard self.gradient(at: point, residual: residual, into: &gradient) else { return nil }
        return cost
    }
}
