import LinearAlgebra

/// SplitMix64: a tiny deterministic generator so that test matrices depend only on a seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: Int) { state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Matrices built from first principles (no factorization under test is used to make them).
enum TestMatrices {
    static func random(rows: Int, columns: Int, seed: Int) -> Matrix {
        var generator = SplitMix64(seed: seed)
        return Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in
            Double.random(in: -1...1, using: &generator)
        })
    }

    static func randomVector(_ count: Int, seed: Int) -> [Double] {
        random(rows: count, columns: 1, seed: seed).elements
    }

    /// A symmetric positive definite matrix BᵀB + shift·I.
    static func symmetricPositiveDefinite(order: Int, shift: Double, seed: Int) -> Matrix {
        let b = random(rows: order, columns: order, seed: seed)
        var a = multiply(b, b, transposeA: .transposed)
        for i in 0..<order { a[i, i] += shift }
        return a
    }

    /// The product of three Householder reflectors I − 2vvᵀ/(vᵀv): an orthogonal size × size matrix.
    static func orthogonal(size: Int, seed: Int) -> Matrix {
        var q = Matrix.identity(size)
        for reflector in 0..<3 {
            let v = randomVector(size, seed: seed &* 31 &+ reflector)
            let vv = v.reduce(0) { $0 + $1 * $1 }
            guard vv > 0 else { continue }
            var h = Matrix.identity(size)
            for i in 0..<size { for j in 0..<size { h[i, j] -= 2 * v[i] * v[j] / vv } }
            q = multiply(q, h)
        }
        return q
    }

    /// An m × n matrix U·diag(σ)·Vᵀ with exactly the given singular values (σ padded with zeros).
    static func withSingularValues(_ sigma: [Double], rows: Int, columns: Int, seed: Int) -> Matrix {
        let u = orthogonal(size: rows, seed: seed)
        let v = orthogonal(size: columns, seed: seed &+ 1000)
        var sigmaMatrix = Matrix(rows: rows, columns: columns)
        for (index, value) in sigma.enumerated() { sigmaMatrix[index, index] = value }
        return multiply(multiply(u, sigmaMatrix), v, transposeB: .transposed)
    }

    static func maximumAbsoluteDifference(_ a: Matrix, _ b: Matrix) -> Double {
        precondition(a.rows == b.rows && a.columns == b.columns)
        return zip(a.elements, b.elements).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    static func maximumAbsoluteDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

    static func unitVector(_ index: Int, length: Int) -> [Double] {
        var e = Array(repeating: 0.0, count: length)
        e[index] = 1
        return e
    }
}
