import Datasets
import FormulaModels
import Jacobians

/// `model: {kind: formula, formula: "y = b1*(1-exp[-b2*x])", initial: [500, 1e-4]}` — a
/// model written as text; with NIST data the formula and starting point come from the file.
public enum FormulaModelStage: ModelStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// The formula text; nil takes the NIST problem's.
        public var formula: String? = nil
        /// Starting parameters; nil takes the NIST start named by `start`.
        public var initial: [Double]? = nil
        /// Which NIST starting point: `1`, `2` or `certified`.
        public var start = "1"

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .optional("formula", \.formula, "g(y) = f(x; b) as text; null takes the NIST file's formula"),
            .optional("initial", \.initial, "starting parameters; null takes the NIST start below"),
            .optional("start", \.start, "NIST starting point: 1, 2 or certified"),
        ]
    }

    /// `formula`.
    public static let kind = "formula"
    /// One line.
    public static let summary = "a model written as a formula (compiled tape; forward lanes, reverse sweeps, complex step)"

    /// The formula must parse and have at least one parameter, the initial values must be
    /// finite and as many as the parameters, and `start` must be a NIST start name.
    public static func validate(_ configuration: Configuration) throws {
        if let initial = configuration.initial { try CheckedNumber.finite(initial, field: "initial") }
        if let text = configuration.formula {
            do {
                let model = try FormulaModel(text)
                guard model.parameterCount > 0 else {
                    throw ConfigurationProblem(
                        field: "formula",
                        "the formula has no parameters to fit (every name is a predictor: \(model.predictorNames.joined(separator: ", "))); write one such as b1")
                }
                if let initial = configuration.initial, initial.count != model.parameterCount {
                    throw ConfigurationProblem(
                        field: "initial",
                        "\(initial.count) initial values for \(model.parameterCount) parameters (\(model.parameterNames.joined(separator: ", ")))")
                }
            } catch let error as FormulaParseError {
                throw ConfigurationProblem(field: "formula", error.description)
            }
        }
        guard NISTStartingPoint(manifestValue: configuration.start) != nil else {
            throw ConfigurationProblem(field: "start", "unknown start '\(configuration.start)': use 1, 2 or certified")
        }
    }

    /// Compiles the formula and picks the starting parameters.
    public static func build(_ context: StageContext<Configuration>, data: LoadedData) throws -> any FittableModel {
        let configuration = context.configuration
        let model: FormulaModel
        if let text = configuration.formula {
            model = try FormulaModel(text)
        } else if let nist = data.nist {
            model = nist.model
        } else {
            throw ConfigurationProblem(field: "formula", "no formula given and the data is not a NIST problem")
        }
        let initial: [Double]
        if let given = configuration.initial {
            initial = given
        } else if let nist = data.nist, let start = NISTStartingPoint(manifestValue: configuration.start) {
            initial = nist.startingPoint(start)
        } else {
            throw ConfigurationProblem(field: "initial", "give initial parameters (the data has no NIST starting points)")
        }
        // With a NIST file's formula the count is known only now (validate checks a given formula).
        guard initial.count == model.parameterCount else {
            throw ConfigurationProblem(
                field: "initial", "\(initial.count) initial values for \(model.parameterCount) parameters (\(model.parameterNames.joined(separator: ", ")))")
        }
        guard data.training.inputCount == model.predictorCount else {
            throw ConfigurationProblem(
                "the formula has \(model.predictorCount) predictors (\(model.predictorNames.joined(separator: ", "))) but the data has \(data.training.inputCount) input columns")
        }
        return FormulaFittableModel(model: model, initialParameters: initial)
    }
}

/// A compiled formula as a ``FittableModel``.
final class FormulaFittableModel: FittableModel {
    let model: FormulaModel
    let initialParameters: [Double]

    init(model: FormulaModel, initialParameters: [Double]) {
        self.model = model
        self.initialParameters = initialParameters
    }

    var parameterNames: [String] { model.parameterNames }

    func residualMap(on dataset: Dataset) throws -> any DifferentiableMap {
        guard dataset.targetCount == 1 else {
            throw ConfigurationProblem("a formula model fits one response column; the data has \(dataset.targetCount)")
        }
        return try FormulaResidualMap(model: model, inputs: dataset.inputs, responses: dataset.targets.column(0))
    }

    func inputMap(on dataset: Dataset, parameters: [Double]) throws -> (map: any DifferentiableMap, point: [Double]) {
        throw ConfigurationProblem(field: "with-respect-to", "formula models are differentiated with respect to parameters only")
    }
}
