import Testing
@testable import LinearAlgebra

@Suite struct BLASTests {
    @Test func gemmMatchesHandComputedProducts() {
        let a = Matrix([[1, 2], [3, 4], [5, 6]])
        let b = Matrix([[7, 8, 9], [10, 11, 12]])
        #expect(multiply(a, b) == Matrix([[27, 30, 33], [61, 68, 75], [95, 106, 117]]))
        #expect(multiply(a, a, transposeA: .transposed) == Matrix([[35, 44], [44, 56]]))
        #expect(multiply(b, b, transposeB: .transposed) == Matrix([[194, 266], [266, 365]]))
    }

    @Test func gemmAccumulatesWithBeta() {
        let a = Matrix([[1, 0], [0, 1]])
        var c = Matrix([[1, 1], [1, 1]])
        multiply(a, a, alpha: 2, beta: 3, into: &c)
        #expect(c == Matrix([[5, 3], [3, 5]]))
    }

    @Test func gemvBothOrientations() {
        let a = Matrix([[1, 2, 3], [4, 5, 6]])
        var y: [Double] = []
        multiply(a, [1, 1, 1], into: &y)
        #expect(y == [6, 15])
        multiply(a, [1, -1], transposeA: .transposed, into: &y)
        #expect(y == [-3, -3, -3])
    }
}

/// The DGEMM yardstick: a finite, positive rate, and its arguments checked.
@Suite struct GEMMRateTests {
    @Test func aSmallMeasurementGivesAPositiveFiniteRate() {
        let rate = GEMMRate.measure(size: 64, repeats: 3)
        #expect(rate.isFinite && rate > 0, "\(rate) GFLOP/s")
    }
}
