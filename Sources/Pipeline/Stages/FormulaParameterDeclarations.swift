/// `model.parameters` of a formula model: the parameters by the user's own names, in the order
/// written, each with its starting value and whether it is held fixed
/// (`parameters: {a: {initial: 1}, k: 0.1, c: {initial: 0, fixed: true}}`; a bare number is
/// the initial value). With it, the formula's other names must be the data's input columns
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

        enum CodingKeys: String, CodingKey { case initial, fixed }

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
            }
            guard initial.isFinite else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "initial must be a finite number, got \(initial)"))
            }
        }

        /// A declaration from its parts.
        public init(name: String, initial: Double, fixed: Bool = false) {
            self.name = name
            self.initial = initial
            self.fixed = fixed
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
        "{" + parameters.map { $0.fixed ? "\($0.name): {initial: \($0.initial.yamlText), fixed: true}" : "\($0.name): \($0.initial.yamlText)" }
            .joined(separator: ", ") + "}"
    }
}
