import PropertyBased
import Testing
@testable import LinearAlgebra

@Suite struct SingularValueDecompositionTests {
    @Test func handComputedSingularValues() throws {
        let diagonal = try SingularValueDecomposition(Matrix([[3, 0], [0, -2]]))
        #expect(TestMatrices.maximumAbsoluteDifference(diagonal.singularValues, [3, 2]) < 1e-15)
        #expect(abs(diagonal.conditionNumber - 1.5) < 1e-15)
        let ones = try SingularValueDecomposition(Matrix([[1, 1], [1, 1]]))
        #expect(abs(ones.singularValues[0] - 2) < 1e-15)
        #expect(ones.singularValues[1] < 1e-15)
        #expect(ones.rank(relativeTolerance: 1e-12) == 1)
        #expect(ones.conditionNumber > 1e15)
        // Minimum-norm solution of x₀ + x₁ = 2 (twice): (1, 1).
        let x = ones.solveLeastSquares([2, 2], relativeTolerance: 1e-12)
        #expect(TestMatrices.maximumAbsoluteDifference(x, [1, 1]) < 1e-15)
    }

    @Test
    func reconstructsWithOrthonormalFactors() async throws {
        await propertyCheck(count: 40, input: Gen.int(in: 1...12), Gen.int(in: 1...12), Gen.int(in: 0...100_000)) {
            rows, columns, seed in
            let a = TestMatrices.random(rows: rows, columns: columns, seed: seed)
            let svd = try SingularValueDecomposition(a)
            let k = min(rows, columns)
            #expect(svd.u.rows == rows && svd.u.columns == k)
            #expect(svd.vTransposed.rows == k && svd.vTransposed.columns == columns)
            #expect(svd.singularValues.count == k)
            #expect(zip(svd.singularValues, svd.singularValues.dropFirst()).allSatisfy { $0 >= $1 })
            #expect(svd.singularValues.allSatisfy { $0 >= 0 })
            var scaledU = svd.u
            for i in 0..<rows { for j in 0..<k { scaledU[i, j] *= svd.singularValues[j] } }
            let reconstruction = multiply(scaledU, svd.vTransposed)
            let tolerance = 20 * Double(max(rows, columns)) * .ulpOfOne
            #expect(TestMatrices.maximumAbsoluteDifference(reconstruction, a) <= tolerance * a.frobeniusNorm)
            let uTu = multiply(svd.u, svd.u, transposeA: .transposed)
            let vTv = multiply(svd.vTransposed, svd.vTransposed, transposeB: .transposed)
            #expect(TestMatrices.maximumAbsoluteDifference(uTu, Matrix.identity(k)) <= tolerance)
            #expect(TestMatrices.maximumAbsoluteDifference(vTv, Matrix.identity(k)) <= tolerance)
        }
    }

    @Test
    func recoversPrescribedSingularValuesAndRank() async throws {
        await propertyCheck(count: 25, input: Gen.int(in: 2...9), Gen.int(in: 0...5), Gen.int(in: 0...100_000)) {
            columns, extraRows, seed in
            let rows = columns + extraRows
            let rank = 1 + seed % columns
            let sigma = (0..<columns).map { $0 < rank ? Double(columns - $0) : 0 }
            let a = TestMatrices.withSingularValues(sigma, rows: rows, columns: columns, seed: seed)
            let svd = try SingularValueDecomposition(a)
            #expect(TestMatrices.maximumAbsoluteDifference(svd.singularValues, sigma) <= 1e-13 * Double(columns))
            #expect(svd.rank(relativeTolerance: 1e-10) == rank)
            #expect(rank == columns ? svd.conditionNumber.isFinite : svd.conditionNumber > 1e10)
        }
    }

    @Test
    func pseudoInverseSatisfiesPenroseOnRankDeficientInput() async throws {
        await propertyCheck(count: 25, input: Gen.int(in: 2...8), Gen.int(in: 0...4), Gen.int(in: 0...100_000)) {
            columns, extraRows, seed in
            let rows = columns + extraRows
            // Rank-deficient: the last column repeats the first.
            var a = TestMatrices.random(rows: rows, columns: columns, seed: seed)
            for i in 0..<rows { a[i, columns - 1] = a[i, 0] }
            let svd = try SingularValueDecomposition(a)
            let cutoff = 1e-10
            #expect(svd.rank(relativeTolerance: cutoff) == columns - 1)
            let pinv = svd.pseudoInverse(relativeTolerance: cutoff)
            let tolerance = 1e-10
            #expect(TestMatrices.maximumAbsoluteDifference(multiply(multiply(a, pinv), a), a) <= tolerance)
            #expect(TestMatrices.maximumAbsoluteDifference(multiply(multiply(pinv, a), pinv), pinv) <= tolerance * pinv.frobeniusNorm)
            let projection = multiply(a, pinv)
            #expect(TestMatrices.maximumAbsoluteDifference(projection, projection.transposed) <= tolerance)

            // The minimum-norm solution equals A⁺b and has no component along the null vector e₀ − eₙ₋₁.
            let b = TestMatrices.randomVector(rows, seed: seed &+ 5)
            var x: [Double] = []
            svd.solveLeastSquares(b, relativeTolerance: cutoff, into: &x)
            var viaPseudoInverse: [Double] = []
            multiply(pinv, b, into: &viaPseudoInverse)
            #expect(TestMatrices.maximumAbsoluteDifference(x, viaPseudoInverse) <= tolerance)
            #expect(abs(x[0] - x[columns - 1]) <= tolerance)
            var normalResidual: [Double] = []
            var residual = b
            multiply(a, x, alpha: 1, beta: -1, into: &residual)
            multiply(a, residual, transposeA: .transposed, into: &normalResidual)
            #expect(euclideanNorm(normalResidual) <= tolerance)
        }
    }

    @Test func nonFiniteInputIsThrownAndEmptyInputIsTrivial() throws {
        #expect(throws: LinearAlgebraError.self) { try SingularValueDecomposition(Matrix([[1, .nan]])) }
        let empty = try SingularValueDecomposition(Matrix(rows: 3, columns: 0))
        #expect(empty.singularValues.isEmpty && empty.rank(relativeTolerance: 0) == 0)
        #expect(empty.solveLeastSquares([1, 2, 3], relativeTolerance: 1e-12).isEmpty)
    }

    @Test func refactoringReusesStorage() throws {
        var svd = SingularValueDecomposition()
        try svd.factor(TestMatrices.random(rows: 7, columns: 4, seed: 1))
        let uAddress = svd.u.elements.withUnsafeBufferPointer { $0.baseAddress }
        let workAddress = svd.work.withUnsafeBufferPointer { $0.baseAddress }
        let second = TestMatrices.random(rows: 7, columns: 4, seed: 2)
        try svd.factor(second)
        #expect(svd.u.elements.withUnsafeBufferPointer { $0.baseAddress } == uAddress)
        #expect(svd.work.withUnsafeBufferPointer { $0.baseAddress } == workAddress)
        #expect(svd.singularValues == (try SingularValueDecomposition(second)).singularValues)
    }
}
