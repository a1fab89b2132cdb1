import NeuralNetworks

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

    /// Bytes a network holds to evaluate `rows` samples: `parameterCopies` copies of its
    /// parameters (the model keeps gradients, tangents and the solver's vectors of that size)
    /// plus what an evaluation holds (``MultilayerPerceptron/evaluationValues(layerWidths:samples:workers:)``:
    /// the inputs' copy, the outputs, and the hidden layers whole or block by block) and
    /// `extraPerSample` values per sample. What differentiating over all samples at once adds
    /// (activations and derivatives) is the solver's and the evaluations' part of the case's
    /// minimum peak (``CaseEstimate``).
    static func evaluationBytes(
        _ layers: [Int], rows: Int, parameterCopies: Int, extraPerSample: Int = 0, field: String, rowsField: String
    ) throws -> Int {
        let parameters = try CheckedSize.product([parameterCopies, try Self.parameters(layers, field: field)], field: field)
        let extra = try CheckedSize.product([rows, extraPerSample], field: rowsField)
        let evaluation = MultilayerPerceptron.evaluationValues(layerWidths: layers, samples: rows)
        guard evaluation < Int.max else { throw CheckedSize.overflowProblem(field: rowsField, "\(rows) samples × \(shown(layers))") }
        return try CheckedSize.bytes(doubles: try CheckedSize.sum([parameters, evaluation, extra], field: rowsField), field: rowsField)
    }

    /// The widths for a message: all of them when there are few, else their count.
    static func shown(_ layers: [Int]) -> String {
        layers.count <= 8 ? "\(layers)" : "\(layers.count) widths"
    }
}
