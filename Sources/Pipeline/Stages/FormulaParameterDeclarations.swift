import Solvers
/// `model.parameters` of a formula model: the parameters by the user's own names, in the order
/// written, each with its starting value, its bounds and whether it is held fixed
/// (`parameters: {a: {initial: 1, min: 0}, k: 0.1, c: {initial: 0, fixed: true}}`; a bare
/// number is the initial value; `min`/`max` as lmfit's, open when absent). With it, the formula's other names must be the data's input columns
/// (`data.inputs`), constants or functions: an undeclared name is an error, so a mistyped
/// column is never fitted as a parameter.
public struct FormulaParameterDeclarations: Decodable, Sendable, Equatable, StageOptionValue {
    /// One declared parameter.
    public struct Parameter: Decodable, Sendable, Equatable {
        /// Its name in the formula.
        public var name: String
        /// Its starting value.
        public var initial: Double
        /// Whether the fit holds it at ``initial``.
        public var fixed: Bool
        /// Its lower bound (−∞ when absent).
        public var min = -Double.infinity
        /// Its upper bound (+∞ when absent).
        public var max = Double.infinity

        enum CodingKeys: String, CodingKey { case initial, fixed, min, max }

        /// Decodes a number or `{initial: …, fixed: …}`; the name comes from the key.
        public init(from decoder: any Decoder) throws {
            name = decoder.codingPath.last?.stringValue ?? ""
            if let value = try? decoder.singleValueContainer().decode(Double.self) {
                initial = value
                fixed = false
            } else {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                initial = try container.decode(Double.self, forKey: .initial)
                fixed = try container.decodeIfPresent(Bool.self, forKey: .fixed) ?? false
                min = try container.decodeIfPresent(Double.self, forKey: .min) ?? -.infinity
                max = try container.decodeIfPresent(Double.self, forKey: .max) ?? .infinity
            }
            guard initial.isFinite else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "initial must be a finite number, got \(initial)"))
            }
            guard !min.isNaN, !max.isNaN, min < max, min != .infinity, max != -.infinity else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "min must be below max (got min \(min), max \(max)); to hold a parameter use fixed: true"))
            }
            guard fixed || (min <= initial && initial <= max) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "initial \(initial) is outside [min, max] = [\(min), \(max)]"))
            }
        }

        /// A declaration from its parts.
        public init(name: String, initial: Double, fixed: Bool = false, min: Double = -.infinity, max: Double = .infinity) {
            self.name = name
            self.initial = initial
            self.fixed = fixed
            self.min = min
            self.max = max
        }

        /// `a: 1`, or `a: {initial: 1, min: 0, fixed: true}` with what is set.
        var yamlText: String {
            var fields: [String] = []
            if min > -.infinity { fields.append("min: \(min.yamlText)") }
            if max < .infinity { fields.append("max: \(max.yamlText)") }
            if fixed { fields.append("fixed: true") }
            return fields.isEmpty ? "\(name): \(initial.yamlText)" : "\(name): {initial: \(initial.yamlText), \(fields.joined(separator: ", "))}"
        }
    }

    /// The parameters in the order written.
    public var parameters: [Parameter]

    /// Names in parameter-vector order.
    public var names: [String] { parameters.map(\.name) }
    /// Starting values in parameter-vector order.
    public var initialValues: [Double] { parameters.map(\.initial) }
    /// Indices of the fixed parameters.
    public var fixedIndices: Set<Int> { Set(parameters.indices.filter { parameters[$0].fixed }) }
    /// The bounds when any parameter has one, else nil.
    public var bounds: ParameterBounds? {
        let bounds = ParameterBounds(lower: parameters.map(\.min), upper: parameters.map(\.max))
        return bounds.isConstraining ? bounds : nil
    }

    struct NameKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reads the mapping in document order.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NameKey.self)
        parameters = try container.allKeys.map { try container.decode(Parameter.self, forKey: $0) }
    }

    /// Declarations from their parts.
    public init(_ parameters: [Parameter]) { self.parameters = parameters }

    /// `{a: 1, c: {initial: 0, fixed: true}}`.
    public var yamlText: String {
        "{" + parameters.map(\.yamlText).joined(separator: ", ") + "}"
    }
}
