import Foundation
import PropertyBased
import Testing
@testable import LinearAlgebra

@Suite struct QRFactorizationTests {
    @Test func handComputedLineFit() throws {
        // Fit y = c₀ + c₁·t through (1, 1), (2, 2), (3, 2): normal equations give c = (2/3, 1/2).
        let a = Matrix([[1, 1], [1, 2], [1, 3]])
        for pivoting in [false, true] {
            let qr = try QRFactorization(a, pivoting: pivoting)
            let x = try qr.solveLeastSquares([1, 2, 2])
            #expect(TestMatrices.maximumAbsoluteDifference(x, [2.0 / 3, 0.5]) < 1e-14)
        }
        let single = try QRFactorization(Matrix([[3], [4]]))
        #expect(abs(abs(single.upperTriangular[0, 0]) - 5) < 1e-15)
        #expect(abs(try single.solveLeastSquares([3, 4])[0] - 1) < 1e-15)
    }

    @Test
    func qIsOrthogonalAndReconstructsAPermuted() async throws {
        await propertyCheck(count: 30, input: Gen.int(in: 1...10), Gen.int(in: 0...6), Gen.int(in: 0...100_000)) {
            columns, extraRows, seed in
            let rows = columns + extraRows
            let a = TestMatrices.random(rows: rows, columns: columns, seed: seed)
            let qr = try QRFactorization(a, pivoting: seed % 2 == 0)
            let tolerance = 20 * Double(rows) * .ulpOfOne
            let qColumns = (0..<rows).map { qr.multiplyQ(TestMatrices.unitVector($0, length: rows)) }
            for i in 0..<rows {
                // Qᵀ(Q·eᵢ) = eᵢ and (Q·eᵢ)·(Q·eⱼ) = δᵢⱼ.
                let back = qr.multiplyQTransposed(qColumns[i])
                #expect(TestMatrices.maximumAbsoluteDifference(back, TestMatrices.unitVector(i, length: rows)) <= tolerance)
                for j in 0..<rows {
                    #expect(abs(TestMatrices.dot(qColumns[i], qColumns[j]) - (i == j ? 1 : 0)) <= tolerance)
                }
            }
            // A·P = Q·[R; 0], column by column.
            let r = qr.upperTriangular
            let permutation = qr.columnPermutation
            #expect(permutation.sorted() == Array(0..<columns))
            for j in 0..<columns {
                var padded = Array(repeating: 0.0, count: rows)
                for i in 0...j { padded[i] = r[i, j] }
                let column = qr.multiplyQ(padded)
                #expect(TestMatrices.maximumAbsoluteDifference(column, a.column(permutation[j])) <= tolerance * a.frobeniusNorm)
                for i in (j + 1)..<max(columns, j + 1) { #expect(r[i, j] == 0) }
            }
        }
    }

    @Test
    func leastSquaresResidualIsOrthogonalToTheColumns() async throws {
        await propertyCheck(count: 30, input: Gen.int(in: 1...10), Gen.int(in: 0...8), Gen.int(in: 0...100_000)) {
            columns, extraRows, seed in
            let rows = columns + extraRows
            let a = TestMatrices.random(rows: rows, columns: columns, seed: seed)
            let b = TestMatrices.randomVector(rows, seed: seed &+ 7)
            let qr = try QRFactorization(a, pivoting: seed % 2 == 1)
            var x: [Double] = []
            try qr.solveLeastSquares(b, into: &x)
            #expect(x.count == columns)
            var residual = b
            multiply(a, x, alpha: 1, beta: -1, into: &residual)
            var normalResidual: [Double] = []
            multiply(a, residual, transposeA: .transposed, into: &normalResidual)
            let condition = 1 / qr.reciprocalConditionEstimate()
            let bound = 50 * Double(rows) * .ulpOfOne * condition * a.frobeniusNorm * (euclideanNorm(b) + a.frobeniusNorm * euclideanNorm(x))
            #expect(euclideanNorm(normalResidual) <= bound)
        }
    }

    @Test
    func conditionEstimateTracksTheKnownCondition() async throws {
        await propertyCheck(count: 20, input: Gen.int(in: 2...8), Gen.int(in: 0...8), Gen.int(in: 0...100_000)) {
            columns, exponent, seed in
            let rows = columns + 3
            let sigma = (0..<columns).map { index in
                pow(10, -Double(exponent) * Double(index) / Double(columns - 1))
            }
            let a = TestMatrices.withSingularValues(sigma, rows: rows, columns: columns, seed: seed)
            let qr = try QRFactorization(a)
            let condition2 = sigma[0] / sigma[columns - 1]
            let estimate = qr.reciprocalConditionEstimate()
            // κ₁(R) lies within a factor n of κ₂(R) = κ₂(A); dtrcon is within ~10 of κ₁(R).
            let n = Double(columns)
            #expect(estimate >= 1 / (n * condition2) * 0.5)
            #expect(estimate <= 10 * n / condition2)
        }
    }

    @Test func rankDeficientColumnsAreDetectedAndRefused() throws {
        // Column 2 = column 0 + column 1.
        let a = Matrix([[1, 0, 1], [0, 1, 1], [1, 1, 2], [2, 1, 3]])
        let pivoted = try QRFactorization(a, pivoting: true)
        #expect(pivoted.rank(relativeTolerance: 1e-10) == 2)
        let r = pivoted.upperTriangular
        #expect(abs(r[0, 0]) >= abs(r[1, 1]) && abs(r[1, 1]) >= abs(r[2, 2]))
        #expect(throws: LinearAlgebraError.singular(pivot: 2)) { try pivoted.solveLeastSquares([1, 2, 3, 4]) }
        #expect(pivoted.reciprocalConditionEstimate() < 1e-12)
        let plain = try QRFactorization(Matrix([[1, 2], [2, 4], [3, 6]]))
        #expect(throws: LinearAlgebraError.singular(pivot: 1)) { try plain.solveLeastSquares([1, 1, 1]) }
    }

    @Test func dimensionAndNonFiniteErrors() throws {
        #expect(throws: LinearAlgebraError.self) { try QRFactorization(Matrix(rows: 2, columns: 3)) }
        #expect(throws: LinearAlgebraError.self) { try QRFactorization(Matrix([[1, 2], [3, .nan], [5, 6]])) }
        let qr = try QRFactorization(Matrix([[1, 0], [0, 1], [1, 1]]))
        #expect(throws: LinearAlgebraError.self) { try qr.solveLeastSquares([1, 2]) }
    }

    @Test func refactoringReusesStorageAndMatchesAFreshFactorization() throws {
        var qr = QRFactorization()
        try qr.factor(TestMatrices.random(rows: 9, columns: 4, seed: 1), pivoting: true)
        let address = qr.packed.withUnsafeBufferPointer { $0.baseAddress }
        let workAddress = qr.work.withUnsafeBufferPointer { $0.baseAddress }
        let second = TestMatrices.random(rows: 9, columns: 4, seed: 2)
        try qr.factor(second, pivoting: true)
        #expect(qr.packed.withUnsafeBufferPointer { $0.baseAddress } == address)
        #expect(qr.work.withUnsafeBufferPointer { $0.baseAddress } == workAddress)
        let b = TestMatrices.randomVector(9, seed: 3)
        #expect(try qr.solveLeastSquares(b) == QRFactorization(second, pivoting: true).solveLeastSquares(b))
    }

    @Test func repeatedSolvesIntoOneBufferKeepItsStorage() throws {
        let qr = try QRFactorization(TestMatrices.random(rows: 12, columns: 5, seed: 4), pivoting: true)
        var x: [Double] = []
        try qr.solveLeastSquares(TestMatrices.randomVector(12, seed: 1), into: &x)
        let address = x.withUnsafeBufferPointer { $0.baseAddress }
        try qr.solveLeastSquares(TestMatrices.randomVector(12, seed: 2), into: &x)
        #expect(x.withUnsafeBufferPointer { $0.baseAddress } == address)
        #expect(x == (try qr.solveLeastSquares(TestMatrices.randomVector(12, seed: 2))))
    }

    @Test func nonFiniteRightHandSidePropagatesWithoutTrapping() throws {
        let qr = try QRFactorization(Matrix([[1, 0], [0, 1], [1, 1]]))
        let solution = try qr.solveLeastSquares([.nan, 0, 0])
        #expect(solution.allSatisfy { $0.isNaN })
    }

    @Test(arguments: [false, true])
    func appendedDiagonalSolvesTheDampedNormalEquations(pivoting: Bool) throws {
        // min ‖Ax − b‖² + λ‖x‖² ⇔ (AᵀA + λI)x = Aᵀb, here on a rank-deficient A (column 2 = column 0).
        var a = TestMatrices.random(rows: 15, columns: 4, seed: 21)
        for i in 0..<15 { a[i, 2] = a[i, 0] }
        let b = TestMatrices.randomVector(15, seed: 22)
        let lambda = 0.01
        var qr = QRFactorization()
        try qr.factor(a, appendingDiagonal: Array(repeating: lambda.squareRoot(), count: 4), pivoting: pivoting)
        #expect(qr.rows == 19 && qr.appendedDiagonalRows == 4)
        let x = try qr.solveLeastSquares(b)
        let padded = try qr.solveLeastSquares(b + Array(repeating: 0, count: 4))
        #expect(TestMatrices.maximumAbsoluteDifference(x, padded) < 1e-15)

        var cholesky = CholeskyFactorization()
        try cholesky.factor(gramOf: a, addingToDiagonal: lambda)
        var atb: [Double] = []
        multiply(a, b, transposeA: .transposed, into: &atb)
        let reference = cholesky.solve(atb)
        #expect(TestMatrices.maximumAbsoluteDifference(x, reference) < 1e-11)

        #expect(throws: LinearAlgebraError.self) { try qr.factor(a, appendingDiagonal: [1, 2]) }
        #expect(throws: LinearAlgebraError.self) { try qr.factor(a, appendingDiagonal: [1, 1, .nan, 1]) }
    }
}
