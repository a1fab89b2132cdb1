import Jacobians
import LinearAlgebra

/// A fully connected feed-forward network x ↦ φ_L(W_L·…φ_1(W_1·x + b_1)… + b_L).
///
/// `layerWidths` = [d, w_1, …, w_L]: d inputs, L layers, p = w_L outputs.
/// Layer l has its own activation φ_l.
///
/// ## Parameter layout
/// One flat vector θ. For each layer l in order: W_l as w_l × w_{l−1} row-major
/// (element (o, i) at `weightOffsets[l-1] + o·w_{l−1} + i`), then b_l
/// (w_l values at `biasOffsets[l-1]`). Total Σ_l w_l·(w_{l−1} + 1).
/// The 5→9→3 network has 9·6 + 3·10 = 84 parameters.
public struct MultilayerPerceptron: Sendable, Equatable, Hashable {
    /// [d, w_1, …, w_L].
    public let layerWidths: [Int]
    /// φ_l for l = 1…L (`layerWidths.count − 1` entries).
    public let activations: [Activation]
    /// θ, in the layout above.
    public var parameters: [Double]
    /// Offset of W_l in θ, for each layer.
    public let weightOffsets: [Int]
    /// Offset of b_l in θ, for each layer.
    public let biasOffsets: [Int]

    /// Creates a network with zero parameters.
    ///
    /// - Parameters:
    ///   - layerWidths: [d, w_1, …, w_L], at least two positive widths.
    ///   - activations: one activation per layer (count L).
    public init(layerWidths: [Int], activations: [Activation]) {
        precondition(layerWidths.count >= 2, "an MLP needs an input and at least one layer")
        precondition(layerWidths.allSatisfy { $0 > 0 }, "layer widths must be positive")
        precondition(activations.count == layerWidths.count - 1, "one activation per layer")
        self.layerWidths = layerWidths
        self.activations = activations
        var weightOffsets: [Int] = [], biasOffsets: [Int] = []
        var offset = 0
        for layer in 1..<layerWidths.count {
            weightOffsets.append(offset)
            offset += layerWidths[layer] * layerWidths[layer - 1]
            biasOffsets.append(offset)
            offset += layerWidths[layer]
        }
        self.weightOffsets = weightOffsets
        self.biasOffsets = biasOffsets
        self.parameters = Array(repeating: 0, count: offset)
    }

    /// Creates a network whose hidden layers use `activation` and whose output
    /// layer uses `outputActivation` (identity by default, as for regression).
    public init(layerWidths: [Int], activation: Activation, outputActivation: Activation = .identity) {
        let layerCount = max(layerWidths.count - 1, 0)
        let activations = (0..<layerCount).map { $0 == layerCount - 1 ? outputActivation : activation }
        self.init(layerWidths: layerWidths, activations: activations)
    }

    /// d, the input width.
    public var inputWidth: Int { layerWidths[0] }
    /// p, the output width.
    public var outputWidth: Int { layerWidths[layerWidths.count - 1] }
    /// L, the number of layers.
    public var layerCount: Int { layerWidths.count - 1 }
    /// N = Σ_l w_l·(w_{l−1} + 1).
    public var parameterCount: Int { parameters.count }

    /// Draws weights with `initialization` from `generator` (layer by layer,
    /// row-major) and sets biases to zero.
    public mutating func initialize(_ initialization: ParameterInitialization, using generator: inout SeededGenerator) {
        for layer in 0..<layerCount {
            let fanIn = layerWidths[layer], fanOut = layerWidths[layer + 1]
            for index in weightOffsets[layer]..<biasOffsets[layer] {
                parameters[index] = initialization.sample(fanIn: fanIn, fanOut: fanOut, using: &generator)
            }
            for index in biasOffsets[layer]..<(biasOffsets[layer] + fanOut) { parameters[index] = 0 }
        }
    }

    /// Returns a copy initialised with `initialization` from a generator seeded with `seed`.
    public func initialized(_ initialization: ParameterInitialization = .glorot, seed: UInt64) -> MultilayerPerceptron {
        var copy = self
        var generator = SeededGenerator(seed: seed)
        copy.initialize(initialization, using: &generator)
        return copy
    }

    /// The network's outputs for every row of `inputs` (S × d) at parameters θ
    /// (`parameters` when nil): an S × p matrix, computed with one gemm per layer. Many
    /// samples go through in blocks, so the hidden layers are never held for all of them
    /// (`PerceptronSweeps.forwardOutputs()`, as the residual maps evaluate).
    public func outputs(for inputs: Matrix, parameters theta: [Double]? = nil) -> Matrix {
        precondition(inputs.columns == inputWidth, "inputs have \(inputs.columns) columns, the network expects \(inputWidth)")
        let sweeps = PerceptronSweeps(network: self)
        var result = Matrix(rows: inputs.rows, columns: outputWidth)
        let point = theta ?? parameters
        precondition(point.count == parameterCount, "θ has \(point.count) values, the network has \(parameterCount)")
        inputs.elements.withBaseAddress { x in
            point.withBaseAddress { p in
                sweeps.setParameters(p)
                sweeps.setInputs(x, sampleCount: inputs.rows)
            }
        }
        sweeps.forwardOutputs()
        sweeps.copyOutputs(into: &result.elements)
        return result
    }

    /// Values an evaluation of a network with `layerWidths` over `samples` samples holds besides
    /// its inputs and result (``outputs(for:parameters:)``, a residual map's `evaluate`): the
    /// sweeps' copy of the inputs and the outputs, plus every hidden layer's outputs when few
    /// samples go through whole, or two block buffers per worker (`workers`, at most one per
    /// block) when they go in blocks. Saturates at `Int.max` (a size too large to count); 0 for
    /// fewer than two widths.
    public static func evaluationValues(layerWidths: [Int], samples: Int, workers: Int = ThreadSettings.workerCount) -> Int {
        guard layerWidths.count >= 2, let inputWidth = layerWidths.first, let outputWidth = layerWidths.last,
              let widest = layerWidths.max() else { return 0 }
        let product = JacobianShape.saturatingProduct
        let held = PerceptronSweeps.outputBlocking(samples: samples, widths: layerWidths, workers: workers).map { blocking in
            JacobianShape.saturatingSum(product(samples, outputWidth), product(2 * blocking.workers, product(blocking.rows, widest)))
        } ?? product(samples, layerWidths.dropFirst().reduce(0) { JacobianShape.saturatingSum($0, $1) })
        return JacobianShape.saturatingSum(product(samples, inputWidth), held)
    }
}
