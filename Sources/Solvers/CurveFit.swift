import Jacobians

/// Fits a ``CurveModel`` (a user's closure y = f(x, θ)) to data in one call, like SciPy's
/// `curve_fit`: minimises ½ Σ ((y_i − f(x_i, θ))/σ_i)² and returns the ``FitResult`` every
/// solver returns (parameters, cost, standard errors, trace, timings).
///
///     let model = CurveModel { (t: Double, θ: [Double]) in θ[0] * exp(-θ[1] * t) + θ[2] }
///     let fit = try CurveFit.fit(model, x: t, y: y, initial: [1, 1, 0], names: ["a", "k", "c"])
///
/// The Jacobian is taken by the model's own method (``CurveResiduals/jacobianStrategy``):
/// central differences for a plain closure, the complex step for a complex one, the compiler's
/// pullbacks (`per-sample`) for a differentiable one; `jacobian:` overrides it.
public enum CurveFit {
    /// The least-squares problem of fitting `model` to (x, y), checked, for callers that set
    /// more (bounds, a robust loss, fixed parameters, observers) before calling a solver.
    ///
    /// - Parameters:
    ///   - model: the closure and its derivative method.
    ///   - x: S inputs (`Double`, or `[Double]` with the same count each), finite.
    ///   - y: S observations (`Double`, or `[Double]` with p ≥ 1 outputs each), finite.
    ///   - initial: θ₀, n ≥ 1 finite values; also the typical scale of central-difference steps.
    ///   - sigma: σ per observation, shaped as y, positive and finite; nil: unit weights.
    ///   - absoluteSigma: curve_fit's `absolute_sigma` (false: σ are relative weights and the
    ///     covariance is scaled by the reduced χ²).
    ///   - names: one name per parameter for reports; nil: `p0`, `p1`, ….
    ///   - jacobian: the strategy; nil: the model's own (``CurveResiduals/jacobianStrategy``).
    /// - Throws: ``CurveFitError`` naming the argument (and sample) that does not fit, including
    ///   a closure that returns the wrong number of values, or a non-finite value, at θ₀.
    public static func problem<Input: CurveInput, Output: CurveOutput>(
        _ model: CurveModel<Input, Output>, x: [Input], y: [Output], initial: [Double], sigma: [Output]? = nil,
        absoluteSigma: Bool = false, names: [String]? = nil, jacobian: (any JacobianStrategy)? = nil
    ) throws -> LeastSquaresProblem {
        guard !initial.isEmpty else { throw CurveFitError.noParameters }
        if let index = initial.firstIndex(where: { !$0.isFinite }) {
            throw CurveFitError.nonFiniteInitialParameter(index: index, value: initial[index])
        }
        let map = try model.residuals(x: x, y: y, parameterCount: initial.count, typicalScale: initial.map { abs($0) })
        var standardDeviations: [Double]?
        if let sigma {
            guard sigma.count == y.count else { throw CurveFitError.sigmaCountMismatch(samples: y.count, sigma: sigma.count) }
            let p = try CurveData.outputCount(of: sigma, argument: "sigma", expected: map.outputsPerSample)
            var flat: [Double] = []
            flat.reserveCapacity(map.outputCount)
            for (sample, value) in sigma.enumerated() {
                for d in 0..<p {
                    let s = value.curveValue(at: d)
                    guard s > 0 else { throw CurveFitError.nonPositiveSigma(sample: sample, value: s) }
                    flat.append(s)
                }
            }
            standardDeviations = flat
        }
        if let names, names.count != initial.count {
            throw CurveFitError.parameterNameCountMismatch(parameters: initial.count, names: names.count)
        }
        try map.check(at: initial)
        var problem = LeastSquaresProblem(
            map: map, initialParameters: initial, standardDeviations: standardDeviations,
            jacobianStrategy: jacobian ?? map.jacobianStrategy, parameterNames: names)
        problem.absoluteSigma = absoluteSigma
        if let failure = problem.validationFailure { throw CurveFitError.invalidProblem(failure) }
        return problem
    }

    /// Fits `model` to (x, y) with `solver` (Levenberg-Marquardt with its defaults unless
    /// given) and returns its ``FitResult``. Arguments as in
    /// ``problem(_:x:y:initial:sigma:absoluteSigma:names:jacobian:)``.
    ///
    /// - Throws: ``CurveFitError`` for arguments that do not fit (before any solver runs); a
    ///   fit that runs never throws, it ends with a ``FitStatus``.
    public static func fit<Input: CurveInput, Output: CurveOutput, Solver: LeastSquaresSolver>(
        _ model: CurveModel<Input, Output>, x: [Input], y: [Output], initial: [Double], sigma: [Output]? = nil,
        absoluteSigma: Bool = false, names: [String]? = nil, solver: Solver = LevenbergMarquardt(),
        jacobian: (any JacobianStrategy)? = nil
    ) throws -> FitResult {
        let problem = try problem(
            model, x: x, y: y, initial: initial, sigma: sigma, absoluteSigma: absoluteSigma, names: names, jacobian: jacobian)
        return solver.fit(problem)
    }
}
