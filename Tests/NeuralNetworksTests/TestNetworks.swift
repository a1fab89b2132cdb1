import Jacobians
import LinearAlgebra
import NeuralNetworks

/// Seeded networks and maps for the network tests: the builders of JacobiansTests'
/// `ConformanceModel` (duplicated, since test targets cannot share sources), so that the
/// models named here are the same ones the strategies are checked on.
enum TestNetworks {
    /// A network with Glorot weights and small random biases.
    static func network(widths: [Int], activations: [Activation], generator: inout SeededGenerator) -> MultilayerPerceptron {
        var network = MultilayerPerceptron(layerWidths: widths, activations: activations)
        network.initialize(.glorot, using: &generator)
        for layer in 0..<network.layerCount {
            for unit in 0..<widths[layer + 1] {
                network.parameters[network.biasOffsets[layer] + unit] = generator.nextUniform(in: -0.5, 0.5)
            }
        }
        return network
    }

    /// A random rows × columns matrix, uniform on [−1, 1).
    static func randomMatrix(rows: Int, columns: Int, generator: inout SeededGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in generator.nextUniform(in: -1, 1) })
    }

    /// Residuals of a random network on random data, with respect to its parameters, at its parameters.
    static func residuals(widths: [Int], activations: [Activation], samples: Int, seed: UInt64) -> (map: any DifferentiableMap, point: [Double]) {
        var generator = SeededGenerator(seed: seed)
        let network = network(widths: widths, activations: activations, generator: &generator)
        let inputs = randomMatrix(rows: samples, columns: widths[0], generator: &generator)
        let targets = randomMatrix(rows: samples, columns: widths[widths.count - 1], generator: &generator)
        return (MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets), network.parameters)
    }

    /// A random network's outputs with respect to its inputs at `points` random points.
    static func inputs(widths: [Int], activations: [Activation], points: Int, seed: UInt64) -> (map: any DifferentiableMap, point: [Double]) {
        var generator = SeededGenerator(seed: seed)
        let network = network(widths: widths, activations: activations, generator: &generator)
        let x = (0..<(points * widths[0])).map { _ in generator.nextUniform(in: -1, 1) }
        return (MultilayerPerceptronInputMap(network: network, pointCount: points), x)
    }

    /// The forum case: 5→9→3 tanh, 192 samples, N = 84, M = 576.
    static func forum5x9x3Tanh() -> (map: any DifferentiableMap, point: [Double]) {
        residuals(widths: [5, 9, 3], activations: [.tanh, .identity], samples: 192, seed: 1)
    }

    /// Deep, mixed activations (sigmoid, gelu, softplus), tanh output, 7 samples.
    static func mixed3x4x5x4x2() -> (map: any DifferentiableMap, point: [Double]) {
        residuals(widths: [3, 4, 5, 4, 2], activations: [.sigmoid, .gelu, .softplus, .tanh], samples: 7, seed: 3)
    }

    /// 4→6→3 sigmoid/tanh with respect to its inputs at 3 points (block-diagonal Jacobian).
    static func inputs4x6x3Points() -> (map: any DifferentiableMap, point: [Double]) {
        inputs(widths: [4, 6, 3], activations: [.sigmoid, .tanh], points: 3, seed: 5)
    }
}
