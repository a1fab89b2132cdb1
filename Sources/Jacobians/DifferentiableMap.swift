import LinearAlgebra

/// A vector function y = f(x), x ∈ Rⁿ, y ∈ Rᵐ, that can evaluate itself and
/// propagate blocks of derivative directions exactly (to rounding).
///
/// This is the one protocol every Jacobian strategy is written against; models
/// (the MLP, formula models, NIST problems, a user's own type) adopt it and never
/// learn which strategy runs. Optional capabilities are separate protocols:
/// ``PerSampleStructured``, ``ComplexEvaluable`` and ``SwiftDifferentiableMap``.
///
/// Models are reference types because they own reusable workspaces; a model is
/// used from one thread at a time.
public protocol DifferentiableMap: AnyObject {
    /// n, the dimension of the input x.
    var inputCount: Int { get }
    /// m, the dimension of the output y.
    var outputCount: Int { get }

    /// Writes f(x) into `output` (resized to m).
    ///
    /// - Complexity: one forward pass.
    func evaluate(at point: [Double], into output: inout [Double])

    /// Returns J·V for a block of tangent columns.
    ///
    /// - Parameters:
    ///   - point: x, n values.
    ///   - tangents: n × k matrix; column j is the j-th direction.
    ///   - result: receives the m × k matrix J·V, exact to rounding (reshaped as needed).
    /// - Complexity: one forward sweep carrying k lanes.
    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix)

    /// Returns U·J for a block of cotangent rows.
    ///
    /// - Parameters:
    ///   - point: x, n values.
    ///   - cotangents: k × m matrix; row i is the i-th output weighting.
    ///   - result: receives the k × n matrix U·J, exact to rounding (reshaped as needed).
    /// - Complexity: one forward pass plus one backward sweep carrying k lanes.
    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix)
}

/// A map whose outputs are grouped by sample: rows `s·p ..< (s+1)·p` (p =
/// `outputsPerSample`) depend only on sample s and the shared input x (the
/// parameters). Residuals of a model over a dataset have this shape.
public protocol PerSampleStructured: DifferentiableMap {
    /// Number of samples S; `outputCount == sampleCount * outputsPerSample`.
    var sampleCount: Int { get }
    /// Outputs per sample, p.
    var outputsPerSample: Int { get }

    /// For one output dimension d, writes ∂y(s, d)/∂x for every sample s.
    ///
    /// - Parameters:
    ///   - outputIndex: d in `0..<outputsPerSample`.
    ///   - result: receives an S × n matrix; row s is the gradient of output (s, d),
    ///     i.e. row `s·p + d` of the Jacobian.
    /// - Complexity: one batched backward sweep over all samples with one lane each.
    func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix)

    /// Writes the whole m × n Jacobian from p per-sample sweeps (one per output
    /// dimension), each row s·p + d being the gradient of output (s, d).
    ///
    /// The default calls ``perSampleGradients(at:outputIndex:into:)`` p times and
    /// scatters the rows; models override it to write rows in place.
    /// - Complexity: p batched backward sweeps.
    func perSampleJacobian(at point: [Double], into jacobian: inout Matrix)
}

extension PerSampleStructured {
    /// Default: p calls of ``perSampleGradients(at:outputIndex:into:)`` into one
    /// S × n scratch matrix (allocated once per call), rows scattered to s·p + d.
    public func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        let n = inputCount, p = outputsPerSample
        jacobian.reshape(rows: outputCount, columns: n)
        var gradients = Matrix(rows: sampleCount, columns: n)
        for output in 0..<p {
            perSampleGradients(at: point, outputIndex: output, into: &gradients)
            for sample in 0..<sampleCount {
                let source = sample * n, target = (sample * p + output) * n
                for column in 0..<n { jacobian.elements[target + column] = gradients.elements[source + column] }
            }
        }
    }
}
