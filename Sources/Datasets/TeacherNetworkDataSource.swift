import Jacobians
import LinearAlgebra
import NeuralNetworks

/// Data from a random "teacher" network: inputs x ~ U(−1, 1)^d, targets
/// y = teacher(x) + ε, ε ~ N(0, noise²) per output. The forum case is layers [5, 9, 3],
/// tanh, 192 samples.
///
/// The teacher's weights are Glorot-uniform and its biases U(−0.5, 0.5), all drawn from
/// engine's `SeededGenerator`; one seed fixes teacher, inputs, noise and test set. The
/// test set (noise-free draws of its own) measures generalisation.
public struct TeacherNetworkDataSource: Sendable, Equatable {
    /// [d, w_1, …, p] of the teacher.
    public var layerWidths: [Int]
    /// Hidden-layer activation (the output layer is linear).
    public var activation: Activation
    /// Training samples S.
    public var samples: Int
    /// Test samples (0 for none).
    public var testSamples: Int
    /// Standard deviation of the Gaussian noise added to training targets.
    public var noise: Double

    /// Creates a source.
    public init(layerWidths: [Int], activation: Activation = .tanh, samples: Int, testSamples: Int = 0, noise: Double = 0) {
        self.layerWidths = layerWidths
        self.activation = activation
        self.samples = samples
        self.testSamples = testSamples
        self.noise = noise
    }

    /// The teacher network for `seed` (the network the data comes from).
    public func teacher(seed: UInt64) -> MultilayerPerceptron {
        var generator = SeededGenerator(seed: seed)
        var network = MultilayerPerceptron(layerWidths: layerWidths, activation: activation)
        network.initialize(.glorot, using: &generator)
        for layer in 0..<network.layerCount {
            let offset = network.biasOffsets[layer]
            for index in offset..<(offset + layerWidths[layer + 1]) {
                network.parameters[index] = generator.nextUniform(in: -0.5, 0.5)
            }
        }
        return network
    }

    /// Draws the training set (and the test set when `testSamples > 0`).
    ///
    /// - Throws: ``DataSourceError`` for non-positive sizes or negative noise.
    public func generate(seed: UInt64) throws(DataSourceError) -> DatasetSplit {
        guard layerWidths.count >= 2, layerWidths.allSatisfy({ $0 > 0 }) else {
            throw DataSourceError(field: "layers", "need at least an input and an output width, all positive; got \(layerWidths)")
        }
        guard samples > 0 else { throw DataSourceError(field: "samples", "must be positive, got \(samples)") }
        guard testSamples >= 0 else { throw DataSourceError(field: "test-samples", "must be ≥ 0, got \(testSamples)") }
        guard noise >= 0, noise.isFinite else { throw DataSourceError(field: "noise", "must be a finite number ≥ 0, got \(noise)") }
        let network = teacher(seed: seed)
        var generator = SeededGenerator(seed: seed &+ 1)
        let (training, teacherCost) = draw(network, count: samples, noise: noise, generator: &generator)
        let test = testSamples > 0 ? draw(network, count: testSamples, noise: 0, generator: &generator).data : nil
        return DatasetSplit(training: training, test: test, teacherCost: teacherCost)
    }

    /// `count` samples of `network` plus noise, and ½‖ε‖² of the noise drawn (summed in order).
    func draw(_ network: MultilayerPerceptron, count: Int, noise: Double, generator: inout SeededGenerator) -> (data: Dataset, teacherCost: Double) {
        var inputs = Matrix(rows: count, columns: network.inputWidth)
        for index in inputs.elements.indices { inputs.elements[index] = generator.nextUniform(in: -1, 1) }
        var targets = network.outputs(for: inputs)
        var squares = 0.0
        if noise > 0 {
            for index in targets.elements.indices {
                let epsilon = generator.nextGaussian(standardDeviation: noise)
                targets.elements[index] += epsilon
                squares += epsilon * epsilon
            }
        }
        let outputs = network.outputWidth
        let data = Dataset(
            inputs: inputs, targets: targets,
            inputNames: (1...network.inputWidth).map { "x\($0)" },
            targetNames: outputs == 1 ? ["y"] : (1...outputs).map { "y\($0)" })
        return (data, 0.5 * squares)
    }
}
