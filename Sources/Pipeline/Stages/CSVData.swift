import Datasets

/// `data: {kind: csv, file: measurements.csv, inputs: [x1, x2], targets: [y]}` — samples
/// from a CSV file with a header row (RFC 4180), optionally split into training and test.
public enum CSVData: DataStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// The file, relative to the manifest.
        public var file = ""
        /// Input column names, in order.
        public var inputs: [String] = []
        /// Target column names, in order.
        public var targets: [String] = []
        /// Fraction of rows held out for `fit.test_rmse` (0 for none).
        public var testFraction = 0.0

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .required("file", \.file, "CSV file with a header row, relative to the manifest's folder"),
            .required("inputs", \.inputs, "input column names, in order"),
            .required("targets", \.targets, "target column names, in order"),
            .optional("test-fraction", \.testFraction, "fraction of rows held out as a test set (seeded split)"),
        ]
    }

    /// `csv`.
    public static let kind = "csv"
    /// One line.
    public static let summary = "samples from a CSV file with a header row"

    /// The file is checked before any case runs.
    public static func files(in configuration: Configuration) -> [String] { [configuration.file] }

    /// Column lists must be non-empty and the test fraction in [0, 1).
    public static func validate(_ configuration: Configuration) throws {
        guard !configuration.inputs.isEmpty else { throw ConfigurationProblem(field: "inputs", "name at least one input column") }
        guard !configuration.targets.isEmpty else { throw ConfigurationProblem(field: "targets", "name at least one target column") }
        try CheckedNumber.fraction(configuration.testFraction, field: "test-fraction")
    }

    /// The named input and target columns, so a model whose widths differ is rejected up front.
    public static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)? {
        (configuration.inputs.count, configuration.targets.count)
    }

    /// Parses the file before any case runs; a split that would leave no training rows is
    /// rejected here, where the row count is first known.
    public static func preflight(_ context: StageContext<Configuration>) throws {
        let dataset = try source(context.configuration).load(contentsOf: context.path(context.configuration.file))
        do {
            try CheckedNumber.trainingRows(samples: dataset.sampleCount, testFraction: context.configuration.testFraction)
        } catch let problem as ConfigurationProblem {
            throw ConfigurationProblem(field: problem.field, "\(context.configuration.file): \(problem.message)")
        }
    }

    /// Loads the file and splits off the test rows with the case seed.
    public static func load(_ context: StageContext<Configuration>) throws -> LoadedData {
        let dataset = try source(context.configuration).load(contentsOf: context.path(context.configuration.file))
        guard context.configuration.testFraction > 0 else { return LoadedData(training: dataset) }
        let split = dataset.split(testFraction: context.configuration.testFraction, seed: context.dataSeed)
        return LoadedData(training: split.training, test: split.test)
    }

    private static func source(_ configuration: Configuration) -> CSVDataSource {
        CSVDataSource(inputColumns: configuration.inputs, targetColumns: configuration.targets)
    }
}
