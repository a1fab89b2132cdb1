import Testing
@testable import LinearAlgebra

@Suite struct MatrixTests {
    @Test func rowMajorLayoutAndTranspose() {
        let matrix = Matrix([[1, 2, 3], [4, 5, 6]])
        #expect(matrix.rows == 2 && matrix.columns == 3)
        #expect(matrix[1, 0] == 4)
        #expect(matrix.elements == [1, 2, 3, 4, 5, 6])
        #expect(matrix.transposed == Matrix([[1, 4], [2, 5], [3, 6]]))
        #expect(matrix.column(2) == [3, 6])
    }

    @Test func euclideanNormAvoidsOverflowAndPropagatesNaN() {
        #expect(euclideanNorm([3, 4]) == 5)
        #expect(euclideanNorm([3e300, 4e300]) == 5e300)
        #expect(euclideanNorm([1, .nan]).isNaN)
        #expect(euclideanNorm([]) == 0)
    }

    @Test func reshapeReusesStorage() {
        var matrix = Matrix(rows: 4, columns: 4, repeating: 1)
        matrix.reshape(rows: 2, columns: 3)
        #expect(matrix.count == 6 && matrix.elements.count == 6)
        matrix.reshape(rows: 3, columns: 3)
        #expect(matrix.elements.count == 9)
    }
}
