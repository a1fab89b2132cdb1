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
        /// Each row's σ: a column name or one constant (curve_fit's `sigma`); nil: unweighted.
        public var sigma: ObservationSigma? = nil
        /// Whether σ are absolute (curve_fit's `absolute_sigma`); nil (unset) is false.
        public var absoluteSigma: Bool? = nil

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .required("file", \.file, "CSV file with a header row, relative to the manifest's folder"),
            .required("inputs", \.inputs, "input column names, in order"),
            .required("targets", \.targets, "target column names, in order"),
            .optional("test-fraction", \.testFraction, "fraction of rows held out as a test set (seeded split)"),
            .unset("sigma", \.sigma, "each row's standard deviation: a column name or a constant > 0 (residuals are divided by it, as curve_fit's sigma)"),
            .unset("absolute-sigma", \.absoluteSigma, "true: σ are absolute, the covariance is (JᵀWJ)⁻¹; false: relative weights, scaled by the reduced χ² (curve_fit's absolute_sigma)"),
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
        switch configuration.sigma {
        case .constant(let value)?: try CheckedNumber.positive(value, field: "sigma")
        case .column(let name)?:
            if configuration.inputs.contains(name) || configuration.targets.contains(name) {
                throw ConfigurationProblem(field: "sigma", "the σ column '\(name)' is also an input or target column")
            }
        case nil:
            if configuration.absoluteSigma == true { throw ConfigurationProblem(field: "absolute-sigma", "absolute-sigma needs a sigma") }
        }
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
        var dataset = try source(context.configuration).load(contentsOf: context.path(context.configuration.file))
        if case .constant(let value)? = context.configuration.sigma { dataset.sigma = Array(repeating: value, count: dataset.sampleCount) }
        var loaded = LoadedData(training: dataset)
        if context.configuration.testFraction > 0 {
            loaded.split = dataset.split(testFraction: context.configuration.testFraction, seed: context.dataSeed)
        }
        loaded.absoluteSigma = context.configuration.absoluteSigma ?? false
        return loaded
    }

    private static func source(_ configuration: Configuration) -> CSVDataSource {
        guard case .column(let name)? = configuration.sigma else {
            return CSVDataSource(inputColumns: configuration.inputs, targetColumns: configuration.targets)
        }
        return CSVDataSource(inputColumns: configuration.inputs, targetColumns: configuration.targets, sigmaColumn: name)
    }
}

/// `data.sigma`: each observation's standard deviation, from a column of the file or one
/// constant for every row.
public enum ObservationSigma: Decodable, Sendable, Equatable, StageOptionValue {
    /// The column holding each row's σ.
    case column(String)
    /// One σ for every row.
    case constant(Double)

    /// A number is a constant, text a column name.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Double.self) {
            self = .constant(value)
        } else {
            self = .column(try container.decode(String.self))
        }
    }

    /// The column name or the constant.
    public var yamlText: String {
        switch self {
        case .column(let name): name.yamlText
        case .constant(let value): value.yamlText
        }
    }
}
