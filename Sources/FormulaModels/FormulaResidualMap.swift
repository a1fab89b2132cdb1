import Jacobians
import LinearAlgebra
import Numerics

/// The residuals of a ``FormulaModel`` over a fixed set of samples, as a function of the
/// parameters: r(b) ∈ R^S with r_s(b) = f(x_s; b) − g(y_s), g the response transform
/// (identity unless the formula reads e.g. `log[y] = …`, in which case the residuals live
/// in the transformed space, as NIST's certified values assume). The sign follows the
/// MLP residual map (prediction minus target); Σ r_s² is the same either way.
///
/// Adopts every engine capability that applies: ``PerSampleStructured`` (residual s
/// depends only on sample s and b) and ``ComplexEvaluable``. Not thread-safe: it owns
/// its evaluation buffers.
public final class FormulaResidualMap: DifferentiableMap, PerSampleStructured, ComplexEvaluable {
    /// The model.
    public let model: FormulaModel
    /// g(y_s) for every sample.
    public let transformedResponses: [Double]
    /// The evaluator holding the samples and buffers.
    public let evaluator: FormulaBatchEvaluator
    private var complexBuffer: [Complex<Double>] = []
    private var residualBuffer: [Double] = []

    /// Creates the map over `inputs` (S × d) and `responses` (S values of y).
    ///
    /// - Throws: ``FormulaModelError`` if the shapes disagree with the model or g(y_s) is
    ///   not finite (e.g. `log[y]` with y ≤ 0), naming the sample.
    public init(model: FormulaModel, inputs: Matrix, responses: [Double]) throws(FormulaModelError) {
        guard inputs.columns == model.predictorCount else {
            throw FormulaModelError("the formula has \(model.predictorCount) predictor(s) (\(model.predictorNames.joined(separator: ", "))) but the data has \(inputs.columns) input column(s)")
        }
        guard inputs.rows == responses.count else {
            throw FormulaModelError("\(inputs.rows) input rows but \(responses.count) responses")
        }
        var transformed = responses
        if let transform = model.responseTransform {
            for (index, value) in responses.enumerated() {
                transformed[index] = transform(value)
                guard transformed[index].isFinite else {
                    throw FormulaModelError("\(transform.rawValue)[\(model.responseName)] is not finite for sample \(index + 1) (\(model.responseName) = \(value))")
                }
            }
        }
        self.model = model
        self.transformedResponses = transformed
        self.evaluator = FormulaBatchEvaluator(program: model.program, inputs: inputs)
    }

    /// n, the number of parameters.
    public var inputCount: Int { model.parameterCount }
    /// S, one residual per sample.
    public var outputCount: Int { transformedResponses.count }
    /// S.
    public var sampleCount: Int { transformedResponses.count }
    /// 1.
    public var outputsPerSample: Int { 1 }

    /// Writes r(b) into `output`.
    ///
    /// - Complexity: one batched pass over the active tape.
    public func evaluate(at point: [Double], into output: inout [Double]) {
        evaluator.evaluate(parameters: point, into: &output)
        for index in 0..<output.count { output[index] -= transformedResponses[index] }
    }

    /// J·V (S × k) for tangents V (n × k), exact to rounding.
    ///
    /// - Complexity: one forward sweep carrying k lanes.
    public func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        evaluator.pushforward(parameters: point, tangents: tangents, into: &result)
    }

    /// U·J (k × n) for cotangents U (k × S), exact to rounding.
    ///
    /// - Complexity: one forward pass plus one reverse sweep carrying k lanes.
    public func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        evaluator.pullback(parameters: point, cotangents: cotangents, into: &result)
    }

    /// Row s = ∂r_s/∂b (S × n); `outputIndex` must be 0.
    ///
    /// - Complexity: one forward pass plus one single-lane reverse sweep over all samples.
    public func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        precondition(outputIndex == 0, "a formula residual map has one output per sample")
        evaluator.perSampleGradients(parameters: point, into: &result)
    }

    /// The whole S × n Jacobian, written in place by one single-lane reverse sweep
    /// (one output per sample, so the per-sample gradients are the Jacobian's rows).
    public func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        evaluator.perSampleGradients(parameters: point, into: &jacobian)
    }

    /// r(z) in complex arithmetic, for the complex-step strategy (see `FormulaBatchEvaluator`'s complex evaluation).
    public func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        evaluator.evaluate(parameters: point, into: &output)
        for index in 0..<output.count { output[index] = output[index] - Complex(transformedResponses[index]) }
    }

    /// Σ_s r_s(b)², the residual sum of squares.
    public func residualSumOfSquares(at point: [Double]) -> Double {
        evaluate(at: point, into: &residualBuffer)
        var sum = 0.0
        for value in residualBuffer { sum += value * value }
        return sum
    }
}
