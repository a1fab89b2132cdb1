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

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .required("layers", \.layers, "widths [d, w1, …, p]; d and p must match the data"),
            .choice("activation", \.activation, "hidden activation"),
            .choice("output-activation", \.outputActivation, "output layer activation"),
            .choice("initialization", \.initialization, "starting weights, from the case seed"),
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

    /// The network's parameters and its maps' per-sample buffers over `trainingRows`.
    public static func footprint(in configuration: Configuration, trainingRows: Int?) throws -> StageFootprint? {
        StageFootprint(bytes: try NetworkSize.bytes(configuration.layers, rows: trainingRows ?? 0, field: "layers", rowsField: "layers"))
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
        let network = MultilayerPerceptron(
            layerWidths: layers, activation: configuration.activation, outputActivation: configuration.outputActivation)
            .initialized(configuration.initialization, seed: context.parameterSeed)
        return MLPFittableModel(network: network)
    }
}

/// A network as a ``FittableModel``.
final class MLPFittableModel: FittableModel {
    let network: MultilayerPerceptron

    init(network: MultilayerPerceptron) { self.network = network }

    var initialParameters: [Double] { network.parameters }

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
