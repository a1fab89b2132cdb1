import ComplexModule
import Jacobians
import RealModule
import _Differentiation

extension MultilayerPerceptronInputMap: ComplexEvaluable {
    /// f at every point for complex inputs (real parameters), with complex-analytic activations.
    public func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        precondition(point.count == inputCount, "x has \(point.count) values, expected d·P = \(inputCount)")
        let count = outputCount
        if output.count != count { output = Array(repeating: .zero, count: count) }
        let widths = network.layerWidths, theta = network.parameters
        let d = network.inputWidth, p = network.outputWidth
        let width = widths.max() ?? 1
        var current = [Complex<Double>](repeating: .zero, count: width)
        var next = current
        for sample in 0..<pointCount {
            for input in 0..<d { current[input] = point[sample * d + input] }
            for layer in 0..<network.layerCount {
                let inWidth = widths[layer], outWidth = widths[layer + 1]
                let weightOffset = network.weightOffsets[layer], biasOffset = network.biasOffsets[layer]
                for unit in 0..<outWidth {
                    var z = Complex(theta[biasOffset + unit])
                    let rowOffset = weightOffset + unit * inWidth
                    for input in 0..<inWidth { z += Complex(theta[rowOffset + input]) * current[input] }
                    next[unit] = network.activations[layer].complexValue(z)
                }
                swap(&current, &next)
            }
            for unit in 0..<p { output[sample * p + unit] = current[unit] }
        }
    }
}

extension MultilayerPerceptronInputMap: SwiftDifferentiablePerSampleMap {
    /// f at every point as one batch (x is the S × d matrix X row-major), differentiable with
    /// respect to x; the parameters are constants. Per layer one `dgemm` and one activation,
    /// each with a registered derivative (`MultilayerPerceptron.differentiableOutput(batch:samples:parameters:)`).
    @differentiable(reverse)
    public func differentiableOutput(at point: [Double]) -> [Double] {
        network.differentiableOutput(
            batch: point, samples: withoutDerivative(at: pointCount), parameters: withoutDerivative(at: network.parameters))
    }

    /// Point s depends on its own d inputs, x[s·d ..< (s + 1)·d].
    public func sampleVariables(_ sample: Int) -> Range<Int> {
        let d = network.inputWidth
        return sample * d..<(sample + 1) * d
    }

    /// f(x_s) for one point, differentiable with respect to its d inputs.
    @differentiable(reverse, wrt: variables)
    public func differentiableSampleOutput(_ sample: Int, variables: [Double]) -> [Double] {
        network.differentiableOutput(input: variables, parameters: withoutDerivative(at: network.parameters))
    }
}
