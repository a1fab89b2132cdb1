import LinearAlgebra

/// A model written as text, `g(y) = f(x; b)`, compiled once into a ``FormulaProgram``.
///
///     let model = try FormulaModel("y = b1*(1-exp[-b2*x])")
///     model.parameterNames   // ["b1", "b2"]
///
/// The model is a value: it holds no buffers. Evaluate it over data through
/// ``FormulaBatchEvaluator`` or, for fitting, through ``FormulaResidualMap``.
public struct FormulaModel: Sendable, Equatable {
    /// The parsed equation and every name.
    public let definition: FormulaDefinition
    /// The compiled tape.
    public let program: FormulaProgram

    /// Parses and compiles `text`.
    ///
    /// - Throws: ``FormulaParseError`` with a caret under the offending column.
    /// - Complexity: linear in the length of the text, once.
    public init(
        _ text: String, declarations: FormulaDeclarations = FormulaDeclarations(),
        file: String? = nil, firstLine: Int = 1
    ) throws(FormulaParseError) {
        self.init(definition: try FormulaParser.parse(text, declarations: declarations, file: file, firstLine: firstLine))
    }

    /// Compiles an already parsed definition.
    public init(definition: FormulaDefinition) {
        self.definition = definition
        self.program = FormulaProgram(
            expression: definition.expression,
            parameterCount: definition.parameterNames.count,
            predictorCount: definition.predictorNames.count)
    }

    /// Parameter names in parameter-vector order.
    public var parameterNames: [String] { definition.parameterNames }
    /// Predictor names in input-column order.
    public var predictorNames: [String] { definition.predictorNames }
    /// The response's name.
    public var responseName: String { definition.responseName }
    /// g in `g(y) = f(x; b)`, or `nil` when the response is not transformed.
    public var responseTransform: FormulaFunction? { definition.responseTransform }
    /// n, the number of parameters.
    public var parameterCount: Int { definition.parameterNames.count }
    /// d, the number of predictors.
    public var predictorCount: Int { definition.predictorNames.count }

    /// f(x_s; b) for every row of `inputs` (S × d). Allocates an evaluator: for repeated
    /// evaluation keep a ``FormulaBatchEvaluator`` instead.
    public func predictions(parameters: [Double], inputs: Matrix) -> [Double] {
        var output: [Double] = []
        FormulaBatchEvaluator(program: program, inputs: inputs).evaluate(parameters: parameters, into: &output)
        return output
    }

    /// The residual map r(b) = f(x_s; b) − g(y_s) over the given samples.
    ///
    /// - Throws: ``FormulaModelError`` when shapes disagree or g(y_s) is not finite.
    public func residualMap(inputs: Matrix, responses: [Double]) throws(FormulaModelError) -> FormulaResidualMap {
        try FormulaResidualMap(model: self, inputs: inputs, responses: responses)
    }
}

/// A formula model that cannot be applied to the given data.
public struct FormulaModelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong and how to fix it.
    public var message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
