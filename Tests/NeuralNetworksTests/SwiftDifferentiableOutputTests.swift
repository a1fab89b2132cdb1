import Jacobians
import LinearAlgebra
import NeuralNetworks
import Testing
import _Differentiation

/// The networks' two Swift-differentiable formulations: the whole batch (one `dgemm` per
/// layer, `differentiableOutput(at:)`) and one sample at a time (`differentiableSampleOutput`,
/// what `swift-autodiff` pulls back). Their pullbacks give the same Jacobian to rounding,
/// and both agree with the hand-written per-sample sweeps.
@Suite struct SwiftDifferentiableOutputTests {
    static let names = ["forum 5-9-3 tanh", "3-4-5-4-2 mixed", "4-6-3 inputs at 3 points"]

    static func map(named name: String) -> (map: any DifferentiableMap, point: [Double]) {
        switch name {
        case "forum 5-9-3 tanh": return TestNetworks.forum5x9x3Tanh()
        case "3-4-5-4-2 mixed": return TestNetworks.mixed3x4x5x4x2()
        default: return TestNetworks.inputs4x6x3Points()
        }
    }

    @Test(arguments: names)
    func batchPullbacksEqualPerSamplePullbacks(_ name: String) throws {
        let (map, point) = Self.map(named: name)
        let differentiable = try #require(map as? any SwiftDifferentiablePerSampleMap)
        let batch = Self.batchJacobian(differentiable, at: point)
        var perSample = Matrix(rows: 1, columns: 1)
        _ = try SwiftAutodiff().jacobian(of: map, at: point, into: &perSample)
        var sweeps = Matrix(rows: 1, columns: 1)
        _ = try PerSampleGradients().jacobian(of: map, at: point, into: &sweeps)
        #expect(JacobianConformance.relativeDifference(batch, perSample) <= 1e-14, "\(name)")
        #expect(JacobianConformance.relativeDifference(perSample, sweeps) <= 1e-14, "\(name)")
    }

    /// m pullbacks of the whole-batch function, row i with seed e_i.
    static func batchJacobian<Map: SwiftDifferentiablePerSampleMap>(_ map: Map, at point: [Double]) -> Matrix {
        let m = map.outputCount, n = map.inputCount
        var jacobian = Matrix(rows: m, columns: n)
        let (_, pullback) = valueWithPullback(at: point) { x in map.differentiableOutput(at: x) }
        for row in 0..<m {
            var seed = [Double](repeating: 0, count: m)
            seed[row] = 1
            let gradient = pullback(Array<Double>.DifferentiableView(seed)).base
            for column in 0..<n { jacobian.elements[row * n + column] = gradient.isEmpty ? 0 : gradient[column] }
        }
        return jacobian
    }
}
