import _Differentiation

/// The residuals of a ``CurveModel`` given as a `@differentiable(reverse)` closure: a
/// ``CurveResiduals`` whose Jacobian comes from the Swift compiler's reverse mode, exact to
/// rounding, and which conforms to ``SwiftDifferentiableMap`` so `swift-autodiff` applies.
///
/// - J, U·J, J·V and the per-sample rows: per sample one `valueWithPullback` of f(x_s, ·) and
///   p pullbacks (S·p in all, cached per point); `per-sample` therefore costs S·p small pullbacks.
/// - ``differentiableOutput(at:)``: the whole residual vector as one differentiable function,
///   for `swift-autodiff` (m pullbacks through all S samples: O(m²), a reference, not a fast path).
public final class DifferentiableCurveResiduals<Input: CurveInput>: CurveResiduals<Input>, SwiftDifferentiableMap {
    private let sample: @differentiable(reverse) (@noDerivative Input, [Double]) -> [Double]

    init(
        sample: @escaping @differentiable(reverse) (@noDerivative Input, [Double]) -> [Double], body: CurveBody<Input>,
        inputs: [Input], observations: [Double], outputsPerSample: Int, parameterCount: Int, typicalScale: [Double]?
    ) {
        self.sample = sample
        super.init(
            body: body, inputs: inputs, observations: observations, outputsPerSample: outputsPerSample,
            parameterCount: parameterCount, typicalScale: typicalScale)
    }

    /// r(θ) = y − f(x, θ) sample by sample, differentiable with respect to θ (NaN residuals for
    /// a sample whose closure returns another count than p).
    @differentiable(reverse)
    public func differentiableOutput(at point: [Double]) -> [Double] {
        let p = outputsPerSample
        var residuals: [Double] = []
        for index in 0..<withoutDerivative(at: inputs.count) {
            let values = sample(inputs[index], point)
            if withoutDerivative(at: values.count) == p {
                for d in 0..<p {
                    residuals.append(withoutDerivative(at: observations[index * p + d]) - values[d])
                }
            } else {
                for _ in 0..<p { residuals.append(.nan) }
            }
        }
        return residuals
    }
}
