import Datasets
import FormulaModels
import Jacobians
import Solvers

/// `model: {kind: formula, formula: "y = b1*(1-exp[-b2*x])", initial: [500, 1e-4]}` — a
/// model written as text; with NIST data the formula and starting point come from the file.
public enum FormulaModelStage: ModelStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// The formula text, or one per target (with `parameters`); nil takes the NIST problem's.
        public var formula: FormulaText? = nil
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
            .optional("formula", \.formula, "g(y) = f(x; b) as text, or a list with one formula per data.targets column sharing model.parameters; null takes the NIST file's formula"),
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
        if let formulas = configuration.formula?.formulas, formulas.count > 1 {
            throw ConfigurationProblem(field: "formula", "\(formulas.count) formulas share one parameter vector only by name: declare them in model.parameters")
        }
        if let text = configuration.formula?.formulas.first {
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
        if let declared = configuration.parameters, let formulas = configuration.formula?.formulas {
            return try namedModel(formulas, declared: declared, data: data)
        }
        let model: FormulaModel
        if let text = configuration.formula?.formulas.first {
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
    /// The formulas with the user's own names: parameters as declared (in order, shared by every
    /// formula), predictors the data's input columns, formula i's response the data's target
    /// column i. Any other identifier is an error that states the naming rule and lists the
    /// names found.
    static func namedModel(_ texts: [String], declared: FormulaParameterDeclarations, data: LoadedData) throws -> any FittableModel {
        let columns = data.training.inputNames, targets = data.training.targetNames
        let declarations = FormulaDeclarations(parameterNames: declared.names, predictorNames: columns)
        guard texts.count == targets.count else {
            throw ConfigurationProblem(
                field: "formula", "\(texts.count) formula(s) for \(targets.count) target column(s) (\(targets.joined(separator: ", "))): write one formula per target, in the same order")
        }
        var models: [FormulaModel] = []
        for (index, text) in texts.enumerated() {
            let field = texts.count == 1 ? "formula" : "formula[\(index)]"
            let model: FormulaModel
            do {
                model = try FormulaModel(text, declarations: declarations)
            } catch {
                throw ConfigurationProblem(
                    field: field,
                    "\(error.message) — with model.parameters every name in the formula must be a declared parameter (\(declared.names.joined(separator: ", "))), an input column of the data (\(columns.joined(separator: ", "))), a constant or a function")
            }
            if model.responseName != targets[index] {
                throw ConfigurationProblem(
                    field: field, "the formula's response is '\(model.responseName)' but the data's target column \(texts.count == 1 ? "" : "\(index + 1) ")is '\(targets[index])'")
            }
            models.append(model)
        }
        let used = models.reduce(into: Set<Int>()) { $0.formUnion($1.definition.referencedParameters) }
        let unused = declared.names.indices.filter { !used.contains($0) }
        guard unused.isEmpty else {
            throw ConfigurationProblem(
                field: "parameters", "declared but not used in the formula\(texts.count == 1 ? "" : "s"): \(unused.map { declared.names[$0] }.joined(separator: ", "))")
        }
        return FormulaFittableModel(
            models: models, initialParameters: declared.initialValues, fixedParameters: declared.fixedIndices, parameterBounds: declared.bounds)
    }
}

/// Compiled formulas (one per target, sharing the parameters) as a ``FittableModel``.
final class FormulaFittableModel: FittableModel {
    let models: [FormulaModel]
    let initialParameters: [Double]
    let fixedParameters: Set<Int>
    let parameterBounds: ParameterBounds?

    init(models: [FormulaModel], initialParameters: [Double], fixedParameters: Set<Int> = [], parameterBounds: ParameterBounds? = nil) {
        self.models = models
        self.initialParameters = initialParameters
        self.fixedParameters = fixedParameters
        self.parameterBounds = parameterBounds
    }

    convenience init(model: FormulaModel, initialParameters: [Double]) {
        self.init(models: [model], initialParameters: initialParameters)
    }

    var parameterNames: [String] { models[0].parameterNames }

    /// False for a transformed response (`log[y] = …`): residuals are then in g(y)'s units.
    var residualsInTargetUnits: Bool { models.allSatisfy { $0.responseTransform == nil } }

    /// One formula: its residual map. Several: their maps interleaved, row s·p + d for sample s
    /// and target d (``InterleavedOutputsMap``).
    func residualMap(on dataset: Dataset) throws -> any DifferentiableMap {
        guard dataset.targetCount == models.count else {
            throw ConfigurationProblem("\(models.count) formula(s) fit \(models.count) response column(s); the data has \(dataset.targetCount)")
        }
        let maps = try models.enumerated().map { d, model in
            try FormulaResidualMap(model: model, inputs: dataset.inputs, responses: dataset.targets.column(d))
        }
        return maps.count == 1 ? maps[0] : InterleavedOutputsMap(components: maps)
    }

    func inputMap(on dataset: Dataset, parameters: [Double]) throws -> (map: any DifferentiableMap, point: [Double]) {
        throw ConfigurationProblem(field: "with-respect-to", "formula models are differentiated with respect to parameters only")
    }
}
