import CBLASLapack

/// BLAS level-1 and level-2 kernels on caller-owned storage, for solvers that keep their
/// vectors and matrices in reused buffers.
public enum VectorKernels {
    /// ‖x‖₂ of the n values at `x` (BLAS dnrm2, scaled against overflow).
    public static func euclideanNorm(_ x: UnsafePointer<Double>, count n: Int) -> Double {
        n > 0 ? cblas_dnrm2(Int32(n), x, 1) : 0
    }

    /// y ← α·op(A)·x + β·y for the row-major m × n matrix at `a` (BLAS dgemv); op(A) is A or
    /// Aᵀ by `transposition`.
    /// - Complexity: 2mn flops.
    public static func multiply(
        rowMajor a: UnsafePointer<Double>, rows m: Int, columns n: Int, _ transposition: Transposition,
        _ x: UnsafePointer<Double>, alpha: Double = 1, beta: Double = 0, into y: UnsafeMutablePointer<Double>
    ) {
        guard m > 0, n > 0 else { return }
        cblas_dgemv(CblasRowMajor, transposition.cblas, Int32(m), Int32(n), alpha, a, Int32(n), x, 1, beta, y, 1)
    }

    /// The upper triangle of K = A Aᵀ (m × m, column-major, leading dimension m) for the
    /// row-major m × n matrix at `a` (BLAS dsyrk); the strict lower triangle is not written.
    /// - Complexity: m²n flops.
    public static func upperRowGram(rowMajor a: UnsafePointer<Double>, rows m: Int, columns n: Int, into k: UnsafeMutablePointer<Double>) {
        guard m > 0 else { return }
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, Int32(m), Int32(n), 1, a, Int32(max(n, 1)), 0, k, Int32(m))
    }
}
