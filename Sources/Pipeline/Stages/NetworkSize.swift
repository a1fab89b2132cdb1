/// The sizes of a fully connected network given by its widths, through checked arithmetic.
enum NetworkSize {
    /// N = Σ (wᵢ·wᵢ₊₁ + wᵢ₊₁) of `layers` (positive widths); throws at `field` on overflow.
    static func parameters(_ layers: [Int], field: String) throws -> Int {
        var total = 0
        for (input, output) in zip(layers, layers.dropFirst()) {
            total = try CheckedSize.sum([total, try CheckedSize.product([input, output], field: field), output], field: field)
        }
        return total
    }

    /// Σ wᵢ, the values one sample's activations take.
    static func units(_ layers: [Int], field: String) throws -> Int {
        try CheckedSize.sum(layers, field: field)
    }

    /// Bytes of a network over `rows` samples: its parameters (and a few copies of their
    /// size: gradients, tangents, the solver's vectors) plus three values per unit per
    /// sample (outputs, derivatives, one lane of sweeps).
    static func bytes(_ layers: [Int], rows: Int, field: String, rowsField: String) throws -> Int {
        let parameters = try Self.parameters(layers, field: field)
        let perSample = try CheckedSize.product([3, try units(layers, field: field)], field: field)
        let activations = try CheckedSize.product([rows, perSample], field: rowsField)
        let values = try CheckedSize.sum([try CheckedSize.product([4, parameters], field: field), activations], field: field)
        return try CheckedSize.bytes(doubles: values, field: field)
    }

    /// The widths for a message: all of them when there are few, else their count.
    static func shown(_ layers: [Int]) -> String {
        layers.count <= 8 ? "\(layers)" : "\(layers.count) widths"
    }
}
