import Jacobians

/// The rules the dense and the matrix-free Levenberg-Marquardt runs share: interruption, the
/// scaling D, the gradient test, Nielsen's damping update and the stopping tests.
extension LevenbergMarquardt.Configuration {
    /// The stop for a cancelled problem or for `max-time` reached after `elapsedSeconds`; nil to go on.
    func interruption(of problem: LeastSquaresProblem, elapsedSeconds: Double) -> LevenbergMarquardtStop? {
        if problem.isCancelled {
            return LevenbergMarquardtStop(status: .cancelled, message: LeastSquaresProblem.cancellationMessage)
        }
        if let stop = timeLimitStop(elapsedSeconds: elapsedSeconds) {
            return LevenbergMarquardtStop(status: stop.status, message: stop.message)
        }
        return nil
    }

    /// D from the column norms ‖J̃ⱼ‖ under the resolved `scaling`: the first time ‖J̃ⱼ‖ (1 for a
    /// zero column, or for `levenberg`); then Moré's running maximum, Marquardt's current
    /// non-zero norms, or Levenberg's unchanged D = I.
    static func updateScaling(_ diagonal: inout [Double], scaling: LevenbergMarquardt.Scaling, columnNorms: [Double], first: Bool) {
        if first {
            for j in diagonal.indices { diagonal[j] = scaling == .levenberg || columnNorms[j] == 0 ? 1 : columnNorms[j] }
            return
        }
        switch scaling {
        case .more: for j in diagonal.indices { diagonal[j] = max(diagonal[j], columnNorms[j]) }
        case .marquardt: for j in diagonal.indices where columnNorms[j] > 0 { diagonal[j] = columnNorms[j] }
        case .levenberg: break
        }
    }

    /// The largest cosine between r (of norm `residualNorm`) and a column of J̃, from g = J̃ᵀr and
    /// the column norms; throws the `gtol` stop when it is at most `gtol`.
    func testGradient(_ gradient: [Double], columnNorms: [Double], residualNorm: Double) throws(LevenbergMarquardtStop) -> Double {
        var gnorm = 0.0
        if residualNorm != 0 {
            for j in gradient.indices where columnNorms[j] != 0 { gnorm = max(gnorm, abs(gradient[j] / (columnNorms[j] * residualNorm))) }
        }
        if gnorm <= gtol {
            throw LevenbergMarquardtStop(
                status: .gradientBelowTolerance,
                message: "the cosine between the residuals and every Jacobian column is at most gtol = \(gtol)")
        }
        return gnorm
    }

    /// MINPACK's tests (ftol, xtol on `size` — Δ, or ‖Dp‖ under Nielsen damping — and both),
    /// the limits, the target cost and rounding level; a converged status is never reported
    /// when the last trial point was not finite. Nil to go on.
    func stop(
        _ state: LevenbergMarquardtState, _ trial: LevenbergMarquardtTrial, size: Double, gnorm: Double, accepted: Bool,
        residualEvaluations: Int
    ) -> LevenbergMarquardtStop? {
        let epsilon = Double.ulpOfOne
        let refining = trial.roundingLevel && state.roundingLevelSteps < refinementSteps
        let ftolMet = !refining && abs(trial.actred) <= ftol && trial.prered <= ftol && 0.5 * trial.ratio <= 1
        let xtolMet = size <= xtol * (state.xnorm + xtol)
        var stop: LevenbergMarquardtStop?
        if accepted, let target = targetCost, state.cost <= target {
            stop = LevenbergMarquardtStop(status: .targetCostReached, message: "the cost reached target-cost = \(target)")
        } else if ftolMet && xtolMet {
            stop = LevenbergMarquardtStop(
                status: .costAndStepBelowTolerance,
                message: "relative cost reduction ≤ ftol = \(ftol) and relative step ≤ xtol = \(xtol)")
        } else if ftolMet {
            stop = LevenbergMarquardtStop(
                status: .costReductionBelowTolerance,
                message: "actual and predicted relative cost reductions are at most ftol = \(ftol)")
        } else if xtolMet {
            stop = LevenbergMarquardtStop(
                status: .stepBelowTolerance,
                message: "the scaled step is at most xtol = \(xtol) relative to the scaled parameters")
        } else if residualEvaluations >= maximumEvaluations {
            stop = LevenbergMarquardtStop(
                status: .maximumEvaluations, message: "reached max-evaluations = \(maximumEvaluations) residual evaluations")
        } else if state.iterations >= maximumIterations {
            stop = LevenbergMarquardtStop(status: .maximumIterations, message: "reached max-iterations = \(maximumIterations)")
        } else if trial.roundingLevel && state.roundingLevelSteps >= refinementSteps {
            stop = LevenbergMarquardtStop(
                status: .machinePrecision,
                message: "the cost no longer changes measurably in double precision; stopped after \(state.roundingLevelSteps) refinement steps at rounding level")
        } else if (!refining && abs(trial.actred) <= epsilon && trial.prered <= epsilon && 0.5 * trial.ratio <= 1)
                    || size <= epsilon * state.xnorm || gnorm <= epsilon || !state.par.isFinite {
            stop = LevenbergMarquardtStop(status: .machinePrecision, message: "no further reduction of the cost is possible in double precision")
        }
        guard var reached = stop else { return nil }
        if reached.status.isConverged, !state.lastTrialFinite {
            reached = LevenbergMarquardtStop(
                status: .nonFiniteResiduals,
                message: "the residuals are NaN or infinite at every trial point near the current parameters (last stop test: \(reached.status.rawValue))")
        }
        return reached
    }
}

extension LevenbergMarquardtState {
    /// Nielsen's update of λ from the ratio ρ of a trial: λ·max(⅓, 1 − (2ρ − 1)³) and ν = 2 when
    /// ρ > 10⁻⁴, else λ·ν and ν doubled.
    mutating func updateNielsenDamping(ratio: Double) {
        if ratio > 1e-4 {
            let t = 2 * ratio - 1
            par *= max(1.0 / 3.0, 1 - t * t * t)
            nu = 2
        } else {
            par *= nu
            nu *= 2
        }
    }
}
