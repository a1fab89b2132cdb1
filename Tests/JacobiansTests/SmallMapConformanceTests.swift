import Jacobians
import LinearAlgebra
import Numerics
import Testing
import _Differentiation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A user's own map with every capability, written by hand: f(x) = (x₀·x₁, x₀ + x₁², exp(x₀)),
/// J = [[x₁, x₀], [1, 2x₁], [eˣ⁰, 0]]. `outputShift` breaks `differentiableOutput`.
final class SmallMap: PerSampleStructured, ComplexEvaluable, SwiftDifferentiableMap {
    let outputShift: Double
    init(outputShift: Double = 0) { self.outputShift = outputShift }

    var inputCount: Int { 2 }
    var outputCount: Int { 3 }
    var sampleCount: Int { 1 }
    var outputsPerSample: Int { 3 }

    func jacobian(at x: [Double]) -> Matrix { Matrix([[x[1], x[0]], [1, 2 * x[1]], [Double.exp(x[0]), 0]]) }

    func evaluate(at x: [Double], into output: inout [Double]) {
        output = [x[0] * x[1], x[0] + x[1] * x[1], Double.exp(x[0])]
    }

    func pushforward(at x: [Double], tangents: Matrix, into result: inout Matrix) {
        result = Matrix(rows: 3, columns: tangents.columns)
        multiply(jacobian(at: x), tangents, into: &result)
    }

    func pullback(at x: [Double], cotangents: Matrix, into result: inout Matrix) {
        result = Matrix(rows: cotangents.rows, columns: 2)
        multiply(cotangents, jacobian(at: x), into: &result)
    }

    func perSampleGradients(at x: [Double], outputIndex: Int, into result: inout Matrix) {
        result = Matrix(rows: 1, columns: 2, elements: jacobian(at: x).row(outputIndex))
    }

    func evaluate(at z: [Complex<Double>], into output: inout [Complex<Double>]) {
        output = [z[0] * z[1], z[0] + z[1] * z[1], Complex.exp(z[0])]
    }

    @differentiable(reverse)
    func differentiableOutput(at point: [Double]) -> [Double] {
        [point[0] * point[1], point[0] + point[1] * point[1] + outputShift, exp(point[0])]
    }
}

/// The kit on a hand-written map with every capability, including Swift's differentiable output.
@Suite struct SmallMapConformanceTests {
    @Test func aCorrectMapPassesEveryCheck() {
        let report = DifferentiableMapConformance.check(SmallMap(), at: [0.3, -1.7])
        #expect(report.passed, "\(report)")
        #expect(Set(report.checks) == Set(DifferentiableMapConformanceCheck.allCases) && report.checks.count == DifferentiableMapConformanceCheck.allCases.count)
    }

    @Test func aWrongDifferentiableOutputIsReported() {
        let report = DifferentiableMapConformance.check(SmallMap(outputShift: 1e-6), at: [0.3, -1.7])
        #expect(report.failedChecks == [.differentiableOutput], "\(report)")
    }
}
