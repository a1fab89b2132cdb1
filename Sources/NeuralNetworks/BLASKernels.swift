import CBLASLapack

/// C ← α·op(A)·op(B) + β·C on raw row-major storage with explicit leading
/// dimensions (BLAS dgemm), for the sub-blocks the sweeps address inside
/// larger buffers. op(A) is m × k, op(B) is k × n.
@inline(__always)
func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for row in 0..<m {
            let target = c + row * ldc
            for column in 0..<n { target[column] = beta == 0 ? 0 : beta * target[column] }
        }
        return
    }
    cblas_dgemm(
        CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}
