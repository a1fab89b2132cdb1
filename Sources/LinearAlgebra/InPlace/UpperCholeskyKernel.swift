import CBLASLapack

/// Cholesky UᵀU = A of a symmetric positive definite n × n matrix held as the upper triangle
/// of caller-owned column-major storage, and its solves — allocation-free, for solvers that
/// factor a damped system every step into buffers they reuse.
///
/// ``CholeskyFactorization`` is the value-type interface over the same factorization.
public enum UpperCholeskyKernel {
    /// The largest order factored unblocked (LAPACK dpotf2) instead of blocked (dpotrf):
    /// with one OpenBLAS thread the unblocked code is faster up to about n = 100 and the
    /// blocked one from n = 128 (figures in docs/ARCHITECTURE.md).
    public static let unblockedOrderLimit = 100

    /// Overwrites the upper triangle of the column-major n × n matrix at `a` (leading
    /// dimension n) with U, UᵀU = A; the strict lower triangle is not read. dpotf2 up to
    /// ``unblockedOrderLimit``, dpotrf above. Returns LAPACK's info: 0 on success, k > 0 when
    /// the leading minor of order k is not positive definite. Orders above
    /// ``TiledCholesky/minimumOrder`` are factored by tiles on jacobench's worker threads.
    /// - Complexity: n³/3 flops; no allocation.
    @discardableResult
    public static func factorInPlace(_ a: UnsafeMutablePointer<Double>, order n: Int) -> Int {
        guard n > 0 else { return 0 }
        if n > TiledCholesky.minimumOrder { return TiledCholesky.factorInPlace(a, order: n) }
        var info: Int32 = 0
        if n <= unblockedOrderLimit {
            var uplo = CChar(UInt8(ascii: "U")), order = Int32(n), leading = Int32(n)
            dpotf2_(&uplo, &order, a, &leading, &info, 1)
        } else {
            info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), Int32(n), a, Int32(n))
        }
        return Int(info)
    }

    /// x ← A⁻¹x with the factor U at `factor` (UᵀU x = b: Uᵀy = b, then U x = y; two dtrsv).
    /// - Complexity: 2n² flops.
    public static func solveInPlace(factor: UnsafePointer<Double>, order n: Int, _ x: UnsafeMutablePointer<Double>) {
        guard n > 0 else { return }
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), factor, Int32(n), x, 1)
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), factor, Int32(n), x, 1)
    }

    /// x ← U⁻ᵀx (one dtrsv): ‖U⁻ᵀv‖ is the A⁻¹-norm of v.
    /// - Complexity: n² flops.
    public static func solveWithTransposedFactorInPlace(factor: UnsafePointer<Double>, order n: Int, _ x: UnsafeMutablePointer<Double>) {
        guard n > 0 else { return }
        cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), factor, Int32(n), x, 1)
    }

    /// An estimate of 1/κ₁(A) from the factor U at `factor` and ‖A‖₁ = `norm` (LAPACK
    /// dpocon); nil when LAPACK reports an error. `work` holds at least 3n values and
    /// `integerWork` n.
    public static func reciprocalCondition(
        factor: UnsafePointer<Double>, order n: Int, norm: Double,
        work: UnsafeMutablePointer<Double>, integerWork: UnsafeMutablePointer<Int32>
    ) -> Double? {
        guard n > 0 else { return 1 }
        var rcond = 0.0
        let info = LAPACKE_dpocon_work(
            LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), factor, Int32(n), norm, &rcond, work, integerWork)
        return info == 0 ? rcond : nil
    }
}
