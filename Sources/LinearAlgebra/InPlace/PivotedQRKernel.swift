import CBLASLapack

/// Householder QR with column pivoting, A P = Q R (LAPACK dgeqp3), on caller-owned
/// column-major storage, and Qᵀ applied to a vector (dormqr) — allocation-free once the
/// workspace is sized, for solvers that factor a Jacobian every iteration.
///
/// ``QRFactorization`` is the value-type interface.
public enum PivotedQRKernel {
    /// The dgeqp3 workspace (in doubles) for an m × n matrix with leading dimension `m`:
    /// LAPACK's optimal size, at least 3n + 1.
    public static func workspaceCount(rows m: Int, columns n: Int) -> Int {
        var optimal = 0.0, probe = 0.0, scale = 0.0
        var pivot: Int32 = 0
        _ = LAPACKE_dgeqp3_work(LAPACK_COL_MAJOR, Int32(m), Int32(n), &probe, Int32(max(m, 1)), &pivot, &scale, &optimal, -1)
        return max(Int(optimal), 3 * n + 1, 1)
    }

    /// Factors the column-major m × n matrix at `a` (leading dimension m) in place: R in the
    /// upper triangle, the reflectors below it with their scales in `reflectorScales` (n
    /// values). `pivots` (n values, 0 = free column) receives the 1-based permutation.
    /// `work` holds `workCount` ≥ ``workspaceCount(rows:columns:)`` doubles. True on success.
    /// - Complexity: about 4mn² − 4n³/3 flops.
    public static func factorInPlace(
        _ a: UnsafeMutablePointer<Double>, rows m: Int, columns n: Int, pivots: UnsafeMutablePointer<Int32>,
        reflectorScales: UnsafeMutablePointer<Double>, work: UnsafeMutablePointer<Double>, workCount: Int
    ) -> Bool {
        LAPACKE_dgeqp3_work(
            LAPACK_COL_MAJOR, Int32(m), Int32(n), a, Int32(max(m, 1)), pivots, reflectorScales, work, Int32(workCount)) == 0
    }

    /// b ← Qᵀb for the m-vector at `b`, with the reflectors of ``factorInPlace(_:rows:columns:pivots:reflectorScales:work:workCount:)``.
    /// - Complexity: about 4mn flops.
    public static func applyQTransposed(
        reflectors a: UnsafePointer<Double>, rows m: Int, columns n: Int, reflectorScales: UnsafePointer<Double>,
        to b: UnsafeMutablePointer<Double>
    ) {
        guard n > 0 else { return }
        var scratch = 0.0
        _ = LAPACKE_dormqr_work(
            LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int8(UInt8(ascii: "T")), Int32(m), 1, Int32(n),
            a, Int32(m), reflectorScales, b, Int32(m), &scratch, 1)
    }
}
