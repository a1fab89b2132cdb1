import Foundation
import PropertyBased
import Testing
@testable import LinearAlgebra

@Suite struct CholeskyFactorizationTests {
    @Test func handComputedFactorSolveInverseAndDeterminant() throws {
        let a = Matrix([[4, 2], [2, 3]])
        let cholesky = try CholeskyFactorization(a)
        let l = cholesky.lowerTriangular
        #expect(l[0, 0] == 2 && l[1, 0] == 1 && l[0, 1] == 0)
        #expect(abs(l[1, 1] - 2.0.squareRoot()) < 1e-15)
        let x = cholesky.solve([6, 5])
        #expect(TestMatrices.maximumAbsoluteDifference(x, [1, 1]) < 1e-15)
        let expectedInverse = Matrix([[3.0 / 8, -2.0 / 8], [-2.0 / 8, 4.0 / 8]])
        #expect(TestMatrices.maximumAbsoluteDifference(cholesky.inverse(), expectedInverse) < 1e-15)
        #expect(abs(cholesky.logDeterminant - log(8.0)) < 1e-14)
    }

    @Test(arguments: [
        (Matrix([[1, 2], [2, 1]]), 2),
        (Matrix([[-1, 0], [0, 1]]), 1),
        (Matrix([[1, 0, 0], [0, 1, 0], [0, 0, 0]]), 3),
    ])
    func nonPositiveDefiniteIsAThrownErrorWithTheMinorOrder(matrix: Matrix, order: Int) {
        #expect(throws: LinearAlgebraError.notPositiveDefinite(minorOrder: order)) {
            try CholeskyFactorization(matrix)
        }
    }

    @Test func badShapesAndNonFiniteInputAreThrown() {
        #expect(throws: LinearAlgebraError.self) { try CholeskyFactorization(Matrix(rows: 2, columns: 3)) }
        do {
            _ = try CholeskyFactorization(Matrix([[1, .nan], [.nan, 1]]))
            Issue.record("NaN input was accepted")
        } catch {
            guard case .nonFiniteInput(let detail) = error else { Issue.record("wrong error \(error)"); return }
            #expect(detail.contains("(0, 1)"))
        }
        #expect(throws: LinearAlgebraError.self) { try CholeskyFactorization(Matrix([[.infinity]])) }
    }

    @Test func errorDescriptionsSayWhatToDo() {
        #expect(LinearAlgebraError.notPositiveDefinite(minorOrder: 3).description.contains("order 3"))
        #expect(LinearAlgebraError.singular(pivot: 1).description.contains("SVD"))
        #expect(LinearAlgebraError.dimensionMismatch("2×3 vs 4").description.contains("2×3 vs 4"))
        #expect(LinearAlgebraError.lapackFailure(routine: "dgesdd", info: 4).description.contains("dgesdd"))
    }

    @Test
    func factorReconstructsAndSolvesNearRounding() async throws {
        await propertyCheck(count: 40, input: Gen.int(in: 1...24), Gen.int(in: 0...100_000)) { order, seed in
            let a = TestMatrices.symmetricPositiveDefinite(order: order, shift: 0.01, seed: seed)
            let cholesky = try CholeskyFactorization(a)
            let l = cholesky.lowerTriangular
            let reconstruction = multiply(l, l, transposeB: .transposed)
            let scale = a.frobeniusNorm
            #expect(TestMatrices.maximumAbsoluteDifference(reconstruction, a) <= 10 * Double(order) * .ulpOfOne * scale)

            let b = TestMatrices.randomVector(order, seed: seed &+ 1)
            let x = cholesky.solve(b)
            var residual = b
            multiply(a, x, alpha: 1, beta: -1, into: &residual)
            // Backward stable: ‖Ax − b‖ ≲ n·ε·‖A‖·‖x‖.
            #expect(euclideanNorm(residual) <= 10 * Double(order) * .ulpOfOne * scale * euclideanNorm(x))

            let identityError = TestMatrices.maximumAbsoluteDifference(multiply(cholesky.inverse(), a), Matrix.identity(order))
            let condition = 1 / cholesky.reciprocalConditionEstimate()
            #expect(identityError <= 100 * Double(order) * .ulpOfOne * condition)
        }
    }

    @Test
    func conditionEstimateBracketsTheTrueOneNormCondition() async throws {
        await propertyCheck(count: 30, input: Gen.int(in: 2...16), Gen.int(in: 0...100_000)) { order, seed in
            let a = TestMatrices.symmetricPositiveDefinite(order: order, shift: 1e-4, seed: seed)
            let cholesky = try CholeskyFactorization(a)
            let inverse = cholesky.inverse()
            let oneNorm = { (m: Matrix) in (0..<m.columns).map { j in (0..<m.rows).reduce(0) { $0 + abs(m[$1, j]) } }.max() ?? 0 }
            let trueReciprocal = 1 / (oneNorm(a) * oneNorm(inverse))
            let estimate = cholesky.reciprocalConditionEstimate()
            // dpocon underestimates ‖A⁻¹‖₁, so it overestimates 1/κ — but by little.
            #expect(estimate >= trueReciprocal * (1 - 1e-8))
            #expect(estimate <= 10 * trueReciprocal)
        }
    }

    @Test func refactoringReusesStorageAndRecoversAfterAFailure() throws {
        var cholesky = CholeskyFactorization()
        try cholesky.factor(TestMatrices.symmetricPositiveDefinite(order: 5, shift: 1, seed: 1))
        let storageAddress = cholesky.storage.elements.withUnsafeBufferPointer { $0.baseAddress }
        #expect(throws: LinearAlgebraError.self) { try cholesky.factor(Matrix(rows: 5, columns: 5, repeating: -1)) }
        let second = TestMatrices.symmetricPositiveDefinite(order: 5, shift: 1, seed: 2)
        try cholesky.factor(second)
        #expect(cholesky.storage.elements.withUnsafeBufferPointer { $0.baseAddress } == storageAddress)
        let fresh = try CholeskyFactorization(second)
        let b = TestMatrices.randomVector(5, seed: 9)
        var x = [Double](repeating: 0, count: 5)
        cholesky.solve(b, into: &x)
        #expect(x == fresh.solve(b))
    }

    @Test func matrixRightHandSideMatchesColumnSolves() throws {
        let a = TestMatrices.symmetricPositiveDefinite(order: 6, shift: 0.5, seed: 4)
        let b = TestMatrices.random(rows: 6, columns: 3, seed: 5)
        let cholesky = try CholeskyFactorization(a)
        var x = Matrix(rows: 0, columns: 0)
        cholesky.solve(b, into: &x)
        for column in 0..<3 {
            #expect(TestMatrices.maximumAbsoluteDifference(x.column(column), cholesky.solve(b.column(column))) < 1e-12)
        }
    }

    @Test func gramPlusDampingFactorsWhereTheBareGramDoesNot() throws {
        // Rank-deficient J: JᵀJ is singular, JᵀJ + λI is SPD (the Levenberg-Marquardt case).
        let j = Matrix([[1, 1], [0, 0], [0, 0]])
        var normal = Matrix(rows: 0, columns: 0)
        gram(j, into: &normal)
        #expect(throws: LinearAlgebraError.notPositiveDefinite(minorOrder: 2)) { try CholeskyFactorization(normal) }
        gram(j, addingToDiagonal: 1e-3, into: &normal)
        let cholesky = try CholeskyFactorization(normal)
        #expect(cholesky.reciprocalConditionEstimate() < 1e-3)  // eigenvalues 2.001 and 0.001
    }

    @Test func factoringTheGramInPlaceMatchesFactoringItsCopy() throws {
        let j = TestMatrices.random(rows: 30, columns: 7, seed: 12)
        var direct = CholeskyFactorization()
        try direct.factor(gramOf: j, addingToDiagonal: 0.25)
        var normal = Matrix(rows: 0, columns: 0)
        gram(j, addingToDiagonal: 0.25, into: &normal)
        let viaCopy = try CholeskyFactorization(normal)
        #expect(direct.lowerTriangular == viaCopy.lowerTriangular)
        #expect(direct.reciprocalConditionEstimate() == viaCopy.reciprocalConditionEstimate())
        #expect(throws: LinearAlgebraError.self) { try direct.factor(gramOf: j, addingToDiagonal: .nan) }
        #expect(throws: LinearAlgebraError.notPositiveDefinite(minorOrder: 2)) {
            try direct.factor(gramOf: Matrix([[1, 1], [0, 0]]))
        }
    }

    @Test func nonFiniteRightHandSidePropagatesWithoutTrapping() throws {
        let cholesky = try CholeskyFactorization(Matrix([[2, 1], [1, 2]]))
        let fromNaN = cholesky.solve([.nan, 1])
        let fromInfinity = cholesky.solve([.infinity, 0])
        #expect(fromNaN.allSatisfy { $0.isNaN })
        #expect(fromInfinity.contains { !$0.isFinite })
    }
}
