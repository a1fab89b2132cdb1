import Datasets
import FormulaModels

/// `data: {kind: function, formula: "y = b1*exp(-b2*x)", parameters: {b1: 2, b2: 0.5},
/// axes: [{name: x, lower: 0, upper: 5}], samples: 100, noise: 0.01}` — a formula sampled
/// at random (or on a `grid`) plus Gaussian noise; draws follow from the case seed. A list of
/// formulas gives one target column per formula.
public enum FunctionData: DataStage {
    /// One input axis.
    public struct Axis: Decodable, Sendable {
        /// Predictor name as written in the formula.
        public var name: String
        /// Smallest value.
        public var lower: Double
        /// Largest value.
        public var upper: Double
    }

    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// The formula, or one per target.
        public var formula = FormulaText("")
        /// True parameter values by name (missing ones are 0).
        public var parameters: [String: Double] = [:]
        /// Input axes in column order.
        public var axes: [Axis] = []
        /// Random samples (ignored when `grid` is given).
        public var samples = 100
        /// Grid points per axis; null samples at random.
        public var grid: [Int]? = nil
        /// Noise standard deviation.
        public var noise = 0.0
        /// Fraction of samples held out as a test set.
        public var testFraction = 0.0

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .required("formula", \.formula, "y = f(x; b) as text, or a list with one formula per target (sharing the parameters)"),
            .optional("parameters", \.parameters, "true parameter values by name (missing ones are 0)"),
            .required("axes", \.axes, "inputs in column order: [{name: x, lower: 0, upper: 1}, …]"),
            .optional("samples", \.samples, "random samples (ignored when grid is given)"),
            .optional("grid", \.grid, "points per axis for a Cartesian grid instead of random samples"),
            .optional("noise", \.noise, "standard deviation of Gaussian noise on y"),
            .optional("test-fraction", \.testFraction, "fraction held out as a test set (seeded split)"),
        ]
    }

    /// `function`.
    public static let kind = "function"
    /// One line.
    public static let summary = "a formula sampled at random or on a grid, plus Gaussian noise"

    /// The formula, sizes and noise are checked before any case runs (a one-sample draw).
    public static func validate(_ configuration: Configuration) throws {
        try CheckedNumber.fraction(configuration.testFraction, field: "test-fraction")
        try CheckedNumber.nonNegative(configuration.noise, field: "noise")
        for (name, value) in configuration.parameters.sorted(by: { $0.key < $1.key }) {
            try CheckedNumber.finite(value, field: "parameters.\(name)")
        }
        if let grid = configuration.grid {
            for width in grid { try CheckedNumber.positive(width, field: "grid") }
            let (points, overflow) = grid.reduce((1, false)) { total, width in
                let product = total.0.multipliedReportingOverflow(by: width)
                return (product.partialValue, total.1 || product.overflow)
            }
            if !overflow { try CheckedNumber.trainingRows(samples: points, testFraction: configuration.testFraction) }
        } else {
            try CheckedNumber.positive(configuration.samples, field: "samples")
            try CheckedNumber.trainingRows(samples: configuration.samples, testFraction: configuration.testFraction)
        }
        // The formula is checked on a one-point draw (never at full size).
        var probe = configuration
        if let grid = probe.grid { probe.grid = grid.map { _ in 1 } } else { probe.samples = 1 }
        do {
            _ = try source(probe).generate(seed: 0)
        } catch {
            throw ConfigurationProblem(field: error.field, error.message)
        }
    }

    /// Every sample's inputs and target (random samples or the grid's points).
    public static func footprint(in configuration: Configuration) throws -> StageFootprint? {
        let rows = try configuration.grid.map { try CheckedSize.product($0, field: "grid") } ?? configuration.samples
        let columns = try CheckedSize.sum([configuration.axes.count, configuration.formula.formulas.count], field: "axes")
        let bytes = try CheckedSize.bytes(doubles: try CheckedSize.product([rows, columns], field: configuration.grid == nil ? "samples" : "grid"), field: "samples")
        return StageFootprint(trainingRows: rows, bytes: bytes)
    }

    /// One input per axis, one target per formula.
    public static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)? {
        (configuration.axes.count, configuration.formula.formulas.count)
    }

    /// Draws the data.
    public static func load(_ context: StageContext<Configuration>) throws -> LoadedData {
        let dataset = try source(context.configuration).generate(seed: context.dataSeed)
        guard context.configuration.testFraction > 0 else { return LoadedData(training: dataset) }
        let split = dataset.split(testFraction: context.configuration.testFraction, seed: context.dataSeed &+ 1)
        return LoadedData(training: split.training, test: split.test)
    }

    static func source(_ configuration: Configuration) -> FunctionDataSource {
        FunctionDataSource(
            formulas: configuration.formula.formulas, parameterValues: configuration.parameters,
            axes: configuration.axes.map { .init(name: $0.name, lower: $0.lower, upper: $0.upper) },
            sampling: configuration.grid.map { .grid(pointsPerAxis: $0) } ?? .random(count: configuration.samples),
            noise: configuration.noise)
    }
}
