/// What the names in a formula mean, beyond what the text itself says.
///
/// Left at their defaults, parameters are the identifiers `b1`, `b2`, … that occur in the
/// text (ordered by number), predictors are `x`, `x1`, `x2`, … (ordered `x` first, then by
/// number) and the only constant is `pi`. A manifest or a NIST file declares names
/// explicitly; then every other identifier is an error.
public struct FormulaDeclarations: Sendable, Equatable {
    /// Parameter names in the order of the parameter vector, or `nil` for `b1, b2, …`.
    public var parameterNames: [String]?
    /// Predictor names in the order of the input columns, or `nil` for `x, x1, x2, …`.
    public var predictorNames: [String]?
    /// Named constants (the formula text may add more with `name = value` lines).
    public var constants: [String: Double]

    /// Creates declarations; `pi` is always available unless `constants` redefines it.
    public init(parameterNames: [String]? = nil, predictorNames: [String]? = nil, constants: [String: Double] = [:]) {
        self.parameterNames = parameterNames
        self.predictorNames = predictorNames
        self.constants = constants.merging(["pi": Double.pi]) { given, _ in given }
    }
}

/// A fully parsed and resolved formula: the equation `g(y) = f(x; b)` plus every name.
public struct FormulaDefinition: Sendable, Equatable {
    /// The original text (all statements).
    public var text: String
    /// The response variable's name (`y`).
    public var responseName: String
    /// g when the response is transformed (`log[y] = …`), otherwise `nil`.
    public var responseTransform: FormulaFunction?
    /// f(x; b), the right-hand side with the trailing `+ e` error term removed.
    public var expression: FormulaExpression
    /// Parameter names in parameter-vector order.
    public var parameterNames: [String]
    /// Predictor names in input-column order.
    public var predictorNames: [String]
    /// Every named constant, including auxiliary assignments such as `pi = 3.14…E0`.
    public var constants: [String: Double]
    /// Indices of the parameters the expression actually uses.
    public var referencedParameters: Set<Int>
}
