import Datasets
import NeuralNetworks
import MessageText

/// `data: {kind: teacher-mlp, layers: [5, 9, 3], samples: 192, noise: 0.01, test-samples: 1000}`
/// — inputs x ~ U(−1, 1)^d and targets from a random teacher network (plus noise); the
/// teacher, inputs and noise all follow from the case seed.
public enum TeacherMLPData: DataStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// [d, w_1, …, p] of the teacher.
        public var layers: [Int] = []
        /// Hidden-layer activation.
        public var activation = Activation.tanh
        /// Training samples.
        public var samples = 0
        /// Noise standard deviation on training targets.
        public var noise = 0.0
        /// Noise-free test samples (0 for none).
        public var testSamples = 0

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .required("layers", \.layers, "teacher widths [d, w1, …, p]"),
            .choice("activation", \.activation, "hidden activation"),
            .required("samples", \.samples, "training samples S"),
            .optional("noise", \.noise, "standard deviation of Gaussian noise on training targets"),
            .optional("test-samples", \.testSamples, "noise-free held-out samples for fit.test_rmse"),
        ]
    }

    /// `teacher-mlp`.
    public static let kind = "teacher-mlp"
    /// One line.
    public static let summary = "targets from a random teacher network on x ~ U(-1, 1)^d, plus Gaussian noise"

    /// Sizes, noise and activation are checked before any case runs (nothing is built:
    /// sizes go through ``footprint(in:)``).
    public static func validate(_ configuration: Configuration) throws {
        try CheckedNumber.nonNegative(configuration.noise, field: "noise")
        guard configuration.layers.count >= 2, configuration.layers.allSatisfy({ $0 > 0 }) else {
            throw ConfigurationProblem(field: "layers", "need at least an input and an output width, all positive; got \(NetworkSize.shown(configuration.layers))")
        }
        try CheckedNumber.positive(configuration.samples, field: "samples")
        guard configuration.testSamples >= 0 else {
            throw ConfigurationProblem(field: "test-samples", "must be ≥ 0, got \(configuration.testSamples)")
        }
    }

    /// Every sample's inputs and targets, and what the teacher holds while it evaluates the
    /// larger draw (its parameters, the inputs' copy, the outputs, the hidden layers whole or
    /// block by block).
    public static func footprint(in configuration: Configuration) throws -> StageFootprint? {
        guard let first = configuration.layers.first, let last = configuration.layers.last else { return nil }
        let rows = try CheckedSize.sum([configuration.samples, configuration.testSamples], field: "test-samples")
        let columns = try CheckedSize.sum([first, last], field: "layers")
        // An overflow over the rows is blamed on the larger of the two counts.
        let rowsField = configuration.testSamples > configuration.samples ? "test-samples" : "samples"
        let samples = try CheckedSize.bytes(doubles: try CheckedSize.product([rows, columns], field: rowsField), field: rowsField)
        let teacher = try NetworkSize.evaluationBytes(
            configuration.layers, rows: max(configuration.samples, configuration.testSamples), parameterCopies: 1, field: "layers", rowsField: rowsField)
        return StageFootprint(trainingRows: configuration.samples, bytes: try CheckedSize.sum([samples, teacher], field: rowsField))
    }

    /// d inputs and p targets, from the teacher's widths.
    public static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)? {
        guard let first = configuration.layers.first, let last = configuration.layers.last else { return nil }
        return (first, last)
    }

    /// Draws the data.
    public static func load(_ context: StageContext<Configuration>) throws -> LoadedData {
        let split = try source(context.configuration, samplesCap: nil).generate(seed: context.dataSeed)
        return LoadedData(split: split)
    }

    /// The data source; `samplesCap` limits sizes for the cheap validity check.
    static func source(_ configuration: Configuration, samplesCap: Int?) -> TeacherNetworkDataSource {
        let cap = { (count: Int) in samplesCap.map { count > 0 ? min(count, $0) : count } ?? count }
        return TeacherNetworkDataSource(
            layerWidths: configuration.layers, activation: configuration.activation,
            samples: cap(configuration.samples), testSamples: cap(configuration.testSamples), noise: configuration.noise)
    }
}
