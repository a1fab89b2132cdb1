import LinearAlgebra
import Numerics

/// The residuals of a ``CurveModel`` given as a closure over `Complex<Double>`: a
/// ``CurveResiduals`` that also evaluates in complex arithmetic (``ComplexEvaluable``), so
/// `complex-step` applies, and whose sweeps are complex steps, exact to rounding.
///
/// - Real evaluation: the complex closure at θ + 0i, real part (about four real evaluations).
/// - J·V: one complex evaluation per tangent column, Im r(θ + ih·v/‖v‖∞)/h·‖v‖∞, h = 1e-20.
/// - U·J and the per-sample rows: the complex-step Jacobian (n complex evaluations per point, cached).
public final class ComplexCurveResiduals<Input: CurveInput>: CurveResiduals<Input>, ComplexEvaluable {
    private var laneValues: [Complex<Double>] = []

    /// Writes r(z) = y − f(x, z) in complex arithmetic (NaN when z has another length than n or
    /// a sample's closure returns another count than p).
    public func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        complexResiduals(at: point, into: &output)
    }

    /// J·V by directional complex steps: for each tangent column v, with s = ‖v‖∞,
    /// s·Im r(θ + i·h·v/s)/h, h = 1e-20 (a zero column gives zeros). Exact to rounding.
    ///
    /// - Complexity: k complex evaluations for k columns.
    public override func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        precondition(tangents.rows == inputCount, "tangents have \(tangents.rows) rows, expected \(inputCount)")
        let m = outputCount, n = inputCount, k = tangents.columns, step = 1e-20
        result.reshape(rows: m, columns: k)
        guard point.count == n else {
            result.fill(.nan)
            return
        }
        loadComplexPoint(point)
        for lane in 0..<k {
            var scale = 0.0
            for row in 0..<n { scale = Swift.max(scale, abs(tangents.elements[row * k + lane])) }
            if scale == 0 {
                for row in 0..<m { result.elements[row * k + lane] = 0 }
                continue
            }
            for row in 0..<n { complexPoint[row] = Complex(point[row], step * (tangents.elements[row * k + lane] / scale)) }
            complexResiduals(at: complexPoint, into: &laneValues)
            for row in 0..<m { result.elements[row * k + lane] = scale * (laneValues[row].imaginary / step) }
        }
        loadComplexPoint(point)
    }
}
