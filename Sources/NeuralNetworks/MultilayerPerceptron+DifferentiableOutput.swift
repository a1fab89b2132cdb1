import _Differentiation

extension MultilayerPerceptron {
    /// f(x; θ) for one sample, written as plain scalar Swift (array subscripts and appends)
    /// for the compiler's reverse mode: the layer loop both Swift-differentiable maps
    /// (`swift-autodiff` with respect to θ or to x) run per sample. Intentionally naive: it
    /// is the reference the hand-written sweeps are checked against, not a fast path.
    ///
    /// - Parameters:
    ///   - input: x, the d inputs of the sample.
    ///   - parameters: θ in the network's flat layout (W_l row-major, then b_l, per layer).
    /// - Returns: the p outputs.
    @differentiable(reverse, wrt: input)
    @differentiable(reverse, wrt: parameters)
    func differentiableOutput(input: [Double], parameters: [Double]) -> [Double] {
        let widths = layerWidths
        var current = input
        for layer in 0..<withoutDerivative(at: layerCount) {
            let inWidth = widths[layer], outWidth = widths[layer + 1]
            let weightOffset = weightOffsets[layer], biasOffset = biasOffsets[layer]
            let activation = activations[layer]
            var next: [Double] = []
            for unit in 0..<outWidth {
                var z = parameters[biasOffset + unit]
                for input in 0..<inWidth {
                    z = z + parameters[weightOffset + unit * inWidth + input] * current[input]
                }
                next.append(activation.differentiableValue(z))
            }
            current = next
        }
        return current
    }
}
