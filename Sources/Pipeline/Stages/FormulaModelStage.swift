import Datasets
import FormulaModels
import Jacobians
import Solvers

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
        /// The parameters by name, in order, with initial values and `fixed`; nil: the
        /// formula's `b1, b2, …` with `initial` (or a NIST start).
        public var parameters: FormulaParameterDeclarations? = nil

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .optional("formula", \.formula, "g(y) = f(x; b) as text; null takes the NIST file's formula"),
            .optional("initial", \.initial, "starting parameters; null takes the NIST start below"),
            .optional("start", \.start, "NIST starting point: 1, 2 or certified"),
            .unset("parameters", \.parameters, "parameters by your names, in order: {a: {initial: 1}, c: {initial: 0, fixed: true}} (a number is the initial value); the formula's other names must be data.inputs columns, constants or functions"),
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
        if let declared = configuration.parameters {
            guard configuration.initial == nil else {
                throw ConfigurationProblem(field: "initial", "give the starting values either in initial or in parameters, not both")
            }
            guard configuration.formula != nil else {
                throw ConfigurationProblem(field: "parameters", "declare parameters together with a formula (a NIST file declares its own)")
            }
            guard !declared.parameters.isEmpty else { throw ConfigurationProblem(field: "parameters", "declare at least one parameter") }
            guard declared.parameters.contains(where: { !$0.fixed }) else {
                throw ConfigurationProblem(field: "parameters", "every parameter is fixed: nothing to fit")
            }
            // The names are resolved against the data's columns when the model is built.
            return
        }
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
        if let declared = configuration.parameters, let text = configuration.formula {
            return try namedModel(text, declared: declared, data: data)
        }
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

extension FormulaModelStage {
    /// The formula with the user's own names: parameters as declared (in order), predictors the
    /// data's input columns, the response the data's target column. Any other identifier is an
    /// error that states the naming rule and lists the names found.
    static func namedModel(_ text: String, declared: FormulaParameterDeclarations, data: LoadedData) throws -> any FittableModel {
        let columns = data.training.inputNames
        let declarations = FormulaDeclarations(parameterNames: declared.names, predictorNames: columns)
        let model: FormulaModel
        do {
            model = try FormulaModel(text, declarations: declarations)
        } catch {
            throw ConfigurationProblem(
                field: "formula",
                "\(error.message) — with model.parameters every name in the formula must be a declared parameter (\(declared.names.joined(separator: ", "))), an input column of the data (\(columns.joined(separator: ", "))), a constant or a function")
        }
        if let target = data.training.targetNames.first, model.responseName != target {
            throw ConfigurationProblem(
                field: "formula", "the formula's response is '\(model.responseName)' but the data's target column is '\(target)'")
        }
        let unused = declared.names.indices.filter { !model.definition.referencedParameters.contains($0) }
        guard unused.isEmpty else {
            throw ConfigurationProblem(
                field: "parameters", "declared but not used in the formula: \(unused.map { declared.names[$0] }.joined(separator: ", "))")
        }
        return FormulaFittableModel(
            model: model, initialParameters: declared.initialValues, fixedParameters: declared.fixedIndices, parameterBounds: declared.bounds)
    }
}

/// A compiled formula as a ``FittableModel``.
final class FormulaFittableModel: FittableModel {
    let model: FormulaModel
    let initialParameters: [Double]
    let fixedParameters: Set<Int>
    let parameterBounds: ParameterBounds?

    init(model: FormulaModel, initialParameters: [Double], fixedParameters: Set<Int> = [], parameterBounds: ParameterBounds? = nil) {
        self.model = model
        self.initialParameters = initialParameters
        self.fixedParameters = fixedParameters
        self.parameterBounds = parameterBounds
    }

    var parameterNames: [String] { model.parameterNames }

    /// False for a transformed response (`log[y] = …`): residuals are then in g(y)'s units.
    var residualsInTargetUnits: Bool { model.responseTransform == nil }

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
