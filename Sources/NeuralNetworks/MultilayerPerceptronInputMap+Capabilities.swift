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

extension MultilayerPerceptronInputMap: SwiftDifferentiableMap {
    /// f at every point, written as plain scalar Swift for the compiler's reverse
    /// mode (strategy `swift-autodiff`); the parameters are constants (the layer loop is
    /// `MultilayerPerceptron.differentiableOutput(input:parameters:)`).
    @differentiable(reverse)
    public func differentiableOutput(at point: [Double]) -> [Double] {
        let theta = network.parameters
        let d = network.inputWidth, p = network.outputWidth
        var outputs: [Double] = []
        for sample in 0..<withoutDerivative(at: pointCount) {
            var input: [Double] = []
            for index in 0..<d { input.append(point[sample * d + index]) }
            let values = network.differentiableOutput(input: input, parameters: theta)
            for unit in 0..<p { outputs.append(values[unit]) }
        }
        return outputs
    }
}
