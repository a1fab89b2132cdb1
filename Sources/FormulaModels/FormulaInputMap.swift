import Jacobians
import LinearAlgebra
import Numerics

/// A formula with fixed parameters as a function of its predictors at P points:
/// x = (x_1, …, x_P) ∈ R^{d·P} (point-major) ↦ (f(x_1; b), …, f(x_P; b)) ∈ R^P, the
/// right-hand side only (no response, no transform). For sensitivity analysis.
///
/// The Jacobian is block diagonal (P blocks 1 × d). The formula is recompiled with the
/// roles of parameters and predictors swapped, so the same batched tape computes ∂f/∂x:
/// parameter-only subexpressions are hoisted, predictor-dependent ones are active.
/// Per-sample structured: output s depends only on x_s, so each per-sample gradient is
/// zero outside its block. Not thread-safe.
public final class FormulaInputMap: PerSampleStructured, ComplexEvaluable {
    /// The model.
    public let model: FormulaModel
    /// The fixed parameters b.
    public let parameters: [Double]
    /// P, the number of points.
    public let pointCount: Int
    let evaluator: FormulaBatchEvaluator
    private var gradients = Matrix(rows: 0, columns: 0)

    /// Creates the map of `model` at parameters `parameters` over `pointCount` points.
    ///
    /// - Complexity: compiles the swapped formula once.
    public init(model: FormulaModel, parameters: [Double], pointCount: Int = 1) {
        precondition(parameters.count == model.parameterCount, "expected \(model.parameterCount) parameters, got \(parameters.count)")
        precondition(pointCount > 0, "at least one point")
        self.model = model
        self.parameters = parameters
        self.pointCount = pointCount
        let swapped = FormulaProgram(
            expression: model.definition.expression.swappingParametersAndPredictors(),
            parameterCount: model.predictorCount, predictorCount: model.parameterCount)
        var fixed = Matrix(rows: pointCount, columns: model.parameterCount)
        for s in 0..<pointCount { for p in 0..<model.parameterCount { fixed[s, p] = parameters[p] } }
        evaluator = FormulaBatchEvaluator(program: swapped, inputs: fixed)
    }

    /// n = d·P.
    public var inputCount: Int { model.predictorCount * pointCount }
    /// m = P.
    public var outputCount: Int { pointCount }
    /// P.
    public var sampleCount: Int { pointCount }
    /// 1.
    public var outputsPerSample: Int { 1 }

    /// f(x_s; b) for every point.
    public func evaluate(at point: [Double], into output: inout [Double]) {
        evaluator.evaluate(parameterRows: point, into: &output)
    }

    /// J·V (P × k) for V ((d·P) × k): one forward sweep with k lanes.
    public func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        evaluator.pushforward(parameterRows: point, tangentRows: tangents, into: &result)
    }

    /// U·J (k × d·P) for U (k × P): one single-lane reverse sweep gives ∂f_s/∂x_s for every
    /// point; lane i of point s is U[i, s] times it (output s depends only on x_s).
    public func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        precondition(cotangents.columns == pointCount, "cotangents must have \(pointCount) columns")
        evaluator.perSampleGradients(parameterRows: point, into: &gradients)
        let d = model.predictorCount, k = cotangents.rows
        result.reshape(rows: k, columns: d * pointCount)
        for i in 0..<k {
            for s in 0..<pointCount {
                let weight = cotangents.elements[i * pointCount + s]
                for j in 0..<d { result.elements[i * d * pointCount + s * d + j] = weight * gradients.elements[s * d + j] }
            }
        }
    }

    /// Row s (of P × d·P) is ∂f_s/∂x: ∂f_s/∂x_s in columns s·d ..< (s+1)·d, zero elsewhere.
    public func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        precondition(outputIndex == 0, "a formula has one output per point")
        evaluator.perSampleGradients(parameterRows: point, into: &gradients)
        let d = model.predictorCount, n = d * pointCount
        result.reshape(rows: pointCount, columns: n)
        result.fill(0)
        for s in 0..<pointCount {
            for j in 0..<d { result.elements[s * n + s * d + j] = gradients.elements[s * d + j] }
        }
    }

    /// The P × d·P Jacobian in place (same as the per-sample gradients, p = 1).
    public func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        perSampleGradients(at: point, outputIndex: 0, into: &jacobian)
    }

    /// f(z_s; b) for complex predictors.
    public func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        evaluator.evaluate(parameterRows: point, into: &output)
    }
}

extension FormulaExpression {
    /// The same expression with parameter i read as predictor i and predictor j as parameter j.
    public func swappingParametersAndPredictors() -> FormulaExpression {
        switch self {
        case .constant: return self
        case .parameter(let index): return .predictor(index)
        case .predictor(let index): return .parameter(index)
        case .negate(let operand): return .negate(operand.swappingParametersAndPredictors())
        case .call(let function, let operand): return .call(function, operand.swappingParametersAndPredictors())
        case .binary(let op, let left, let right):
            return .binary(op, left.swappingParametersAndPredictors(), right.swappingParametersAndPredictors())
        }
    }
}
