import Jacobians
import _Differentiation

extension MultilayerPerceptronResidualMap: SwiftDifferentiableMap {
    /// r(θ) written as plain scalar Swift, sample by sample and unit by unit, so
    /// that the compiler's reverse mode differentiates it (strategy `swift-autodiff`); the
    /// layer loop is `MultilayerPerceptron.differentiableOutput(input:parameters:)`.
    ///
    /// Intentionally naive (array subscripts and appends): it is the reference the
    /// hand-written sweeps are checked against, not a fast path.
    @differentiable(reverse)
    public func differentiableOutput(at point: [Double]) -> [Double] {
        let d = network.inputWidth, p = network.outputWidth
        var residuals: [Double] = []
        for sample in 0..<withoutDerivative(at: sampleCount) {
            let input: [Double] = withoutDerivative(at: (0..<d).map { inputs[sample, $0] })
            let outputs = network.differentiableOutput(input: input, parameters: point)
            for unit in 0..<p {
                residuals.append(outputs[unit] - withoutDerivative(at: targets[sample, unit]))
            }
        }
        return residuals
    }
}
