import Jacobians
import _Differentiation

extension MultilayerPerceptronResidualMap: SwiftDifferentiableMap {
    /// r(θ) written as plain scalar Swift, sample by sample and unit by unit, so
    /// that the compiler's reverse mode differentiates it (strategy `swift-autodiff`).
    ///
    /// Intentionally naive (array subscripts and appends): it is the reference the
    /// hand-written sweeps are checked against, not a fast path.
    @differentiable(reverse)
    public func differentiableOutput(at point: [Double]) -> [Double] {
        let widths = network.layerWidths
        let d = network.inputWidth, p = network.outputWidth
        var residuals: [Double] = []
        for sample in 0..<withoutDerivative(at: sampleCount) {
            var current: [Double] = withoutDerivative(at: (0..<d).map { inputs[sample, $0] })
            for layer in 0..<withoutDerivative(at: network.layerCount) {
                let inWidth = widths[layer], outWidth = widths[layer + 1]
                let weightOffset = network.weightOffsets[layer], biasOffset = network.biasOffsets[layer]
                let activation = network.activations[layer]
                var next: [Double] = []
                for unit in 0..<outWidth {
                    var z = point[biasOffset + unit]
                    for input in 0..<inWidth {
                        z = z + point[weightOffset + unit * inWidth + input] * current[input]
                    }
                    next.append(activation.differentiableValue(z))
                }
                current = next
            }
            for unit in 0..<p {
                residuals.append(current[unit] - withoutDerivative(at: targets[sample, unit]))
            }
        }
        return residuals
    }
}
