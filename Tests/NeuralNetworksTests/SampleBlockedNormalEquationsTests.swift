import Jacobians
import LinearAlgebra
import Testing
@testable import NeuralNetworks

/// JᵀJ and Jᵀr of a deeper network summed over sample blocks without J: equal to those of the
/// whole Jacobian to rounding, and the same bits on any number of workers.
@Suite struct SampleBlockedNormalEquationsTests {
    /// 1 → 30 → 30 → 1 (N = 1,021: 512 samples per block) over 1,100 samples: three blocks, the
    /// last one partial, with a partial sub-block.
    static func scaleMap() -> (map: MultilayerPerceptronResidualMap, point: [Double]) {
        let (map, point) = TestNetworks.residuals(widths: [1, 30, 30, 1], activations: [.tanh, .tanh, .identity], samples: 1_100, seed: 9)
        return (map as! MultilayerPerceptronResidualMap, point)
    }

    func assembled(
        _ map: MultilayerPerceptronResidualMap, at point: [Double], workers: Int, residual given: [Double]? = nil
    ) -> (gram: Matrix, gradient: [Double]) {
        let assembler = SampleBlockedNormalEquationsAssembler(map: map, workers: workers)
        var residual = given ?? []
        if given == nil { map.evaluate(at: point, into: &residual) }
        var gram = Matrix(rows: 0, columns: 0), gradient: [Double] = []
        assembler.formFactors(at: point)
        assembler.assemble(residuals: residual, gram: &gram, gradient: &gradient)
        return (gram, gradient)
    }

    @Test func blocksAreAFixedPartitionOfTheSamples() {
        #expect(SampleBlockedNormalEquationsAssembler.blockSamples(outputs: 1, parameters: 1_021) == 512)
        #expect(SampleBlockedNormalEquationsAssembler.blockSamples(outputs: 3, parameters: 84) == 2_048)
        // Rows wider than a block still make a block of one sub-block.
        #expect(SampleBlockedNormalEquationsAssembler.blockSamples(outputs: 1, parameters: 10_000_000) == 64)
        let (map, _) = Self.scaleMap()
        #expect(SampleBlockedNormalEquationsAssembler(map: map, workers: 1).blockSampleCount == 512)
    }

    @Test func equalsTheNormalEquationsOfTheWholeJacobian() {
        let (map, point) = Self.scaleMap()
        let (gram, gradient) = assembled(map, at: point, workers: 2)
        var jacobian = Matrix(rows: 0, columns: 0)
        map.perSampleJacobian(at: point, into: &jacobian)
        var residual: [Double] = []
        map.evaluate(at: point, into: &residual)
        let reference = multiply(jacobian, jacobian, transposeA: .transposed)
        var referenceGradient = Array(repeating: 0.0, count: map.inputCount)
        multiply(jacobian, residual, transposeA: .transposed, into: &referenceGradient)
        let scale = reference.elements.map { abs($0) }.max() ?? 1
        let difference = zip(gram.elements, reference.elements).map { abs($0 - $1) }.max() ?? .nan
        #expect(difference <= 1e-13 * scale * Double(map.outputCount).squareRoot())
        #expect(gram == gram.transposed)
        let gradientScale = referenceGradient.map { abs($0) }.max() ?? 1
        #expect((zip(gradient, referenceGradient).map { abs($0 - $1) }.max() ?? .nan) <= 1e-13 * gradientScale * 100)
    }

    @Test func sameBitsOnOneTwoAndThreeWorkers() {
        let (map, point) = Self.scaleMap()
        var residual: [Double] = []
        map.evaluate(at: point, into: &residual)
        let one = assembled(map, at: point, workers: 1, residual: residual)
        for workers in [2, 3] {
            let other = assembled(map, at: point, workers: workers, residual: residual)
            let sameGram = other.gram.elements == one.gram.elements, sameGradient = other.gradient == one.gradient
            #expect(sameGram && sameGradient, "\(workers) workers")
        }
    }

    @Test func deeperNetworksGetTheBlockedAssemblerAndTwoLayersTheFactoredOne() {
        let (map, _) = Self.scaleMap()
        #expect(map.makeNormalEquationsAssembler() is SampleBlockedNormalEquationsAssembler)
        let (forum, _) = TestNetworks.forum5x9x3Tanh()
        #expect((forum as! MultilayerPerceptronResidualMap).makeNormalEquationsAssembler() is TwoLayerNormalEquationsAssembler)
    }
}
