import PropertyBased
import Testing
@testable import LinearAlgebra

@Suite struct GramTests {
    @Test func handComputedGramAndDiagonalShift() {
        let a = Matrix([[1, 2], [3, 4], [5, 6]])
        #expect(gram(a) == Matrix([[35, 44], [44, 56]]))
        var shifted = Matrix(rows: 7, columns: 1)
        gram(a, addingToDiagonal: 2, into: &shifted)
        #expect(shifted == Matrix([[37, 44], [44, 58]]))
    }

    @Test func gramOfEmptyRowsIsZero() {
        var result = Matrix(rows: 1, columns: 1, repeating: 5)
        gram(Matrix(rows: 0, columns: 3), addingToDiagonal: 1, into: &result)
        #expect(result == Matrix.identity(3))
    }

    @Test
    func gramAgreesWithGemmAndIsExactlySymmetric() async {
        await propertyCheck(count: 40, input: Gen.int(in: 0...12), Gen.int(in: 1...9), Gen.int(in: 0...100_000)) {
            rows, columns, seed in
            let a = TestMatrices.random(rows: rows, columns: columns, seed: seed)
            let result = gram(a)
            let reference = multiply(a, a, transposeA: .transposed)
            #expect(TestMatrices.maximumAbsoluteDifference(result, reference) <= 1e-14 * Double(max(rows, 1)))
            #expect(result == result.transposed)
        }
    }

    @Test func gramIntoReusesTheBuffer() {
        let a = TestMatrices.random(rows: 20, columns: 6, seed: 3)
        var result = Matrix(rows: 6, columns: 6)
        let before = result.elements.withUnsafeBufferPointer { $0.baseAddress }
        gram(a, into: &result)
        let after = result.elements.withUnsafeBufferPointer { $0.baseAddress }
        #expect(before == after)
    }
}
