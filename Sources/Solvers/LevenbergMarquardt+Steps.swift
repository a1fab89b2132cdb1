import Jacobians
import LinearAlgebra

/// What carries over between the steps of a Levenberg-Marquardt fit (MINPACK's names where
/// it has them).
struct LevenbergMarquardtState {
    /// ½‖r‖² at x.
    var cost: Double
    /// ‖r‖ at x.
    var fnorm: Double
    /// Trust radius Δ (trust-region damping).
    var delta = 0.0
    /// ‖D x‖.
    var xnorm = 0.0
    /// The damping λ.
    var par = 0.0
    /// Nielsen's ν.
    var nu = 2.0
    /// Accepted steps.
    var iterations = 0
    /// Before the first accepted or rejected trial.
    var first = true
    /// ‖Jᵀr‖∞ at x.
    var gradientInfinity = Double.nan
    /// Whether `jacobian` holds J at x (for the covariance), and whether `gradient` is Jᵀr at x.
    var jacobianAtX = false, gradientAtX = false
    /// Whether the last trial point had finite residuals.
    var lastTrialFinite = true
    /// Consecutive trial steps at rounding level.
    var roundingLevelSteps = 0

    init(cost: Double) {
        self.cost = cost
        fnorm = (2 * cost).squareRoot()
    }
}

/// How a fit ends: its status and the message saying why.
struct LevenbergMarquardtStop: Error {
    var status: FitStatus
    var message: String
}

/// One trial step: its scaled norm and the reductions that judge it.
struct LevenbergMarquardtTrial {
    /// ‖D p‖.
    var pnorm: Double
    /// Whether the geodesic correction was added to the step, or rejected (then no trial point).
    var geodesic = false, accelerationRejected = false
    /// Actual and predicted relative reductions of ‖r‖², the directional derivative, their ratio ρ.
    var actred = -1.0, prered = 0.0, dirder = 0.0, ratio = 0.0
    /// The cost and ‖r‖ at the trial point.
    var trialCost = Double.nan, fnorm1 = Double.infinity
    /// Whether both reductions are below rounding of ‖r‖² (the step is taken as refinement).
    var roundingLevel = false
    /// Whether x + p left the bounds and the step became the projected P(x + p) − x.
    var projected = false

    init(pnorm: Double) { self.pnorm = pnorm }
}

extension LevenbergMarquardtRun {
    var trustRegion: Bool { damping == .trustRegion }

    /// One iteration: linearize at x, then trial steps until one is accepted; throws the stop.
    mutating func iterate(_ state: inout LevenbergMarquardtState) throws(LevenbergMarquardtStop) {
        try checkCancellation()
        let assembled = try linearize(&state)
        updateScaling(&state)
        let gnorm = try testGradient(state)
        var system = factoredSystem(assembled: assembled)
        if state.first && !trustRegion { state.par = initialDamping * largestScaledColumnNormSquared() }
        var rankCounted = false
        while true {
            try checkCancellation()
            solveDampedSystem(system, &state)
            // After the first solve: the normal equations then know the rank from the factor
            // they needed anyway (λ = 0 is never factored under Nielsen damping).
            if !rankCounted {
                rankCounted = true
                if !system.isFullRank { fitRun.rankDeficientJacobians += 1 }
            }
            var trial = LevenbergMarquardtTrial(pnorm: scaledNorm(step, diagonal))
            if state.first && trustRegion { state.delta = min(state.delta, trial.pnorm) }
            if configuration.geodesicAcceleration && trial.pnorm > 0 { addGeodesicCorrection(system, state, &trial) }
            if !trial.accelerationRejected { evaluateTrial(system, assembled: assembled, &state, &trial) }
            markRoundingLevel(&state, &trial)
            updateDamping(&state, trial)
            let accepted = acceptOrReject(&state, trial)
            if let replacement = abandonStalledCholesky(system, assembled: assembled, accepted: accepted, gnorm: gnorm, state) {
                system = replacement
            }
            try testStopping(state, trial, gnorm: gnorm, accepted: accepted)
            if accepted { return }
        }
    }

    /// Cancellation and `max-time`, asked before each linearization and each trial.
    func checkCancellation() throws(LevenbergMarquardtStop) {
        if let stop = configuration.interruption(of: fitRun.problem, elapsedSeconds: fitRun.elapsed) { throw stop }
    }

    /// J (or JᵀJ and Jᵀr assembled by the map, without J) at x, the column norms and
    /// Jᵀr; returns whether they were assembled.
    mutating func linearize(_ state: inout LevenbergMarquardtState) throws(LevenbergMarquardtStop) -> Bool {
        let assembled = structured?.assemble(
            at: x, residual: residual, fitRun: fitRun, cholesky: cholesky, gradient: &gradient) ?? false
        if assembled {
            cholesky.columnNorms(into: &columnNorms)
        } else {
            guard fitRun.jacobian(at: x, into: &jacobian) else {
                if structured != nil, let error = fitRun.jacobianError {
                    // The assembly was not finite, and J, which would say where, is too large.
                    throw LevenbergMarquardtStop(
                        status: .nonFiniteJacobian,
                        message: "JᵀJ or Jᵀr assembled at iteration \(state.iterations) contains NaN or infinity (\(error))")
                }
                if let error = fitRun.jacobianError { throw LevenbergMarquardtStop(status: .jacobianFailed, message: error) }
                throw LevenbergMarquardtStop(
                    status: .nonFiniteJacobian, message: "the Jacobian at iteration \(state.iterations) contains NaN or infinity")
            }
            state.jacobianAtX = true
            fitRun.normalEquationSources[LevenbergMarquardt.NormalEquations.fromJacobian.rawValue, default: 0] += 1
            if !loss.isLinear {
                LossScaledLinearization.apply(loss, residual: residual, jacobian: &jacobian, scaledResidual: &scaledResidual)
            }
            if !heldOnBound.isEmpty { holdParametersOnBounds() }
            if normalEquationsFirst {
                // The normal equations are taken whatever the conditioning: form JᵀJ now and
                // read ‖Jⱼ‖ off its diagonal instead of another pass over J.
                fitRun.timeLinearSolve { cholesky.formGram(of: jacobian) }
                cholesky.columnNorms(into: &columnNorms)
            } else {
                columnEuclideanNorms(of: jacobian, into: &columnNorms)
            }
            multiply(jacobian, linearizedResidual, transposeA: .transposed, into: &gradient)
        }
        state.gradientAtX = true
        state.gradientInfinity = maximumMagnitude(gradient)
        return assembled
    }

    /// D from the column norms (`scaling`), and Δ₀ = `initial-step-bound`·‖D x₀‖ the first time.
    mutating func updateScaling(_ state: inout LevenbergMarquardtState) {
        LevenbergMarquardt.Configuration.updateScaling(
            &diagonal, scaling: configuration.scaling ?? .more, columnNorms: columnNorms, first: state.first)
        if state.first {
            state.xnorm = scaledNorm(x, diagonal)
            state.delta = configuration.initialStepBound * state.xnorm
            if state.delta == 0 { state.delta = configuration.initialStepBound }
        }
    }

    /// The largest cosine between r and a column of J; stops when it is at most `gtol`.
    func testGradient(_ state: LevenbergMarquardtState) throws(LevenbergMarquardtStop) -> Double {
        try configuration.testGradient(gradient, columnNorms: columnNorms, residualNorm: state.fnorm)
    }

    /// maxⱼ ‖Jⱼ‖²/Dⱼ², which Nielsen's λ₀ = τ·that scales.
    func largestScaledColumnNormSquared() -> Double {
        var largest = 0.0
        for j in 0..<n { largest = max(largest, columnNorms[j] * columnNorms[j] / (diagonal[j] * diagonal[j])) }
        return largest
    }

    /// The step p: Moré's λ search for the trust radius, or the system at Nielsen's λ.
    mutating func solveDampedSystem(_ system: any DampedLeastSquaresSystem, _ state: inout LevenbergMarquardtState) {
        let trustRegion = self.trustRegion
        fitRun.timeLinearSolve {
            if trustRegion {
                trustRegionStep(system: system, diagonal: diagonal, radius: state.delta, gradient: gradient,
                                damping: &state.par, step: &step, scratch: &scratch)
            } else {
                system.solve(damping: state.par, diagonal: diagonal, into: &step)
            }
        }
    }

    /// Transtrum & Sethna's geodesic acceleration: a = −(JᵀJ + λD²)⁻¹Jᵀr_vv from a finite
    /// difference of r along p, added as ½a when 2‖D a‖/‖D p‖ ≤ `acceleration-ratio`.
    mutating func addGeodesicCorrection(
        _ system: any DampedLeastSquaresSystem, _ state: LevenbergMarquardtState, _ trial: inout LevenbergMarquardtTrial
    ) {
        let h = configuration.geodesicStep
        for j in 0..<n { trialX[j] = x[j] + h * step[j] }
        guard fitRun.cost(at: trialX, residual: &geodesicResidual) != nil else {
            trial.accelerationRejected = true
            return
        }
        multiply(jacobian, step, into: &jacobianStep)
        for i in 0..<m {
            secondDerivative[i] = (2 / h) * ((geodesicResidual[i] - residual[i]) / h - jacobianStep[i])
        }
        fitRun.timeLinearSolve {
            system.useRightHandSide(secondDerivative, jacobian: jacobian)
            system.solve(damping: state.par, diagonal: diagonal, into: &acceleration)
            system.useResidual()
        }
        let ratio = 2 * scaledNorm(acceleration, diagonal) / trial.pnorm
        if ratio <= configuration.accelerationRatio && ratio.isFinite {
            for j in 0..<n { step[j] += 0.5 * acceleration[j] }
            trial.pnorm = scaledNorm(step, diagonal)
            trial.geodesic = true
        } else {
            trial.accelerationRejected = true
        }
    }

    /// The cost at x + p, the actual and predicted relative reductions and their ratio ρ.
    mutating func evaluateTrial(
        _ system: any DampedLeastSquaresSystem, assembled: Bool, _ state: inout LevenbergMarquardtState,
        _ trial: inout LevenbergMarquardtTrial
    ) {
        let fnorm = state.fnorm
        for j in 0..<n { trialX[j] = x[j] + step[j] }
        if !heldOnBound.isEmpty, projectTrialPoint() {
            trial.projected = true
            trial.pnorm = scaledNorm(step, diagonal)
        }
        if let value = fitRun.cost(at: trialX, residual: &trialResidual) {
            trial.trialCost = value
            trial.fnorm1 = (2 * value).squareRoot()
            state.lastTrialFinite = true
            if 0.1 * trial.fnorm1 < fnorm { trial.actred = 1 - (trial.fnorm1 / fnorm) * (trial.fnorm1 / fnorm) }
        } else {
            state.lastTrialFinite = false
        }
        // ‖J p‖²: under Nielsen damping on the normal equations, or without J (structured),
        // from JᵀJ (n² instead of mn flops per trial); otherwise from J p as in MINPACK.
        let fromGram = system === cholesky && (!trustRegion || assembled)
        if !fromGram { multiply(jacobian, step, into: &jacobianStep) }
        let fnormSquared = fnorm * fnorm
        var stepGradient = 0.0
        for j in 0..<n { stepGradient += step[j] * gradient[j] }
        if trial.geodesic || trial.projected {
            // p no longer solves the damped system: the model's reduction along p itself.
            var jsSquared = 0.0
            if fromGram {
                jsSquared = cholesky.squaredImageNorm(step)
            } else {
                for value in jacobianStep { jsSquared += value * value }
            }
            trial.prered = -(2 * stepGradient + jsSquared) / fnormSquared
        } else {
            let temp1Squared: Double
            if fromGram {
                temp1Squared = cholesky.squaredImageNorm(step) / fnormSquared
            } else {
                let temp1 = euclideanNorm(jacobianStep) / fnorm
                temp1Squared = temp1 * temp1
            }
            let temp2 = state.par.squareRoot() * trial.pnorm / fnorm
            trial.prered = temp1Squared + 2 * temp2 * temp2
        }
        trial.dirder = stepGradient / fnormSquared
        trial.ratio = trial.prered != 0 ? trial.actred / trial.prered : 0
        // A projected step the model itself says goes uphill is never taken: the region shrinks
        // until the projected step is a descent step (it is, near a non-stationary point).
        if trial.projected && trial.prered <= 0 { trial.ratio = 0 }
    }

    /// Near the solution both reductions sink below rounding of ‖r‖², and their ratio is
    /// noise. The step itself, from the accurately computed Jᵀr, still improves the
    /// parameters: it is taken as a refinement step (ρ = 1) instead of shrinking the region.
    func markRoundingLevel(_ state: inout LevenbergMarquardtState, _ trial: inout LevenbergMarquardtTrial) {
        let noise = 64 * Double.ulpOfOne
        trial.roundingLevel = state.lastTrialFinite && !trial.accelerationRejected && trial.prered <= noise
            && trial.actred >= -noise && configuration.refinementSteps > 0
        if trial.roundingLevel {
            trial.ratio = 1
            state.roundingLevelSteps += 1
        } else {
            state.roundingLevelSteps = 0
        }
    }

    /// Moré's radius update from ρ, or Nielsen's λ update.
    func updateDamping(_ state: inout LevenbergMarquardtState, _ trial: LevenbergMarquardtTrial) {
        if trustRegion {
            if trial.accelerationRejected {
                state.delta = 0.5 * min(state.delta, trial.pnorm)
                state.par *= 2
            } else if trial.ratio <= 0.25 {
                var temp = trial.actred >= 0 ? 0.5 : 0.5 * trial.dirder / (trial.dirder + 0.5 * trial.actred)
                if 0.1 * trial.fnorm1 >= state.fnorm || !(temp >= 0.1) { temp = 0.1 }
                state.delta = temp * min(state.delta, trial.pnorm / 0.1)
                state.par /= temp
            } else if state.par == 0 || trial.ratio >= 0.75 {
                state.delta = trial.pnorm / 0.5
                state.par *= 0.5
            }
        } else {
            state.updateNielsenDamping(ratio: trial.ratio)
        }
    }

    /// `auto`'s Cholesky path stalls when ``LevenbergMarquardt/choleskyStallRejections`` trials
    /// in a row are rejected while the scaled gradient `gnorm` is still above
    /// ``FitConvergence/gradientTolerance`` (far from a stationary point, so the rejections are
    /// not the rounding-level steps at the end of a fit, but the normal equations' lost digits
    /// misleading the step): from then on QR factors every Jacobian, starting with this one
    /// (returned), and the switch is recorded (``FitResult/linearSolverSwitch`` and the fit's
    /// message). Only for `auto` guarded by a condition threshold (a map hinting "always
    /// Cholesky", a network, keeps it), and only when J itself is at hand.
    mutating func abandonStalledCholesky(
        _ system: any DampedLeastSquaresSystem, assembled: Bool, accepted: Bool, gnorm: Double, _ state: LevenbergMarquardtState
    ) -> (any DampedLeastSquaresSystem)? {
        guard system === cholesky, configuration.linearSolver == .auto, minimumReciprocalCondition > 0, !assembled,
              !choleskyAbandoned
        else { return nil }
        guard gnorm > FitConvergence.gradientTolerance else {
            choleskyRejectionsInARow = 0
            return nil
        }
        if accepted {
            choleskyRejectionsInARow = 0
            return nil
        }
        choleskyRejectionsInARow += 1
        guard choleskyRejectionsInARow >= LevenbergMarquardt.choleskyStallRejections else { return nil }
        choleskyAbandoned = true
        linearSolverSwitch = "cholesky → qr at iteration \(state.iterations) after \(choleskyRejectionsInARow) rejected trials in a row"
        return fitRun.timeLinearSolve {
            _ = qr.factor(jacobian: jacobian, residual: linearizedResidual, gradient: gradient, diagonal: diagonal)
            fitRun.linearSolverUse[qr.name, default: 0] += 1
            return qr
        }
    }

    /// Takes the trial point when ρ ≥ 10⁻⁴ (and no rejected acceleration); records the trial.
    mutating func acceptOrReject(_ state: inout LevenbergMarquardtState, _ trial: LevenbergMarquardtTrial) -> Bool {
        let accepted = !trial.accelerationRejected && trial.ratio >= 1e-4
        fitRun.record(
            iteration: state.iterations + (accepted ? 1 : 0), cost: accepted ? trial.trialCost : state.cost,
            damping: trustRegion ? state.delta : state.par, stepNorm: trial.pnorm, gradientNorm: state.gradientInfinity,
            accepted: accepted)
        if accepted {
            swap(&x, &trialX)
            swap(&residual, &trialResidual)
            state.cost = trial.trialCost
            state.fnorm = trial.fnorm1
            state.xnorm = scaledNorm(x, diagonal)
            state.iterations += 1
            state.jacobianAtX = false
            state.gradientAtX = false
        }
        state.first = false
        return accepted
    }

    /// The shared stopping tests (``LevenbergMarquardt/Configuration/stop(_:_:size:gnorm:accepted:residualEvaluations:)``)
    /// with the trust radius Δ, or ‖Dp‖ under Nielsen damping, as the step size.
    func testStopping(
        _ state: LevenbergMarquardtState, _ trial: LevenbergMarquardtTrial, gnorm: Double, accepted: Bool
    ) throws(LevenbergMarquardtStop) {
        if let stop = configuration.stop(
            state, trial, size: trustRegion ? state.delta : trial.pnorm, gnorm: gnorm, accepted: accepted,
            residualEvaluations: fitRun.residualEvaluations) {
            throw stop
        }
    }
}

extension LevenbergMarquardtRun {
    /// With bounds, at a new linearization: a parameter on a bound whose gradient component
    /// points out of the box is held there for this iteration — its Jacobian column is zeroed
    /// (so its gradient component is 0 and the damped step leaves it in place). J is already
    /// rescaled for the loss; the gradient is computed here from it.
    mutating func holdParametersOnBounds() {
        guard let lower = fitRun.freeLowerBounds, let upper = fitRun.freeUpperBounds else { return }
        multiply(jacobian, linearizedResidual, transposeA: .transposed, into: &gradient)
        for j in 0..<n {
            heldOnBound[j] = (x[j] <= lower[j] && gradient[j] > 0) || (x[j] >= upper[j] && gradient[j] < 0)
            if heldOnBound[j] { for i in 0..<m { jacobian.elements[i * n + j] = 0 } }
        }
    }

    /// Projects the trial point x + p onto the bounds; when it moved, the step becomes
    /// p = P(x + p) − x (held parameters stay exactly on their bound). Returns whether it moved.
    mutating func projectTrialPoint() -> Bool {
        guard let lower = fitRun.freeLowerBounds, let upper = fitRun.freeUpperBounds else { return false }
        var moved = false
        for j in 0..<n {
            let clamped = heldOnBound[j] ? x[j] : min(max(trialX[j], lower[j]), upper[j])
            if clamped != trialX[j] {
                trialX[j] = clamped
                step[j] = clamped - x[j]
                moved = true
            }
        }
        return moved
    }
}
