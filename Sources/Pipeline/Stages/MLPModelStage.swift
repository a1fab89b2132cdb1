import Datasets
import Jacobians
import LinearAlgebra
import NeuralNetworks
import MessageText

/// `model: {kind: mlp, layers: [5, 9, 3], activation: tanh}` — a fully connected network
/// whose starting weights are drawn from the case seed.
public enum MLPModelStage: ModelStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// [d, w_1, …, p].
        public var layers: [Int] = []
        /// Hidden activation.
        public var activation = Activation.tanh
        /// Output activation.
        public var outputActivation = Activation.identity
        /// Weight initialisation (biases start at zero).
        public var initialization = ParameterInitialization.glorot
        /// A safetensors file of starting weights (relative to the manifest), instead of
        /// `initialization`.
        public var initialWeights: String? = nil

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .required("layers", \.layers, "widths [d, w1, …, p]; d and p must match the data"),
            .choice("activation", \.activation, "hidden activation"),
            .choice("output-activation", \.outputActivation, "output layer activation"),
            .choice("initialization", \.initialization, "starting weights, from the case seed"),
            .unset("initial-weights", \.initialWeights, "a safetensors file of starting weights (torch.nn.Sequential names: 0.weight [out, in], 0.bias, 2.weight, …; F64 or F32), instead of initialization"),
        ]
    }

    /// `mlp`.
    public static let kind = "mlp"
    /// One line.
    public static let summary = "a fully connected network (batched BLAS sweeps; per-sample structure; complex step)"

    /// Widths and names are checked before any case runs.
    public static func validate(_ configuration: Configuration) throws {
        guard configuration.layers.count >= 2, configuration.layers.allSatisfy({ $0 > 0 }) else {
            throw ConfigurationProblem(field: "layers", "need at least an input and an output width, all positive; got \(NetworkSize.shown(configuration.layers))")
        }
    }

    /// The network's parameters (four copies: gradients, tangents, the solver's vectors) and
    /// what its residual map holds to evaluate `trainingRows` samples, plus the residuals. The
    /// buffers of derivative sweeps over all samples are the solver's and the evaluations' part
    /// of the case's minimum peak.
    public static func footprint(in configuration: Configuration, trainingRows: Int?) throws -> StageFootprint? {
        let outputs = configuration.layers.last ?? 0
        return StageFootprint(bytes: try NetworkSize.evaluationBytes(
            configuration.layers, rows: trainingRows ?? 0, parameterCopies: 4, extraPerSample: outputs, field: "layers", rowsField: "layers"))
    }

    /// d inputs and p outputs, from the widths.
    public static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)? {
        guard let first = configuration.layers.first, let last = configuration.layers.last else { return nil }
        return (first, last)
    }

    /// Builds the network; its input and output widths must match the data's columns.
    public static func build(_ context: StageContext<Configuration>, data: LoadedData) throws -> any FittableModel {
        let configuration = context.configuration
        let layers = configuration.layers
        guard layers.first == data.training.inputCount, layers.last == data.training.targetCount else {
            throw ConfigurationProblem(
                field: "layers",
                "the network maps \(layers.first ?? 0) inputs to \(layers.last ?? 0) outputs but the data has \(data.training.inputCount) input and \(data.training.targetCount) target columns")
        }
        var network = MultilayerPerceptron(
            layerWidths: layers, activation: configuration.activation, outputActivation: configuration.outputActivation)
            .initialized(configuration.initialization, seed: context.parameterSeed)
        if let file = configuration.initialWeights { network = try loadWeights(file, into: network, context: context) }
        return MLPFittableModel(network: network)
    }

    /// The starting-weights file, checked before any case runs.
    public static func files(in configuration: Configuration) -> [String] { configuration.initialWeights.map { [$0] } ?? [] }

    /// `network` with the weights of the safetensors file `file` (through ``InputFile``).
    static func loadWeights(_ file: String, into network: MultilayerPerceptron, context: StageContext<Configuration>) throws -> MultilayerPerceptron {
        do {
            let bytes = try InputFile.read(context.path(file))
            return try network.loading(try Safetensors.decode([UInt8](bytes)))
        } catch let error as SafetensorsError {
            throw ConfigurationProblem(field: "initial-weights", "\(QuotedText.quoted(file, limit: QuotedText.maximumPathShown)): \(error.message)")
        }
    }
}

/// A network as a ``FittableModel``.
final class MLPFittableModel: FittableModel {
    let network: MultilayerPerceptron

    init(network: MultilayerPerceptron) { self.network = network }

    var initialParameters: [Double] { network.parameters }

    /// The network at `parameters` as safetensors (`0.weight`, `0.bias`, `2.weight`, …).
    func exportedWeights(parameters: [Double]) -> [UInt8]? {
        guard parameters.count == network.parameters.count else { return nil }
        var fitted = network
        fitted.parameters = parameters
        return Safetensors.encode(fitted.safetensors)
    }

    /// `W1[o,i]`, `b1[o]`, … in the flat layout.
    var parameterNames: [String] {
        var names: [String] = []
        for layer in 0..<network.layerCount {
            let fanIn = network.layerWidths[layer], fanOut = network.layerWidths[layer + 1]
            for o in 0..<fanOut { for i in 0..<fanIn { names.append("W\(layer + 1)[\(o),\(i)]") } }
            for o in 0..<fanOut { names.append("b\(layer + 1)[\(o)]") }
        }
        return names
    }

    func residualMap(on dataset: Dataset) throws -> any DifferentiableMap {
        MultilayerPerceptronResidualMap(network: network, inputs: dataset.inputs, targets: dataset.targets)
    }

    func jacobianShape(on dataset: Dataset, variables: JacobianVariables) -> JacobianShape? {
        .multilayerPerceptron(layers: network.layerWidths, samples: dataset.sampleCount, variables: variables)
    }

    func inputMap(on dataset: Dataset, parameters: [Double]) throws -> (map: any DifferentiableMap, point: [Double]) {
        var fitted = network
        fitted.parameters = parameters
        return (MultilayerPerceptronInputMap(network: fitted, pointCount: dataset.sampleCount), dataset.inputs.elements)
    }
}
