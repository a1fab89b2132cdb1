/// A manifest's `formula`: one formula (`"y = a*exp(-k*t)"`), or a list with one formula per
/// target column (`["y1 = a*exp(-k*t)", "y2 = a*k*t"]`), which share the parameters.
public struct FormulaText: Decodable, Sendable, Equatable, StageOptionValue {
    /// The formulas, in target order (at least one once decoded).
    public var formulas: [String]

    /// One formula.
    public init(_ formula: String) { formulas = [formula] }

    /// Several formulas.
    public init(_ formulas: [String]) { self.formulas = formulas }

    /// Reads a string or a non-empty list of strings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            formulas = [text]
            return
        }
        guard let list = try? container.decode([String].self) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected a formula or a list of formulas (one per target)"))
        }
        guard !list.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "the list of formulas is empty"))
        }
        formulas = list
    }

    /// The only formula's text, or the list.
    public var yamlText: String { formulas.count == 1 ? formulas[0].yamlText : formulas.yamlText }
}
