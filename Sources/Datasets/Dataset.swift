import LinearAlgebra

/// Samples for fitting: inputs (S × d) and targets (S × p), with column names.
///
/// Row s of `inputs` and row s of `targets` belong to the same sample.
public struct Dataset: Sendable, Equatable {
    /// S × d predictor values.
    public var inputs: Matrix
    /// S × p response values.
    public var targets: Matrix
    /// d names of the input columns.
    public var inputNames: [String]
    /// p names of the target columns.
    public var targetNames: [String]
    /// σ_s, the standard deviation of sample s's targets (curve_fit's `sigma`), one per sample;
    /// nil when the observations are unweighted.
    public var sigma: [Double]? = nil

    /// Creates a dataset; the matrices must have the same number of rows and the name
    /// counts must match their column counts.
    public init(inputs: Matrix, targets: Matrix, inputNames: [String]? = nil, targetNames: [String]? = nil) {
        precondition(inputs.rows == targets.rows, "inputs have \(inputs.rows) rows, targets \(targets.rows)")
        self.inputs = inputs
        self.targets = targets
        self.inputNames = inputNames ?? (0..<inputs.columns).map { "x\($0 + 1)" }
        self.targetNames = targetNames ?? (0..<targets.columns).map { targets.columns == 1 ? "y" : "y\($0 + 1)" }
        precondition(self.inputNames.count == inputs.columns, "\(self.inputNames.count) input names for \(inputs.columns) columns")
        precondition(self.targetNames.count == targets.columns, "\(self.targetNames.count) target names for \(targets.columns) columns")
    }

    /// S, the number of samples.
    public var sampleCount: Int { inputs.rows }
    /// d, the number of input columns.
    public var inputCount: Int { inputs.columns }
    /// p, the number of target columns.
    public var targetCount: Int { targets.columns }

    /// The samples at `indices` (in that order) as a new dataset.
    public func selecting(rows indices: [Int]) -> Dataset {
        var newInputs = Matrix(rows: indices.count, columns: inputCount)
        var newTargets = Matrix(rows: indices.count, columns: targetCount)
        for (row, source) in indices.enumerated() {
            for j in 0..<inputCount { newInputs[row, j] = inputs[source, j] }
            for j in 0..<targetCount { newTargets[row, j] = targets[source, j] }
        }
        var selected = Dataset(inputs: newInputs, targets: newTargets, inputNames: inputNames, targetNames: targetNames)
        selected.sigma = sigma.map { sigma in indices.map { sigma[$0] } }
        return selected
    }

    /// σ per residual, row s·p + d taking σ_s: the weights of the residual map's rows; nil
    /// when unweighted.
    public var residualSigma: [Double]? {
        sigma.map { sigma in sigma.flatMap { Array(repeating: $0, count: targetCount) } }
    }
}
