import _Differentiation

extension MultilayerPerceptron {
    /// f(x; θ) for one sample as a chain of ``DifferentiableDenseLayer`` operations (affine
    /// map, then activation, per layer) for the compiler's reverse mode: the per-sample
    /// function both Swift-differentiable maps hand to `swift-autodiff` (with respect to θ or
    /// to x). Each operation has a registered derivative, so a pullback costs one small
    /// product per layer instead of one pullback per scalar array access.
    ///
    /// - Parameters:
    ///   - input: x, the d inputs of the sample.
    ///   - parameters: θ in the network's flat layout (W_l row-major, then b_l, per layer).
    /// - Returns: the p outputs.
    @differentiable(reverse, wrt: input)
    @differentiable(reverse, wrt: parameters)
    func differentiableOutput(input: [Double], parameters: [Double]) -> [Double] {
        var current = input
        for layer in 0..<withoutDerivative(at: layerCount) {
            let dense = DifferentiableDenseLayer(self, layer: layer)
            current = dense.activate(dense.affine(parameters, current))
        }
        return current
    }

    /// F(X; θ) for a batch: X is S × d row-major, the result S × p row-major; per layer one
    /// `dgemm` (``DifferentiableDenseLayer/affine(_:batch:samples:)``) and one activation.
    @differentiable(reverse, wrt: inputs)
    @differentiable(reverse, wrt: parameters)
    func differentiableOutput(batch inputs: [Double], samples: Int, parameters: [Double]) -> [Double] {
        var current = inputs
        for layer in 0..<withoutDerivative(at: layerCount) {
            let dense = DifferentiableDenseLayer(self, layer: layer)
            current = dense.activate(dense.affine(parameters, batch: current, samples: samples))
        }
        return current
    }
}
