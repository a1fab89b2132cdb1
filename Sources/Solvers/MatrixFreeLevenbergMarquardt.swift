import Jacobians
import LinearAlgebra

/// Levenberg-Marquardt without J or JᵀJ (`linear-solver: cg` or `lsmr`, or `auto` when the
/// dense systems do not fit; ``LevenbergMarquardt/MatrixFreeChoice``): each iteration
/// linearizes the map once (``WeightedFreeJacobianOperator``: one forward sweep with
/// derivatives, g = J̃ᵀr, diag(J̃ᵀJ̃)), then solves the damped systems with a Krylov solver on
/// J̃·v and J̃ᵀ·u products only, to a tolerance η‖g‖ from the forcing rule
/// (``forcingTerm(gradientNorm:)``: Eisenstat–Walker or the gradient ratio) or a fixed
/// `inner-tolerance` and until the damped model has little left to gain
/// (``KrylovDampedSolver``), with at most `max-inner-iterations` inner iterations. D, τ, CG's
/// preconditioner and the forcing rule are the settings, else the map's matrix-free hints
/// (``scalingRule``, ``preconditionerRule``, ``forcingRule``).
///
/// Damping is Nielsen's rule (λ₀ = τ·maxⱼ (J̃ᵀJ̃)ⱼⱼ/Dⱼ²; ×max(⅓, 1 − (2ρ − 1)³) on success,
/// ×ν with ν doubling on failure): one inner solve per trial, where Moré's λ search for a trust
/// radius would need several. A trial is judged by ρ = actual/predicted reduction with the
/// model's reduction along the inexact step itself, −(2gᵀp + ‖J̃p‖²). Stopping tests are the
/// dense LM's (ftol, xtol on ‖Dp‖, gtol, limits, `max-time`, target cost, rounding level).
/// Memory: O(m + n) vectors plus the map's operator workspace; nothing of size n² or m·n.
struct MatrixFreeLevenbergMarquardtRun {
    let configuration: LevenbergMarquardt.Configuration
    let fitRun: FitRun
    let jacobian: WeightedFreeJacobianOperator
    let solver: any KrylovDampedSolver
    /// Why the fit is matrix-free (the setting, or `auto`'s reason).
    let choiceReason: String
    /// The resolved scaling rule and τ: the setting, else the map's matrix-free hint, else the
    /// dense defaults (``LeastSquaresHints/matrixFreeScaling``, ``LeastSquaresHints/matrixFreeInitialDamping``).
    let scalingRule: LevenbergMarquardt.Scaling, initialDamping: Double
    /// CG's resolved preconditioner and the resolved forcing rule: the settings, else the map's
    /// hints (``LeastSquaresHints/matrixFreePreconditioner``, ``LeastSquaresHints/matrixFreeForcing``),
    /// else Jacobi and Eisenstat–Walker.
    let preconditionerRule: LevenbergMarquardt.Preconditioner, forcingRule: LevenbergMarquardt.Forcing
    /// The resolved `backtracking-steps`: the setting, else the map's hint
    /// (``LeastSquaresHints/matrixFreeBacktrackingSteps``), else 0.
    let backtrackingSteps: Int
    let m: Int, n: Int
    var x: [Double], trialX: [Double]
    var residual: [Double], trialResidual: [Double]
    var gradient: [Double], gaussNewtonDiagonal: [Double], columnNorms: [Double], scaling: [Double], step: [Double]
    /// Inner iterations over the whole fit, and per stop reason the inner solves.
    var innerIterations = 0
    var innerStops: [InnerSolveStop: Int] = [:]
    /// Steps taken shortened after a rejection (`backtracking-steps`).
    var backtrackedSteps = 0
    /// The previous linearization's ‖g‖ and η (Eisenstat–Walker), and the first one's ‖g‖
    /// (the gradient ratio).
    var previousGradientNorm = Double.nan, previousForcing = Double.nan, firstGradientNorm = Double.nan

    /// The forcing term's bounds and constants (Eisenstat & Walker 1996, choice 2: γ = 0.9, α = 2).
    static let largestForcing = 0.5, smallestForcing = 0.1
    static let forcingGamma = 0.9
    /// The gradient ratio's lower bound: tight enough that the step is the damped step to about
    /// five digits, as jaxopt's CG tolerance (1e-5) makes it.
    static let smallestGradientRatioForcing = 1e-5

    init(configuration: LevenbergMarquardt.Configuration, fitRun: FitRun, choiceReason: String) {
        self.configuration = configuration
        self.fitRun = fitRun
        self.choiceReason = choiceReason
        jacobian = WeightedFreeJacobianOperator(map: fitRun.map)
        let hints = fitRun.problem.hints
        scalingRule = configuration.scaling ?? hints.matrixFreeScaling ?? .more
        preconditionerRule = configuration.preconditioner ?? hints.matrixFreePreconditioner ?? .jacobi
        forcingRule = configuration.forcing ?? hints.matrixFreeForcing ?? .eisenstatWalker
        backtrackingSteps = configuration.backtrackingSteps ?? hints.matrixFreeBacktrackingSteps ?? 0
        solver = configuration.linearSolver == .lsmr
            ? LSMRDampedSolver() : ConjugateGradientDampedSolver(preconditioner: preconditionerRule)
        initialDamping = configuration.initialDamping ?? hints.matrixFreeInitialDamping ?? hints.initialDamping
            ?? LevenbergMarquardt.certifiedInitialDamping
        m = fitRun.residualCount
        n = fitRun.parameterCount
        x = fitRun.initialFreeParameters
        trialX = x
        residual = Array(repeating: 0, count: m)
        trialResidual = residual
        gradient = Array(repeating: 0, count: n)
        gaussNewtonDiagonal = gradient
        columnNorms = gradient
        scaling = Array(repeating: 1, count: n)
        step = gradient
    }

    /// η for the linearization whose gradient norm is `gradientNorm`: the fixed
    /// `inner-tolerance` when set; otherwise by ``forcingRule``. Eisenstat–Walker:
    /// ``smallestForcing`` first, then γ(‖gₖ‖/‖gₖ₋₁‖)², not below γηₖ₋₁² when that exceeds 0.1
    /// (the safeguard), within [``smallestForcing``, ``largestForcing``]. The gradient ratio:
    /// ‖gₖ‖/‖g₀‖ within [``smallestGradientRatioForcing``, ``largestForcing``].
    mutating func forcingTerm(gradientNorm: Double) -> Double {
        if let fixed = configuration.innerTolerance { return fixed }
        if forcingRule == .gradientRatio {
            if !firstGradientNorm.isFinite { firstGradientNorm = gradientNorm }
            let ratio = firstGradientNorm > 0 ? gradientNorm / firstGradientNorm : 1
            return min(max(ratio, Self.smallestGradientRatioForcing), Self.largestForcing)
        }
        var eta = Self.smallestForcing
        if previousGradientNorm.isFinite, previousGradientNorm > 0 {
            let ratio = gradientNorm / previousGradientNorm
            eta = Self.forcingGamma * ratio * ratio
            let safeguard = Self.forcingGamma * previousForcing * previousForcing
            if safeguard > 0.1 { eta = max(eta, safeguard) }
            eta = min(max(eta, Self.smallestForcing), Self.largestForcing)
        }
        previousGradientNorm = gradientNorm
        previousForcing = eta
        return eta
    }

    mutating func fit() -> FitResult {
        guard let initialCost = fitRun.cost(at: x, residual: &residual) else {
            return finish(cost: .nan, initialCost: .nan, iterations: 0, gradientNorm: .nan, status: .nonFiniteResiduals,
                          message: "the residuals at the starting point contain NaN or infinity")
        }
        if n == 0 {
            return finish(cost: initialCost, initialCost: initialCost, iterations: 0, gradientNorm: 0, status: .gradientBelowTolerance,
                          message: "every parameter is fixed; nothing to fit")
        }
        if let stop = configuration.noStepAllowed {
            return finish(cost: initialCost, initialCost: initialCost, iterations: 0, gradientNorm: .nan, status: stop.status, message: stop.message)
        }
        var state = LevenbergMarquardtState(cost: initialCost)
        do {
            while true { try iterate(&state) }
        } catch let stop {
            return finish(cost: state.cost, initialCost: initialCost, iterations: state.iterations,
                          gradientNorm: state.gradientAtX ? state.gradientInfinity : .nan, status: stop.status, message: stop.message)
        }
    }

    /// Cancellation and `max-time`, asked before each linearization and each trial.
    func checkInterruption() throws(LevenbergMarquardtStop) {
        if let stop = configuration.interruption(of: fitRun.problem, elapsedSeconds: fitRun.elapsed) { throw stop }
    }

    /// One linearization and its trials until one is accepted; throws the stop.
    mutating func iterate(_ state: inout LevenbergMarquardtState) throws(LevenbergMarquardtStop) {
        try checkInterruption()
        try linearize(&state)
        let gnorm = try configuration.testGradient(gradient, columnNorms: columnNorms, residualNorm: state.fnorm)
        if state.first {
            var largest = 0.0
            for j in 0..<n { largest = max(largest, gaussNewtonDiagonal[j] / (scaling[j] * scaling[j])) }
            state.par = initialDamping * largest
        }
        let eta = forcingTerm(gradientNorm: dot(gradient, gradient).squareRoot())
        while true {
            try checkInterruption()
            let outcome = fitRun.timeLinearSolve {
                solver.solve(
                    jacobian: jacobian, residual: residual, gradient: gradient, gaussNewtonDiagonal: gaussNewtonDiagonal,
                    scaling: scaling, damping: state.par, tolerance: eta,
                    maximumIterations: configuration.maximumInnerIterations, into: &step)
            }
            innerIterations += outcome.iterations
            innerStops[outcome.stop, default: 0] += 1
            var trial = LevenbergMarquardtTrial(pnorm: scaledNorm(step, scaling))
            evaluateTrial(&state, &trial, imageNormSquared: outcome.imageNormSquared)
            markRoundingLevel(&state, &trial)
            if trial.ratio < 1e-4, backtrack(&state, &trial, imageNormSquared: outcome.imageNormSquared) {
                backtrackedSteps += 1
                state.par *= 2
                state.nu = 2
            } else {
                state.updateNielsenDamping(ratio: trial.ratio)
            }
            let accepted = trial.ratio >= 1e-4
            fitRun.record(
                iteration: state.iterations + (accepted ? 1 : 0), cost: accepted ? trial.trialCost : state.cost,
                damping: state.par, stepNorm: trial.pnorm, gradientNorm: state.gradientInfinity, accepted: accepted,
                inner: InnerSolveRecord(iterations: outcome.iterations, stop: outcome.stop, tolerance: eta))
            if accepted {
                swap(&x, &trialX)
                swap(&residual, &trialResidual)
                state.cost = trial.trialCost
                state.fnorm = trial.fnorm1
                state.iterations += 1
                state.gradientAtX = false
            }
            state.xnorm = scaledNorm(x, scaling)
            state.first = false
            if let stop = configuration.stop(
                state, trial, size: trial.pnorm, gnorm: gnorm, accepted: accepted, residualEvaluations: fitRun.residualEvaluations) {
                throw stop
            }
            if accepted { return }
        }
    }

    /// Linearizes at x: the operator's forward state, g = J̃ᵀr and diag(J̃ᵀJ̃), booked as
    /// Jacobian time; then the column norms √diag and the scaling D from them (as the dense LM).
    mutating func linearize(_ state: inout LevenbergMarquardtState) throws(LevenbergMarquardtStop) {
        let begin = fitRun.clock.now
        jacobian.linearize(at: x)
        jacobian.transposedWithColumnSquaredNorms(residual, into: &gradient, squaredNorms: &gaussNewtonDiagonal)
        fitRun.timings.jacobianSeconds += fitRun.seconds(fitRun.clock.now - begin)
        fitRun.gradientEvaluations += 1
        fitRun.normalEquationSources[LevenbergMarquardt.matrixFreeSource, default: 0] += 1
        guard gradient.allSatisfy(\.isFinite), gaussNewtonDiagonal.allSatisfy(\.isFinite) else {
            throw LevenbergMarquardtStop(
                status: .nonFiniteJacobian, message: "the gradient or the diagonal of JᵀJ at iteration \(state.iterations) contains NaN or infinity")
        }
        state.gradientAtX = true
        state.gradientInfinity = maximumMagnitude(gradient)
        for j in 0..<n { columnNorms[j] = gaussNewtonDiagonal[j].squareRoot() }
        LevenbergMarquardt.Configuration.updateScaling(
            &scaling, scaling: scalingRule, columnNorms: columnNorms, first: state.first)
        if state.first { state.xnorm = scaledNorm(x, scaling) }
    }


    /// σ̂/√(J̃ᵀJ̃)ⱼⱼ at x (one more linearization; O(n) memory), σ̂² = 2·cost/(m − n), or 1 for
    /// absolute σ; over all parameters, 0 for a fixed one, NaN for a column of zeros.
    func conditionalStandardErrors(cost: Double) -> [Double] {
        jacobian.linearize(at: x)
        var diagonal: [Double] = []
        jacobian.columnSquaredNorms(into: &diagonal)
        let variance = fitRun.problem.absoluteSigma ? 1 : 2 * cost / Double(m - n)
        var errors = Array(repeating: 0.0, count: fitRun.problem.initialParameters.count)
        for (k, index) in jacobian.freeIndices.enumerated() {
            errors[index] = diagonal[k] > 0 ? (variance / diagonal[k]).squareRoot() : .nan
        }
        return errors
    }

    /// The cost at x + αp (α = `scale`, 1 for the step itself), the actual and the model's
    /// relative reductions of ‖r‖² along αp, −(2α gᵀp + α²‖J̃p‖²), and ρ.
    mutating func evaluateTrial(
        _ state: inout LevenbergMarquardtState, _ trial: inout LevenbergMarquardtTrial, imageNormSquared: Double, scale: Double = 1
    ) {
        let fnorm = state.fnorm
        for j in 0..<n { trialX[j] = x[j] + scale * step[j] }
        if let value = fitRun.cost(at: trialX, residual: &trialResidual) {
            trial.trialCost = value
            trial.fnorm1 = (2 * value).squareRoot()
            state.lastTrialFinite = true
            if 0.1 * trial.fnorm1 < fnorm { trial.actred = 1 - (trial.fnorm1 / fnorm) * (trial.fnorm1 / fnorm) }
        } else {
            state.lastTrialFinite = false
        }
        let fnormSquared = fnorm * fnorm
        let stepGradient = dot(step, gradient)
        trial.prered = -(2 * scale * stepGradient + scale * scale * imageNormSquared) / fnormSquared
        trial.dirder = scale * stepGradient / fnormSquared
        trial.ratio = trial.prered > 0 ? trial.actred / trial.prered : 0
    }

    /// `backtracking-steps`: x + αp for α = ½, ¼, … after a rejected p, one residual evaluation
    /// each (``evaluateTrial(_:_:imageNormSquared:scale:)``); the first with ρ ≥ 10⁻⁴ becomes the
    /// step and the trial. Returns whether one did (the caller then doubles λ: the model held
    /// only along a shorter step); otherwise the rejected trial stands as it was.
    mutating func backtrack(_ state: inout LevenbergMarquardtState, _ trial: inout LevenbergMarquardtTrial, imageNormSquared: Double) -> Bool {
        let rejectedFinite = state.lastTrialFinite
        var alpha = 1.0
        for _ in 0..<backtrackingSteps {
            alpha *= 0.5
            var shorter = LevenbergMarquardtTrial(pnorm: trial.pnorm * alpha)
            evaluateTrial(&state, &shorter, imageNormSquared: imageNormSquared, scale: alpha)
            guard shorter.ratio >= 1e-4 else { continue }
            for j in 0..<n { step[j] *= alpha }
            trial = shorter
            return true
        }
        state.lastTrialFinite = rejectedFinite
        return false
    }

    /// As the dense LM: both reductions at rounding level make the step a refinement (ρ = 1).
    func markRoundingLevel(_ state: inout LevenbergMarquardtState, _ trial: inout LevenbergMarquardtTrial) {
        let noise = 64 * Double.ulpOfOne
        trial.roundingLevel = state.lastTrialFinite && abs(trial.prered) <= noise && trial.actred >= -noise && configuration.refinementSteps > 0
        if trial.roundingLevel {
            trial.ratio = 1
            state.roundingLevelSteps += 1
        } else {
            state.roundingLevelSteps = 0
        }
    }


    /// The result: no covariance matrix (it would be n × n); ``FitResult/covarianceNote`` says
    /// why, ``FitResult/conditionalStandardErrors`` stand in for it when m > n, and
    /// ``FitResult/matrixFree`` says what the inner solves did.
    func finish(cost: Double, initialCost: Double, iterations: Int, gradientNorm: Double, status: FitStatus, message: String) -> FitResult {
        fitRun.timings.productSeconds = jacobian.productSeconds
        var result = fitRun.result(
            solver: LevenbergMarquardt.kind, usesJacobian: true, point: x, cost: cost, initialCost: initialCost,
            iterations: iterations, gradientNorm: gradientNorm, status: status, message: message,
            covariance: false, jacobianAtSolution: nil)
        result.jacobianStrategy = jacobian.isMapOwn ? "jacobian-operator" : "pushforward-pullback"
        result.linearSolverUse = [solver.name: result.linearizations]
        result.damping = DampingRule.nielsen.rawValue
        if configuration.covariance {
            if m > n, cost.isFinite { result.conditionalStandardErrors = conditionalStandardErrors(cost: cost) }
            result.covarianceNote = LevenbergMarquardt.matrixFreeCovarianceNote(
                rows: m, columns: n, approximated: result.conditionalStandardErrors != nil)
        }
        result.matrixFree = MatrixFreeStatistics(
            linearSolver: solver.name, reason: choiceReason,
            preconditioner: configuration.linearSolver == .lsmr ? "scaling" : preconditionerRule.rawValue,
            forcing: configuration.innerTolerance == nil ? forcingRule.rawValue : "fixed",
            scaling: scalingRule.rawValue, initialDamping: initialDamping,
            innerIterations: innerIterations, backtrackingSteps: backtrackingSteps, backtrackedSteps: backtrackedSteps,
            innerStops: Dictionary(uniqueKeysWithValues: innerStops.map { ($0.key.rawValue, $0.value) }),
            products: jacobian.products, transposedProducts: jacobian.transposedProducts,
            productSeconds: jacobian.productSeconds, gaussNewtonProductFlops: jacobian.base.gaussNewtonProductFlops,
            workspaceBytes: jacobian.base.workspaceBytes)
        return result
    }
}

/// What the inner solves of a matrix-free Levenberg-Marquardt fit did (``FitResult/matrixFree``).
public struct MatrixFreeStatistics: Sendable, Codable, Equatable {
    /// `cg` or `lsmr`.
    public var linearSolver: String
    /// Why the fit was matrix-free: the `linear-solver` setting, or `auto`'s reason.
    public var reason: String
    /// The inner solver's preconditioner: `jacobi` or `none` (`cg`), `scaling` (`lsmr`: D);
    /// nil in bundles from before the setting.
    public var preconditioner: String?
    /// The inner tolerance's rule: `eisenstat-walker`, `gradient-ratio`, or `fixed`
    /// (`inner-tolerance`); nil in bundles from before the setting.
    public var forcing: String?
    /// The scaling rule D the fit used (the setting or the map's matrix-free hint).
    public var scaling: String
    /// The initial damping factor τ the fit used.
    public var initialDamping: Double
    /// Inner iterations over the whole fit.
    public var innerIterations: Int
    /// The resolved `backtracking-steps` (the setting or the map's hint); nil in bundles from
    /// before the hint.
    public var backtrackingSteps: Int?
    /// Steps taken at ½, ¼, … of a rejected step (`backtracking-steps`); nil in bundles from
    /// before the setting.
    public var backtrackedSteps: Int?
    /// Inner solves per stop reason (``InnerSolveStop`` raw values).
    public var innerStops: [String: Int]
    /// J̃·v products (inner iterations, LSMR's final J̃p).
    public var products: Int
    /// J̃ᵀ·u products of the inner solves (a linearization's gradient J̃ᵀr is computed with the
    /// diagonal of J̃ᵀJ̃ and booked as Jacobian time, not counted here).
    public var transposedProducts: Int
    /// Seconds in those products.
    public var productSeconds: Double
    /// Flops of one J̃ᵀJ̃·v (NaN when the map does not say).
    public var gaussNewtonProductFlops: Double
    /// Bytes of the operator's workspace.
    public var workspaceBytes: Int

    /// Seconds per J̃ᵀJ̃·v (one product each way), NaN before any.
    public var secondsPerGaussNewtonProduct: Double {
        let pairs = Double(min(products, transposedProducts))
        return pairs > 0 ? productSeconds / Double(products + transposedProducts) * 2 : .nan
    }
}
