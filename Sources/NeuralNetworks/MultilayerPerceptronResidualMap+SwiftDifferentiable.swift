import Jacobians
import _Differentiation

extension MultilayerPerceptronResidualMap: SwiftDifferentiablePerSampleMap {
    /// r(θ) = F(X; θ) − T over the whole batch, differentiable with respect to θ: per layer
    /// one `dgemm` and one activation, each with a registered derivative
    /// (`MultilayerPerceptron.differentiableOutput(batch:samples:parameters:)`).
    @differentiable(reverse)
    public func differentiableOutput(at point: [Double]) -> [Double] {
        let outputs = network.differentiableOutput(
            batch: withoutDerivative(at: inputs.elements), samples: withoutDerivative(at: sampleCount), parameters: point)
        return subtracting(withoutDerivative(at: targets.elements), from: outputs)
    }

    /// Every sample depends on all of θ.
    public func sampleVariables(_ sample: Int) -> Range<Int> { 0..<inputCount }

    /// r_s(θ) = f(x_s; θ) − t_s, the p residuals of one sample, differentiable with respect
    /// to θ (`swift-autodiff` takes one `valueWithPullback` of it per sample and p pullbacks).
    @differentiable(reverse, wrt: variables)
    public func differentiableSampleOutput(_ sample: Int, variables: [Double]) -> [Double] {
        let outputs = network.differentiableOutput(input: withoutDerivative(at: inputs.row(sample)), parameters: variables)
        return subtracting(withoutDerivative(at: targets.row(sample)), from: outputs)
    }
}
