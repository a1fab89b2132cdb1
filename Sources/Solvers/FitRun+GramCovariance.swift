import LinearAlgebra

extension FitRun {
    /// The covariance, the convergence verdict and ‖Jᵀr‖∞ at `point` from JᵀJ and Jᵀr
    /// assembled by the map (``NormalEquationsAssembling``, e.g. summed over sample blocks), for
    /// a fit whose J has more than the problem's `largestCovarianceJacobian` values or more bytes
    /// than its memory budget (``LeastSquaresProblem/covarianceNeedsGram``); nil when J is small
    /// enough (its SVD is taken) or the map cannot assemble its normal equations unchanged (no
    /// σ weights, fixed parameters, robust loss or bounds), so that the caller forms J.
    func covarianceFromGram(
        at point: [Double], cost: Double, initialCost: Double
    ) -> (covariance: FitCovariance?, verdict: FitConvergence?, gradientNorm: Double)? {
        guard problem.covarianceNeedsGram, problem.loss.isLinear,
              freeLowerBounds == nil, let structured = StructuredNormalEquations(fitRun: self) else { return nil }
        var residual: [Double] = []
        map.evaluate(at: point, into: &residual)
        structured.assembler.formFactors(at: point)
        var gram = Matrix(rows: 0, columns: 0), gradient: [Double] = []
        structured.assembler.assemble(residuals: residual, gram: &gram, gradient: &gradient)
        let covariance = FitCovariance.compute(
            gram: gram, rows: residualCount, cost: cost, freeIndices: map.freeIndices,
            parameterCount: problem.initialParameters.count)
        let verdict = covariance.map {
            FitConvergence.test(
                gram: gram, gradient: gradient, residual: residual, rank: $0.rank, condition: $0.conditionNumber,
                startingNorm: (2 * initialCost).squareRoot())
        }
        return (covariance, verdict, maximumMagnitude(gradient))
    }
}
