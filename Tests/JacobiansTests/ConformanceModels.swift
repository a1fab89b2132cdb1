import Jacobians
import LinearAlgebra
import NeuralNetworks

/// The models every strategy is checked on, at seeded random parameters/points.
enum ConformanceModel: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The forum case: 5→9→3 tanh, 192 samples, N = 84, M = 576.
    case forum5x9x3Tanh = "5-9-3 tanh residuals (N=84, M=576)"
    /// The second forum case: 15→32→55 tanh w.r.t. its 15 inputs.
    case inputs15x32x55Tanh = "15-32-55 tanh inputs (n=15, m=55)"
    /// Deep, mixed activations (sigmoid, gelu, softplus), tanh output.
    case mixed3x4x5x4x2 = "3-4-5-4-2 sigmoid/gelu/softplus/tanh residuals"
    /// A relu network.
    case relu2x6x1 = "2-6-1 relu residuals"
    /// Several input points at once (block-diagonal Jacobian).
    case inputs4x6x3Points = "4-6-3 sigmoid inputs at 3 points"

    var description: String { rawValue }

    /// False for piecewise-linear models (relu), where extrapolated differences
    /// with steps as large as Ridders' (1e-2) straddle kinks.
    var isSmooth: Bool { self != .relu2x6x1 }

    /// The model a strategy is checked on: the same architecture with at most
    /// 16 samples for `swift-autodiff`, whose toolchain pullbacks cost O(N) per
    /// array read and so O(M·S·N²) per Jacobian (too slow for debug test runs;
    /// the full 84/576 case runs in the release benchmark).
    func make(for strategyName: String) -> (map: any DifferentiableMap, point: [Double]) {
        if strategyName == "swift-autodiff", self == .forum5x9x3Tanh {
            return ConformanceModel.residuals(widths: [5, 9, 3], activations: [.tanh, .identity], samples: 16, seed: 1)
        }
        return make()
    }

    /// The map and the point at which to differentiate it.
    func make() -> (map: any DifferentiableMap, point: [Double]) {
        switch self {
        case .forum5x9x3Tanh:
            return ConformanceModel.residuals(widths: [5, 9, 3], activations: [.tanh, .identity], samples: 192, seed: 1)
        case .inputs15x32x55Tanh:
            return ConformanceModel.inputs(widths: [15, 32, 55], activations: [.tanh, .identity], points: 1, seed: 2)
        case .mixed3x4x5x4x2:
            return ConformanceModel.residuals(
                widths: [3, 4, 5, 4, 2], activations: [.sigmoid, .gelu, .softplus, .tanh], samples: 7, seed: 3)
        case .relu2x6x1:
            return ConformanceModel.residuals(widths: [2, 6, 1], activations: [.relu, .identity], samples: 11, seed: 4)
        case .inputs4x6x3Points:
            return ConformanceModel.inputs(widths: [4, 6, 3], activations: [.sigmoid, .tanh], points: 3, seed: 5)
        }
    }

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

    /// A random S × columns matrix, uniform on [−1, 1).
    static func randomMatrix(rows: Int, columns: Int, generator: inout SeededGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in generator.nextUniform(in: -1, 1) })
    }

    static func residuals(widths: [Int], activations: [Activation], samples: Int, seed: UInt64) -> (map: any DifferentiableMap, point: [Double]) {
        var generator = SeededGenerator(seed: seed)
        let network = network(widths: widths, activations: activations, generator: &generator)
        let inputs = randomMatrix(rows: samples, columns: widths[0], generator: &generator)
        let targets = randomMatrix(rows: samples, columns: widths[widths.count - 1], generator: &generator)
        let map = MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
        return (map, network.parameters)
    }

    static func inputs(widths: [Int], activations: [Activation], points: Int, seed: UInt64) -> (map: any DifferentiableMap, point: [Double]) {
        var generator = SeededGenerator(seed: seed)
        let network = network(widths: widths, activations: activations, generator: &generator)
        let x = (0..<(points * widths[0])).map { _ in generator.nextUniform(in: -1, 1) }
        return (MultilayerPerceptronInputMap(network: network, pointCount: points), x)
    }
}

/// A strategy by catalog name and options (Sendable, for test arguments).
struct StrategyCase: Sendable, CustomStringConvertible {
    var name: String
    var options = JacobianStrategyOptions()

    var description: String {
        var text = name
        if let chunk = options.chunk { text += " chunk=\(chunk)" }
        if let pinned = options.pinned { text += " pinned=\(pinned)" }
        return text
    }

    func make() throws -> any JacobianStrategy { try JacobianStrategyCatalog.strategy(named: name, options: options) }

    /// Every catalog strategy with defaults, plus chunked vectorized variants
    /// (chunks that do not divide n or m) and a pinned auto.
    static let all: [StrategyCase] =
        JacobianStrategyCatalog.names.map { StrategyCase(name: $0) } + [
            StrategyCase(name: "forward-vectorized", options: .init(chunk: 5)),
            StrategyCase(name: "reverse-vectorized", options: .init(chunk: 7)),
            StrategyCase(name: "auto", options: .init(pinned: "reverse-loop")),
        ]
}
