import Jacobians
import LinearAlgebra

/// Levenberg-Marquardt's JᵀJ and Jᵀr assembled by the map itself (``NormalEquationsAssembling``,
/// e.g. a two-layer network from per-sample factors, a deeper one over sample blocks), in
/// place of the strategy's Jacobian, dsyrk and gemv: J is never formed.
///
/// Offered only when the solver sees the map unchanged — no fixed parameters and no σ
/// weights — and the map offers an assembler.
final class StructuredNormalEquations {
    let assembler: any NormalEquationsAssembler

    /// The assembly for `fitRun`'s problem, or nil when it does not qualify.
    init?(fitRun: FitRun) {
        guard let map = fitRun.problem.map as? any NormalEquationsAssembling,
              fitRun.map.isIdentityEmbedding, fitRun.map.inverseSigma == nil,
              let assembler = map.makeNormalEquationsAssembler() else { return nil }
        self.assembler = assembler
    }

    /// JᵀJ into `cholesky`'s Gram matrix (ahead of its `factorFormedGram`) and Jᵀr into
    /// `gradient`, at `point` with its residuals `residual`. The factors (one forward sweep with
    /// derivatives) are booked as Jacobian time, the products as Gram (linear-solve) time; a
    /// successful assembly counts as `structured` in the fitRun's `normalEquationSources`.
    /// False, with nothing counted, when JᵀJ or Jᵀr is not finite (the caller then takes the
    /// Jacobian, which reports what is wrong).
    func assemble(
        at point: [Double], residual: [Double], fitRun: FitRun, cholesky: CholeskyDampedSystem,
        gradient: inout [Double]
    ) -> Bool {
        let begin = fitRun.clock.now
        assembler.formFactors(at: point)
        fitRun.timings.jacobianSeconds += fitRun.seconds(fitRun.clock.now - begin)
        let n = assembler.parameterCount
        let rowSecondsBefore = assembler.rowSeconds
        // Rows formed inside the assembly (sample-blocked maps) are Jacobian work, not Gram.
        let usable = fitRun.timeLinearSolve {
            cholesky.formGram(columns: n, excludingSeconds: { assembler.rowSeconds - rowSecondsBefore }) { gram in
                assembler.assemble(residuals: residual, gram: &gram, gradient: &gradient)
            }
        }
        let rowSeconds = assembler.rowSeconds - rowSecondsBefore
        fitRun.timings.jacobianSeconds += rowSeconds
        fitRun.timings.linearSolveSeconds -= rowSeconds
        guard usable, allFinite(gradient) else { return false }
        fitRun.normalEquationSources[LevenbergMarquardt.NormalEquations.structured.rawValue, default: 0] += 1
        return true
    }
}
