import LinearAlgebra
import NeuralNetworks

/// Levenberg-Marquardt's JᵀJ and Jᵀr for a two-layer network assembled from per-sample factors
/// (`MultilayerPerceptronResidualMap.assembleNormalEquations`), in place of the strategy's
/// Jacobian, dsyrk and gemv: about p times fewer flops, and J is never formed.
///
/// Offered only when the solver sees the network's map unchanged — no fixed parameters and
/// no σ weights — and the network has two layers with an identity output layer.
final class StructuredNormalEquations {
    let map: MultilayerPerceptronResidualMap
    let workspace: TwoLayerNormalEquationsWorkspace

    /// The assembly for `evaluator`'s problem, or nil when it does not qualify.
    init?(evaluator: FitEvaluator) {
        guard let map = evaluator.problem.map as? MultilayerPerceptronResidualMap,
              evaluator.map.isIdentityEmbedding, evaluator.map.inverseSigma == nil,
              let workspace = map.makeNormalEquationsWorkspace() else { return nil }
        self.map = map
        self.workspace = workspace
    }

    /// JᵀJ into `cholesky`'s Gram matrix (ahead of its `factorFormedGram`) and Jᵀr into
    /// `gradient`, at `point` with its residuals `residual`. The factors (one forward sweep with
    /// derivatives) are booked as Jacobian time, the products as Gram (linear-solve) time; a
    /// successful assembly counts as `structured` in the evaluator's `normalEquationSources`.
    /// False, with nothing counted, when JᵀJ or Jᵀr is not finite (the caller then takes the
    /// Jacobian, which reports what is wrong).
    func assemble(
        at point: [Double], residual: [Double], evaluator: FitEvaluator, cholesky: CholeskyDampedSystem,
        gradient: inout [Double]
    ) -> Bool {
        let begin = evaluator.clock.now
        map.formNormalEquationFactors(at: point, in: workspace)
        evaluator.timings.jacobianSeconds += evaluator.seconds(evaluator.clock.now - begin)
        let n = workspace.parameterCount
        let usable = evaluator.timeLinearSolve {
            cholesky.formGram(columns: n) { gram in
                map.assembleNormalEquations(residuals: residual, in: workspace, gram: &gram, gradient: &gradient)
            }
        }
        guard usable, allFinite(gradient) else { return false }
        evaluator.normalEquationSources[LevenbergMarquardt.NormalEquations.structured.rawValue, default: 0] += 1
        return true
    }
}
