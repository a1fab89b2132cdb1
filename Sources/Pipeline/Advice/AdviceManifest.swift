import FormulaModels
import JSONDocuments
import Jacobians
import YAMLDecoding

/// The one-case manifests `jacobench advise` builds from its flags, so a network or a
/// formula given on the command line goes through the same stages (and the same
/// file:line:column errors) as a manifest.
public enum AdviceManifest {
    /// Where messages about a synthesized manifest point.
    public static let file = "jacobench advise"

    /// A teacher network of widths `layers` on `samples` samples, the same widths fitted,
    /// differentiated with respect to `variables`.
    public static func network(layers: [Int], samples: Int, activation: String, variables: JacobianVariables, seed: UInt64) -> String {
        let widths = "[" + layers.map(String.init).joined(separator: ", ") + "]"
        return """
            name: advise
            seed: \(seed)
            data: {kind: teacher-mlp, layers: \(widths), activation: \(quoted(activation)), samples: \(samples)}
            model: {kind: mlp, layers: \(widths), activation: \(quoted(activation))}
            jacobian: {with-respect-to: \(variables.rawValue)}
            """
    }

    /// `samples` random points of the formula's predictors in [0, 1], responses from the
    /// formula at parameters all 1, fitted from parameters all 1.
    ///
    /// - Throws: `YAMLError` at `--formula` when the formula does not parse.
    public static func formula(_ text: String, samples: Int, seed: UInt64) throws -> String {
        let model: FormulaModel
        do {
            model = try FormulaModel(text)
        } catch {
            throw YAMLError(location: SourceLocation(file: "--formula", line: 1, column: 1), keyPath: "formula", message: "\(error)")
        }
        let axes = model.predictorNames.map { "{name: \(quoted($0)), lower: 0, upper: 1}" }.joined(separator: ", ")
        let parameters = model.parameterNames.map { "\(quoted($0)): 1" }.joined(separator: ", ")
        let initial = Array(repeating: "1", count: model.parameterCount).joined(separator: ", ")
        return """
            name: advise
            seed: \(seed)
            data: {kind: function, formula: \(quoted(text)), parameters: {\(parameters)}, axes: [\(axes)], samples: \(samples)}
            model: {kind: formula, formula: \(quoted(text)), initial: [\(initial)]}
            jacobian: {with-respect-to: parameters}
            """
    }

    /// A YAML double-quoted scalar: a JSON string is one.
    static func quoted(_ text: String) -> String { JSONValue.string(text).canonicalText }
}
