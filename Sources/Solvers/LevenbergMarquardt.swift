import Jacobians
import LinearAlgebra

/// Levenberg-Marquardt as a trust-region method (Moré 1978; the algorithm of MINPACK's
/// `lmder`), with selectable scaling, damping rule, linear solver and optional geodesic
/// acceleration (Transtrum & Sethna 2012).
///
/// Each Jacobian is factored once; each trial step solves (JᵀJ + λD²)p = −Jᵀr for the λ
/// that puts ‖Dp‖ on the trust-region radius Δ (`lmpar`), the step is accepted when the
/// actual reduction of ‖r‖² is at least 10⁻⁴ of the predicted one, and Δ grows or shrinks
/// with that ratio. Never throws: non-finite residuals or Jacobians end the fit with a
/// named ``FitStatus``.
public struct LevenbergMarquardt: LeastSquaresSolver {
    /// `levenberg-marquardt`.
    public static let kind = "levenberg-marquardt"
    /// The settings.
    public var configuration: Configuration

    /// Creates the solver.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Fits `problem`; see the type's documentation.
    ///
    /// - Complexity: per Jacobian one strategy call plus one factorization (mn² flops for
    ///   `qr`/`cholesky`), per trial step one residual evaluation and O(n³) for λ.
    public func fit(_ problem: LeastSquaresProblem) -> FitResult {
        if let reason = problem.validationFailure {
            return FitEvaluator.invalid(solver: Self.kind, problem: problem, reason: reason)
        }
        let evaluator = FitEvaluator(problem: problem)
        var run = LevenbergMarquardtRun(configuration: configuration, evaluator: evaluator)
        return run.fit()
    }
}

/// The state of one Levenberg-Marquardt fit (buffers allocated once, before the loop).
struct LevenbergMarquardtRun {
    let configuration: LevenbergMarquardt.Configuration
    let evaluator: FitEvaluator
    let m: Int, n: Int
    var x: [Double], trialX: [Double]
    var residual: [Double], trialResidual: [Double], geodesicResidual: [Double], secondDerivative: [Double]
    var jacobian: Matrix
    var diagonal: [Double], columnNorms: [Double], gradient: [Double]
    var step: [Double], acceleration: [Double], scratch: [Double], jacobianStep: [Double]
    let qr = QRDampedSystem(), cholesky = CholeskyDampedSystem(), svd = SVDDampedSystem()
    let dual = DualCholeskyDampedSystem()
    /// JᵀJ and Jᵀr from a two-layer network's per-sample factors, when `normal-equations`
    /// and the problem allow (see ``LevenbergMarquardt/NormalEquations``); nil otherwise.
    let structured: StructuredNormalEquations?
    /// `cholesky-min-rcond`, or the problem's default for it.
    let minimumReciprocalCondition: Double
    /// `damping` and `initial-damping`, or the problem's defaults for them.
    let damping: LevenbergMarquardt.DampingUpdate, initialDamping: Double
    /// Whether every Jacobian goes to the normal equations (`cholesky`, or `auto` with
    /// `cholesky-min-rcond` 0 and m ≥ n): then JᵀJ is formed before the column norms.
    var normalEquationsFirst: Bool {
        configuration.linearSolver == .cholesky
            || (configuration.linearSolver == .auto && m >= n && minimumReciprocalCondition <= 0)
    }

    init(configuration: LevenbergMarquardt.Configuration, evaluator: FitEvaluator) {
        self.configuration = configuration
        self.evaluator = evaluator
        m = evaluator.residualCount
        n = evaluator.parameterCount
        if let structured = evaluator.problem.map as? any OutputBlockStructured, evaluator.map.isIdentityEmbedding,
           let sparsity = structured.outputBlockSparsity {
            cholesky.outputLayerGram = OutputBlockGram(
                denseColumns: sparsity.denseColumns, outputs: sparsity.outputs, blockWeights: sparsity.blockWeights)
        }
        let hints = evaluator.problem.hints
        minimumReciprocalCondition = configuration.choleskyMinimumReciprocalCondition
            ?? hints.choleskyMinimumReciprocalCondition ?? LevenbergMarquardt.certifiedMinimumReciprocalCondition
        damping = configuration.damping ?? hints.damping ?? .trustRegion
        initialDamping = configuration.initialDamping ?? hints.initialDamping ?? LevenbergMarquardt.certifiedInitialDamping
        let onNormalEquations = configuration.linearSolver == .cholesky
            || (configuration.linearSolver == .auto && m >= n && minimumReciprocalCondition <= 0)
        switch configuration.normalEquations {
        case .fromJacobian:
            structured = nil
        case .auto, .structured:
            let dampingAllows = configuration.normalEquations == .structured || damping == .nielsen
            structured = onNormalEquations && dampingAllows && !configuration.geodesicAcceleration
                ? StructuredNormalEquations(evaluator: evaluator) : nil
        }
        x = evaluator.initialFreeParameters
        trialX = x
        residual = Array(repeating: 0, count: m)
        trialResidual = residual
        geodesicResidual = residual
        secondDerivative = residual
        jacobianStep = residual
        // Structured normal equations may never need J: the strategy sizes it if it is asked for.
        jacobian = structured == nil ? Matrix(rows: m, columns: n) : Matrix(rows: 0, columns: 0)
        diagonal = Array(repeating: 1, count: n)
        columnNorms = diagonal
        gradient = Array(repeating: 0, count: n)
        step = gradient
        acceleration = gradient
        scratch = gradient
    }

    /// Picks and factors the linear solver for the current Jacobian; `assembled`: JᵀJ and Jᵀr
    /// were assembled from per-sample factors (finite, so the normal equations take them).
    mutating func factoredSystem(assembled: Bool) -> any DampedLeastSquaresSystem {
        if assembled {
            return evaluator.timeLinearSolve {
                _ = cholesky.factorFormedGram(rows: m, gradient: gradient)
                evaluator.linearSolverUse[cholesky.name, default: 0] += 1
                return cholesky
            }
        }
        return evaluator.timeLinearSolve {
            let chosen: any DampedLeastSquaresSystem
            switch configuration.linearSolver {
            case .qr: chosen = qr
            case .svd: chosen = svd
            case .cholesky: chosen = cholesky
            case .auto:
                if m >= n, cholesky.factor(jacobian: jacobian, residual: residual, gradient: gradient, diagonal: diagonal),
                   minimumReciprocalCondition <= 0
                    || (cholesky.isFullRank && cholesky.reciprocalConditionOfScaledGram() >= minimumReciprocalCondition) {
                    evaluator.linearSolverUse["cholesky", default: 0] += 1
                    return cholesky
                }
                // Fewer residuals than parameters: the m × m dual system instead of n × n.
                chosen = m < n ? dual : qr
            }
            var system = chosen
            if !system.factor(jacobian: jacobian, residual: residual, gradient: gradient, diagonal: diagonal) {
                system = system === qr ? svd : qr
                _ = system.factor(jacobian: jacobian, residual: residual, gradient: gradient, diagonal: diagonal)
            }
            evaluator.linearSolverUse[system.name, default: 0] += 1
            return system
        }
    }

    mutating func fit() -> FitResult {
        let configuration = self.configuration
        let epsilon = Double.ulpOfOne
        let trustRegion = damping == .trustRegion
        guard var cost = evaluator.cost(at: x, residual: &residual) else {
            return finish(cost: .nan, initialCost: .nan, iterations: 0, gradientNorm: .nan, status: .nonFiniteResiduals,
                          message: "the residuals at the starting point contain NaN or infinity", jacobianAtX: false)
        }
        let initialCost = cost
        if n == 0 {
            return finish(cost: cost, initialCost: cost, iterations: 0, gradientNorm: 0, status: .gradientBelowTolerance,
                          message: "every parameter is fixed; nothing to fit", jacobianAtX: false)
        }
        if let stop = configuration.noStepAllowed {
            return finish(cost: cost, initialCost: cost, iterations: 0, gradientNorm: .nan, status: stop.status, message: stop.message, jacobianAtX: false)
        }
        var fnorm = (2 * cost).squareRoot()
        var delta = 0.0, xnorm = 0.0, par = 0.0, nu = 2.0
        var iterations = 0
        var first = true
        var status: FitStatus?
        var message = ""
        var gradientInfinity = Double.nan
        // Whether `jacobian` holds J at x (for the covariance), and whether `gradient` is Jᵀr at x.
        var jacobianAtX = false, gradientAtX = false
        var lastTrialFinite = true
        var roundingLevelSteps = 0

        outer: while status == nil {
            if evaluator.problem.isCancelled {
                status = .cancelled
                message = LeastSquaresProblem.cancellationMessage
                break
            }
            // Structured: JᵀJ and Jᵀr without J; otherwise (or when they are not finite) from J.
            let assembled = structured?.assemble(
                at: x, residual: residual, evaluator: evaluator, cholesky: cholesky, gradient: &gradient) ?? false
            if assembled {
                cholesky.columnNorms(into: &columnNorms)
            } else {
                guard evaluator.jacobian(at: x, into: &jacobian) else {
                    if let error = evaluator.jacobianError {
                        status = .jacobianFailed
                        message = error
                    } else {
                        status = .nonFiniteJacobian
                        message = "the Jacobian at iteration \(iterations) contains NaN or infinity"
                    }
                    break
                }
                jacobianAtX = true
                evaluator.normalEquationSources[LevenbergMarquardt.NormalEquations.fromJacobian.rawValue, default: 0] += 1
                if normalEquationsFirst {
                    // The normal equations are taken whatever the conditioning: form JᵀJ now and
                    // read ‖Jⱼ‖ off its diagonal instead of another pass over J.
                    evaluator.timeLinearSolve { cholesky.formGram(of: jacobian) }
                    cholesky.columnNorms(into: &columnNorms)
                } else {
                    columnEuclideanNorms(of: jacobian, into: &columnNorms)
                }
                multiply(jacobian, residual, transposeA: .transposed, into: &gradient)
            }
            gradientAtX = true
            gradientInfinity = maximumMagnitude(gradient)
            if first {
                for j in 0..<n {
                    diagonal[j] = configuration.scaling == .levenberg || columnNorms[j] == 0 ? 1 : columnNorms[j]
                }
                xnorm = scaledNorm(x, diagonal)
                delta = configuration.initialStepBound * xnorm
                if delta == 0 { delta = configuration.initialStepBound }
            } else {
                switch configuration.scaling {
                case .more: for j in 0..<n { diagonal[j] = max(diagonal[j], columnNorms[j]) }
                case .marquardt: for j in 0..<n where columnNorms[j] > 0 { diagonal[j] = columnNorms[j] }
                case .levenberg: break
                }
            }
            var gnorm = 0.0
            if fnorm != 0 {
                for j in 0..<n where columnNorms[j] != 0 { gnorm = max(gnorm, abs(gradient[j] / (columnNorms[j] * fnorm))) }
            }
            if gnorm <= configuration.gtol {
                status = .gradientBelowTolerance
                message = "the cosine between the residuals and every Jacobian column is at most gtol = \(configuration.gtol)"
                break
            }
            let system = factoredSystem(assembled: assembled)
            var rankCounted = false
            if first && !trustRegion {
                var largest = 0.0
                for j in 0..<n { largest = max(largest, columnNorms[j] * columnNorms[j] / (diagonal[j] * diagonal[j])) }
                par = initialDamping * largest
            }

            while true {
                if evaluator.problem.isCancelled {
                    status = .cancelled
                    message = LeastSquaresProblem.cancellationMessage
                    break outer
                }
                evaluator.timeLinearSolve {
                    if trustRegion {
                        trustRegionStep(system: system, diagonal: diagonal, radius: delta, gradient: gradient,
                                        damping: &par, step: &step, scratch: &scratch)
                    } else {
                        system.solve(damping: par, diagonal: diagonal, into: &step)
                    }
                }
                // After the first solve: the normal equations then know the rank from the factor
                // they needed anyway (λ = 0 is never factored under Nielsen damping).
                if !rankCounted {
                    rankCounted = true
                    if !system.isFullRank { evaluator.rankDeficientJacobians += 1 }
                }
                var pnorm = scaledNorm(step, diagonal)
                if first && trustRegion { delta = min(delta, pnorm) }
                var geodesic = false
                var accelerationRejected = false
                if configuration.geodesicAcceleration && pnorm > 0 {
                    let h = configuration.geodesicStep
                    for j in 0..<n { trialX[j] = x[j] + h * step[j] }
                    if evaluator.cost(at: trialX, residual: &geodesicResidual) != nil {
                        multiply(jacobian, step, into: &jacobianStep)
                        for i in 0..<m {
                            secondDerivative[i] = (2 / h) * ((geodesicResidual[i] - residual[i]) / h - jacobianStep[i])
                        }
                        evaluator.timeLinearSolve {
                            system.useRightHandSide(secondDerivative, jacobian: jacobian)
                            system.solve(damping: par, diagonal: diagonal, into: &acceleration)
                            system.useResidual()
                        }
                        let ratio = 2 * scaledNorm(acceleration, diagonal) / pnorm
                        if ratio <= configuration.accelerationRatio && ratio.isFinite {
                            for j in 0..<n { step[j] += 0.5 * acceleration[j] }
                            pnorm = scaledNorm(step, diagonal)
                            geodesic = true
                        } else {
                            accelerationRejected = true
                        }
                    } else {
                        accelerationRejected = true
                    }
                }

                var actred = -1.0, prered = 0.0, dirder = 0.0, ratio = 0.0
                var trialCost = Double.nan
                var fnorm1 = Double.infinity
                if !accelerationRejected {
                    for j in 0..<n { trialX[j] = x[j] + step[j] }
                    if let value = evaluator.cost(at: trialX, residual: &trialResidual) {
                        trialCost = value
                        fnorm1 = (2 * value).squareRoot()
                        lastTrialFinite = true
                        if 0.1 * fnorm1 < fnorm { actred = 1 - (fnorm1 / fnorm) * (fnorm1 / fnorm) }
                    } else {
                        lastTrialFinite = false
                    }
                    // ‖J p‖²: under Nielsen damping on the normal equations, or without J
                    // (structured), from JᵀJ (n² instead of mn flops per trial); otherwise
                    // from J p as in MINPACK.
                    let fromGram = system === cholesky && (!trustRegion || assembled)
                    if !fromGram { multiply(jacobian, step, into: &jacobianStep) }
                    let fnormSquared = fnorm * fnorm
                    var stepGradient = 0.0
                    for j in 0..<n { stepGradient += step[j] * gradient[j] }
                    if geodesic {
                        var jsSquared = 0.0
                        if fromGram {
                            jsSquared = cholesky.squaredImageNorm(step)
                        } else {
                            for value in jacobianStep { jsSquared += value * value }
                        }
                        prered = -(2 * stepGradient + jsSquared) / fnormSquared
                    } else {
                        let temp1Squared: Double
                        if fromGram {
                            temp1Squared = cholesky.squaredImageNorm(step) / fnormSquared
                        } else {
                            let temp1 = euclideanNorm(jacobianStep) / fnorm
                            temp1Squared = temp1 * temp1
                        }
                        let temp2 = par.squareRoot() * pnorm / fnorm
                        prered = temp1Squared + 2 * temp2 * temp2
                    }
                    dirder = stepGradient / fnormSquared
                    ratio = prered != 0 ? actred / prered : 0
                }
                // Near the solution both reductions sink below rounding of ‖r‖², and their ratio is
                // noise. The step itself, from the accurately computed Jᵀr, still improves the
                // parameters: take it as a refinement step instead of shrinking the region.
                let noise = 64 * epsilon
                let roundingLevel = lastTrialFinite && !accelerationRejected && prered <= noise && actred >= -noise
                    && configuration.refinementSteps > 0
                if roundingLevel {
                    ratio = 1
                    roundingLevelSteps += 1
                } else {
                    roundingLevelSteps = 0
                }

                if trustRegion {
                    if accelerationRejected {
                        delta = 0.5 * min(delta, pnorm)
                        par *= 2
                    } else if ratio <= 0.25 {
                        var temp = actred >= 0 ? 0.5 : 0.5 * dirder / (dirder + 0.5 * actred)
                        if 0.1 * fnorm1 >= fnorm || !(temp >= 0.1) { temp = 0.1 }
                        delta = temp * min(delta, pnorm / 0.1)
                        par /= temp
                    } else if par == 0 || ratio >= 0.75 {
                        delta = pnorm / 0.5
                        par *= 0.5
                    }
                } else {
                    if ratio > 1e-4 {
                        let t = 2 * ratio - 1
                        par *= max(1.0 / 3.0, 1 - t * t * t)
                        nu = 2
                    } else {
                        par *= nu
                        nu *= 2
                    }
                }
                let accepted = !accelerationRejected && ratio >= 1e-4
                evaluator.record(
                    iteration: iterations + (accepted ? 1 : 0), cost: accepted ? trialCost : cost,
                    damping: trustRegion ? delta : par, stepNorm: pnorm, gradientNorm: gradientInfinity, accepted: accepted)
                if accepted {
                    swap(&x, &trialX)
                    swap(&residual, &trialResidual)
                    cost = trialCost
                    fnorm = fnorm1
                    xnorm = scaledNorm(x, diagonal)
                    iterations += 1
                    jacobianAtX = false
                    gradientAtX = false
                }
                first = false

                let size = trustRegion ? delta : pnorm
                let refining = roundingLevel && roundingLevelSteps < configuration.refinementSteps
                let ftolMet = !refining && abs(actred) <= configuration.ftol && prered <= configuration.ftol && 0.5 * ratio <= 1
                let xtolMet = size <= configuration.xtol * (xnorm + configuration.xtol)
                if accepted, let target = configuration.targetCost, cost <= target {
                    status = .targetCostReached
                    message = "the cost reached target-cost = \(target)"
                } else if ftolMet && xtolMet {
                    status = .costAndStepBelowTolerance
                    message = "relative cost reduction ≤ ftol = \(configuration.ftol) and relative step ≤ xtol = \(configuration.xtol)"
                } else if ftolMet {
                    status = .costReductionBelowTolerance
                    message = "actual and predicted relative cost reductions are at most ftol = \(configuration.ftol)"
                } else if xtolMet {
                    status = .stepBelowTolerance
                    message = "the scaled step is at most xtol = \(configuration.xtol) relative to the scaled parameters"
                } else if evaluator.residualEvaluations >= configuration.maximumEvaluations {
                    status = .maximumEvaluations
                    message = "reached max-evaluations = \(configuration.maximumEvaluations) residual evaluations"
                } else if iterations >= configuration.maximumIterations {
                    status = .maximumIterations
                    message = "reached max-iterations = \(configuration.maximumIterations)"
                } else if roundingLevel && roundingLevelSteps >= configuration.refinementSteps {
                    status = .machinePrecision
                    message = "the cost no longer changes measurably in double precision; stopped after \(roundingLevelSteps) refinement steps at rounding level"
                } else if (!refining && abs(actred) <= epsilon && prered <= epsilon && 0.5 * ratio <= 1) || size <= epsilon * xnorm
                            || gnorm <= epsilon || !par.isFinite {
                    status = .machinePrecision
                    message = "no further reduction of the cost is possible in double precision"
                }
                if let reached = status, reached.isConverged, !lastTrialFinite {
                    status = .nonFiniteResiduals
                    message = "the residuals are NaN or infinite at every trial point near the current parameters (last stop test: \(reached.rawValue))"
                }
                if status != nil { break outer }
                if accepted { break }
            }
        }
        return finish(cost: cost, initialCost: initialCost, iterations: iterations, gradientNorm: gradientAtX ? gradientInfinity : .nan,
                      status: status ?? .maximumIterations, message: message, jacobianAtX: jacobianAtX)
    }

    func finish(cost: Double, initialCost: Double, iterations: Int, gradientNorm: Double, status: FitStatus, message: String, jacobianAtX: Bool) -> FitResult {
        let covariance = configuration.covariance && cost.isFinite && status != .nonFiniteJacobian && status != .jacobianFailed
        evaluator.bookFactorizationTimes(of: [qr, cholesky, svd, dual])
        return evaluator.result(
            solver: LevenbergMarquardt.kind, usesJacobian: true, point: x, cost: cost, initialCost: initialCost,
            iterations: iterations, gradientNorm: gradientNorm, status: status, message: message,
            covariance: covariance, jacobianAtSolution: jacobianAtX ? jacobian : nil)
    }
}

/// ‖Jⱼ‖ for every column j of the row-major m × n `jacobian`, into `norms` (n values).
///
/// - Complexity: mn multiply-adds, streamed row by row (the inner loop over a row is
///   contiguous and vectorizes).
func columnEuclideanNorms(of jacobian: Matrix, into norms: inout [Double]) {
    let m = jacobian.rows, n = jacobian.columns
    jacobian.elements.withUnsafeBufferPointer { elements in
        norms.withUnsafeMutableBufferPointer { sums in
            guard let source = elements.baseAddress, let target = sums.baseAddress else { return }
            target.update(repeating: 0, count: n)
            for i in 0..<m {
                let row = source + i * n
                for j in 0..<n { target[j] += row[j] * row[j] }
            }
            for j in 0..<n { target[j] = target[j].squareRoot() }
        }
    }
}
