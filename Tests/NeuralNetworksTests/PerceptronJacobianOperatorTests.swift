import Jacobians
import LinearAlgebra
@testable import NeuralNetworks
import Testing

/// A network's own ``JacobianOperator`` (batch GEMMs on its own forward state) against J formed
/// by the per-sample sweeps: J·v, Jᵀu and the weighted diag(JᵀW²J) agree to rounding, on
/// depths 1–3, one and several outputs, identity and tanh outputs.
@Suite struct PerceptronJacobianOperatorTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var widths: [Int]
        var activations: [Activation]
        var testDescription: String { widths.map(String.init).joined(separator: "-") + " " + activations.map(\.rawValue).joined(separator: ",") }
    }

    static let shapes = [
        Shape(widths: [3, 4], activations: [.tanh]),
        Shape(widths: [5, 9, 3], activations: [.tanh, .identity]),
        Shape(widths: [1, 7, 6, 1], activations: [.tanh, .tanh, .identity]),
        Shape(widths: [2, 5, 4, 2], activations: [.sigmoid, .tanh, .tanh]),
    ]

    /// max |a − b| / max(1, max |b|).
    static func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
        let scale = max(1, b.map(abs).max() ?? 0)
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
    }

    /// J of `map` at `point` formed by its per-sample sweeps, with Jᵀu and diag(JᵀW²J) from it
    /// (W = I without `weights`).
    static func formed(
        _ map: any DifferentiableMap, at point: [Double], cotangent u: [Double], weights: [Double]?
    ) throws -> (transposed: [Double], diagonal: [Double]) {
        var jacobian = Matrix(rows: 0, columns: 0)
        try #require(map as? any PerSampleStructured).perSampleJacobian(at: point, into: &jacobian)
        var transposed: [Double] = [], diagonal: [Double] = []
        multiply(jacobian, u, transposeA: .transposed, into: &transposed)
        var squared = jacobian
        for i in 0..<jacobian.rows {
            let w = weights?[i] ?? 1
            for j in 0..<jacobian.columns { squared[i, j] = w * w * jacobian[i, j] * jacobian[i, j] }
        }
        multiply(squared, Array(repeating: 1, count: jacobian.rows), transposeA: .transposed, into: &diagonal)
        return (transposed, diagonal)
    }

    @Test(arguments: shapes) func productsAndDiagonalMatchTheFormedJacobian(_ shape: Shape) throws {
        let (map, point) = TestNetworks.residuals(widths: shape.widths, activations: shape.activations, samples: 37, seed: 11)
        let provider = try #require(map as? any JacobianOperatorProviding)
        let jacobianOperator = try #require(provider.makeJacobianOperator())
        #expect(jacobianOperator.rowCount == map.outputCount && jacobianOperator.columnCount == map.inputCount)
        var jacobian = Matrix(rows: 0, columns: 0)
        let structured = try #require(map as? any PerSampleStructured)
        structured.perSampleJacobian(at: point, into: &jacobian)
        let m = map.outputCount, n = map.inputCount
        var generator = SeededGenerator(seed: 5)
        let v = (0..<n).map { _ in generator.nextUniform(in: -1, 1) }
        let u = (0..<m).map { _ in generator.nextUniform(in: -1, 1) }
        let weights = (0..<m).map { _ in generator.nextUniform(in: 0.5, 2) }
        jacobianOperator.linearize(at: point)
        // Evaluating elsewhere must not disturb the linearization.
        var elsewhere: [Double] = []
        map.evaluate(at: point.map { $0 + 0.25 }, into: &elsewhere)
        var image: [Double] = [], transposedImage: [Double] = [], diagonal: [Double] = []
        jacobianOperator.apply(v, into: &image)
        jacobianOperator.applyTransposed(u, into: &transposedImage)
        jacobianOperator.columnSquaredNorms(rowWeights: weights, into: &diagonal)
        var expectedImage: [Double] = [], expectedTransposed: [Double] = []
        multiply(jacobian, v, into: &expectedImage)
        multiply(jacobian, u, transposeA: .transposed, into: &expectedTransposed)
        let expectedDiagonal = (0..<n).map { j in (0..<m).reduce(0.0) { $0 + weights[$1] * weights[$1] * jacobian[$1, j] * jacobian[$1, j] } }
        let imageError = Self.relativeDifference(image, expectedImage)
        let transposedError = Self.relativeDifference(transposedImage, expectedTransposed)
        let diagonalError = Self.relativeDifference(diagonal, expectedDiagonal)
        #expect(imageError <= 1e-13, "J·v off by \(imageError)")
        #expect(transposedError <= 1e-13, "Jᵀu off by \(transposedError)")
        #expect(diagonalError <= 1e-13, "diag(JᵀW²J) off by \(diagonalError)")
        #expect(jacobianOperator.gaussNewtonProductFlops > 0)
    }

    /// The sums over samples split in both ways at once — 2,100 samples in two parts of 1,050,
    /// 260 hidden units in two unit chunks (256 and 4), two outputs, so the diagonal adds the
    /// second output's sweep to the first (`accumulate`) — still give J's Jᵀu and diag(JᵀW²J).
    @Test func sumsSplitIntoPartsAndUnitChunksMatchTheFormedJacobian() throws {
        #expect(PerceptronJacobianOperator.sumParts(samples: 2100) == 2 && PerceptronJacobianOperator.unitChunk < 260)
        #expect(PerceptronJacobianOperator.sumParts(samples: 100) == 1 && PerceptronJacobianOperator.sumParts(samples: 1 << 20) == 4)
        let (map, point) = TestNetworks.residuals(widths: [2, 260, 2], activations: [.tanh, .identity], samples: 2100, seed: 19)
        let jacobianOperator = try #require((map as? any JacobianOperatorProviding)?.makeJacobianOperator())
        let m = map.outputCount
        var generator = SeededGenerator(seed: 29)
        let u = (0..<m).map { _ in generator.nextUniform(in: -1, 1) }
        let weights = (0..<m).map { _ in generator.nextUniform(in: 0.5, 2) }
        jacobianOperator.linearize(at: point)
        var transposed: [Double] = [], diagonal: [Double] = []
        jacobianOperator.applyTransposed(u, into: &transposed)
        jacobianOperator.columnSquaredNorms(rowWeights: weights, into: &diagonal)
        let (expected, expectedDiagonal) = try Self.formed(map, at: point, cotangent: u, weights: weights)
        let transposedError = Self.relativeDifference(transposed, expected)
        let diagonalError = Self.relativeDifference(diagonal, expectedDiagonal)
        #expect(transposedError <= 1e-13, "Jᵀu off by \(transposedError)")
        #expect(diagonalError <= 1e-13, "diag(JᵀW²J) off by \(diagonalError)")
    }

    /// Where φ′ is a function of φ (tanh, sigmoid, relu, identity) the operator scales by φ′ taken
    /// from H_l instead of a stored D_l: bit for bit the product with the derivatives the forward
    /// sweep writes, over signed zeros, tiny, saturated and ordinary pre-activations.
    @Test(arguments: [Activation.tanh, .sigmoid, .relu, .identity])
    func derivativesFromOutputsScaleAsTheStoredOnes(_ activation: Activation) {
        #expect(activation.hasDerivativeFromOutput)
        var generator = SeededGenerator(seed: 5)
        let count = 1003
        var z = (0..<count).map { _ in generator.nextUniform(in: -30, 30) }
        z.replaceSubrange(0..<6, with: [0, -0.0, 1e-300, -1e-300, 40, -40])
        var outputs = z, derivatives = [Double](repeating: .nan, count: count)
        outputs.withUnsafeMutableBufferPointer { h in
            derivatives.withUnsafeMutableBufferPointer { d in activation.apply(to: h.baseAddress!, count: count, derivatives: d.baseAddress!) }
        }
        var values = (0..<count).map { _ in generator.nextUniform(in: -5, 5) }
        values.replaceSubrange(0..<3, with: [0, -0.0, -2.5])
        let expected = zip(values, derivatives).map { $0 * $1 }
        values.withUnsafeMutableBufferPointer { v in
            outputs.withUnsafeBufferPointer { h in activation.scaleByDerivative(v.baseAddress!, outputs: h.baseAddress!, count: count) }
        }
        #expect(zip(values, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(activation)")
    }

    /// One output per sample: Jᵀu and diag(JᵀW²J) from the one shared backward sweep match J
    /// formed by the per-sample sweeps (unweighted and weighted; 2,100 samples in two parts, 260
    /// units in two chunks, three layers) and have the same bits on 1, 2 and 3 threads. With two
    /// outputs the call is the two separate sweeps, bit for bit.
    @Test func theSharedBackwardSweepMatchesTheFormedJacobian() throws {
        let (map, point) = TestNetworks.residuals(widths: [1, 260, 5, 1], activations: [.tanh, .tanh, .identity], samples: 2100, seed: 31)
        let provider = try #require(map as? any JacobianOperatorProviding)
        let m = map.outputCount
        var generator = SeededGenerator(seed: 37)
        let u = (0..<m).map { _ in generator.nextUniform(in: -1, 1) }
        let weights = (0..<m).map { _ in generator.nextUniform(in: 0.5, 2) }
        for rowWeights in [nil, weights] {
            let (expected, expectedDiagonal) = try Self.formed(map, at: point, cotangent: u, weights: rowWeights)
            var results: [[Double]] = []
            for workers in [1, 2, 3] {
                let jacobianOperator = try #require(provider.makeJacobianOperator())
                var transposed: [Double] = [], diagonal: [Double] = []
                ThreadSettings.$workerOverride.withValue(workers) {
                    jacobianOperator.linearize(at: point)
                    jacobianOperator.applyTransposedWithColumnSquaredNorms(u, rowWeights: rowWeights, into: &transposed, squaredNorms: &diagonal)
                }
                let transposedError = Self.relativeDifference(transposed, expected)
                let diagonalError = Self.relativeDifference(diagonal, expectedDiagonal)
                #expect(transposedError <= 1e-13, "Jᵀu off by \(transposedError)")
                #expect(diagonalError <= 1e-13, "diag(JᵀW²J) off by \(diagonalError), weighted: \(rowWeights != nil)")
                results.append(transposed + diagonal)
            }
            #expect(results.allSatisfy { zip($0, results[0]).allSatisfy { $0.bitPattern == $1.bitPattern } }, "bits differ between thread counts")
        }

        let (twoOutputs, twoPoint) = TestNetworks.residuals(widths: [2, 6, 2], activations: [.tanh, .identity], samples: 40, seed: 41)
        let own = try #require((twoOutputs as? any JacobianOperatorProviding)?.makeJacobianOperator())
        let cotangent = (0..<twoOutputs.outputCount).map { _ in generator.nextUniform(in: -1, 1) }
        own.linearize(at: twoPoint)
        var together: [Double] = [], togetherDiagonal: [Double] = [], apart: [Double] = [], apartDiagonal: [Double] = []
        own.applyTransposedWithColumnSquaredNorms(cotangent, rowWeights: nil, into: &together, squaredNorms: &togetherDiagonal)
        own.applyTransposed(cotangent, into: &apart)
        own.columnSquaredNorms(rowWeights: nil, into: &apartDiagonal)
        #expect(together == apart && togetherDiagonal == apartDiagonal)
    }

    /// The operator and the map's own sweeps (``SweepJacobianOperator``) give the same
    /// products and diagonal: the generic operator is right, too.
    @Test func theSweepOperatorAgreesWithTheNetworksOwn() throws {
        let (map, point) = TestNetworks.residuals(widths: [2, 6, 5, 2], activations: [.tanh, .tanh, .identity], samples: 150, seed: 3)
        let provider = try #require(map as? any JacobianOperatorProviding)
        let own = try #require(provider.makeJacobianOperator())
        let sweeps = SweepJacobianOperator(map: map)
        var generator = SeededGenerator(seed: 9)
        let v = (0..<map.inputCount).map { _ in generator.nextUniform(in: -1, 1) }
        let u = (0..<map.outputCount).map { _ in generator.nextUniform(in: -1, 1) }
        var results: [[Double]] = []
        for jacobianOperator in [own, sweeps as any JacobianOperator] {
            jacobianOperator.linearize(at: point)
            var image: [Double] = [], transposed: [Double] = [], diagonal: [Double] = []
            jacobianOperator.apply(v, into: &image)
            jacobianOperator.applyTransposed(u, into: &transposed)
            jacobianOperator.columnSquaredNorms(rowWeights: nil, into: &diagonal)
            results.append(image + transposed + diagonal)
        }
        let difference = Self.relativeDifference(results[0], results[1])
        #expect(difference <= 1e-13, "the two operators differ by \(difference)")
    }

    /// 8,192 samples (16 sample blocks, four parts in the sums over samples): products, diagonal
    /// and the linearization itself have the same bits on 1, 2 and 3 threads, ten times over on 2.
    /// (Sample blocks once stored each layer's rows at the layer's own width in a shared buffer,
    /// so one block's narrow output rows overwrote another's hidden rows: wrong bits in 1 of 10
    /// runs on a busy machine.)
    @Test func productsHaveTheSameBitsOnAnyThreadCount() throws {
        let (map, point) = TestNetworks.residuals(widths: [1, 64, 64, 1], activations: [.tanh, .tanh, .identity], samples: 8192, seed: 17)
        var generator = SeededGenerator(seed: 23)
        let v = (0..<map.inputCount).map { _ in generator.nextUniform(in: -1, 1) }
        let u = (0..<map.outputCount).map { _ in generator.nextUniform(in: -1, 1) }
        let provider = try #require(map as? any JacobianOperatorProviding)
        var results: [[Double]] = []
        for workers in [1, 2, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2] {
            let jacobianOperator = try #require(provider.makeJacobianOperator())
            var image: [Double] = [], transposed: [Double] = [], diagonal: [Double] = []
            ThreadSettings.$workerOverride.withValue(workers) {
                jacobianOperator.linearize(at: point)
                jacobianOperator.apply(v, into: &image)
                jacobianOperator.applyTransposed(u, into: &transposed)
                jacobianOperator.columnSquaredNorms(rowWeights: nil, into: &diagonal)
            }
            results.append(image + transposed + diagonal)
        }
        let same = results.allSatisfy { zip($0, results[0]).allSatisfy { $0.bitPattern == $1.bitPattern } }
        #expect(same, "the products differ between thread counts")
    }
}
