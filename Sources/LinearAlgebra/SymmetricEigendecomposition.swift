import CBLASLapack

/// A = V diag(λ) Vᵀ of a symmetric matrix (LAPACK dsyevd, divide and conquer).
public struct SymmetricEigendecomposition: Sendable {
    /// λ, ascending.
    public var eigenvalues: [Double]
    /// V, column-major: component a of eigenvector i is `vectors[a + i·n]`.
    public var vectors: [Double]

    /// The decomposition of the symmetric n × n `matrix` (its upper triangle is read); nil when
    /// LAPACK does not converge or the matrix is not square.
    /// - Complexity: about 9n³ flops; a copy of the matrix plus LAPACK's workspace.
    public init?(_ matrix: Matrix) {
        let n = matrix.columns
        guard matrix.rows == n else { return nil }
        var vectors = matrix.elements      // symmetric: row-major reads as column-major
        var eigenvalues = Array(repeating: 0.0, count: n)
        if n > 0 {
            let info = vectors.withUnsafeMutableBufferPointer { v in
                eigenvalues.withUnsafeMutableBufferPointer { w in
                    LAPACKE_dsyevd(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "L")), Int32(n), v.baseAddress, Int32(n), w.baseAddress)
                }
            }
            guard info == 0 else { return nil }
        }
        self.eigenvalues = eigenvalues
        self.vectors = vectors
    }
}
