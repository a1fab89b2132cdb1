import ComplexModule
import LinearAlgebra

/// `complex-step`: column j = Im f(x + i·h·e_j)/h for maps with complex
/// evaluation (``ComplexEvaluable``).
///
/// No difference is taken, so there is no cancellation: with h = 1e-20·max(|x_j|, 1)
/// the truncation error O(h²·|f‴|) is far below rounding and the result is exact
/// to rounding (promised relative error 1e-13).
///
/// - Cost: n complex evaluations.
public struct ComplexStep: JacobianStrategy {
    /// h relative to max(|x_j|, 1); 1e-20 unless given.
    public var relativeStep: Double
    /// Creates the strategy.
    public init(relativeStep: Double = 1e-20) { self.relativeStep = relativeStep }
    /// `complex-step`.
    public var name: String { "complex-step" }
    /// True (to rounding).
    public var isExact: Bool { true }
    /// 1e-13.
    public var nominalRelativeError: Double { 1e-13 }
    /// Not applicable without complex evaluation.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? {
        map is any ComplexEvaluable ? nil : "the model has no complex evaluation (ComplexEvaluable)"
    }

    /// n complex evaluations; buffers allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        guard let complexMap = map as? any ComplexEvaluable else {
            throw StrategyNotApplicable(strategy: name, reason: inapplicabilityReason(for: map) ?? "")
        }
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var shifted = point.map { Complex($0) }
        var output = [Complex<Double>](repeating: .zero, count: m)
        for input in 0..<n {
            let step = relativeStep * max(abs(point[input]), 1)
            shifted[input] = Complex(point[input], step)
            complexMap.evaluate(at: shifted, into: &output)
            shifted[input] = Complex(point[input])
            jacobian.setColumn(input) { output[$0].imaginary / step }
        }
        return JacobianCost(forwardEvaluations: n, workspaceBytes: 2 * byteCount(m + n))
    }
}
