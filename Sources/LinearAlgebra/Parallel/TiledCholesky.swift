import CBLASLapack

/// A right-looking blocked Cholesky factorization UᵀU = A whose panel solves and trailing
/// updates are split into fixed tiles, so worker threads share it with the same bits for any
/// thread count (OpenBLAS's threaded dpotrf splits its updates by thread count).
///
/// For each diagonal tile k (``tileOrder`` wide): factor A_kk (LAPACK, one thread), then
/// U_kj = U_kk⁻ᵀA_kj for every tile right of it (one dtrsm task each), then
/// A_ij −= U_kiᵀU_kj for every tile k < i ≤ j of the trailing upper triangle (one dgemm, or
/// dsyrk on the diagonal, task each). What stays serial is the diagonal tiles' factorization:
/// about n·b²/3 of the n³/3 flops.
public enum TiledCholesky {
    /// Rows and columns per tile (fixed, like every partition behind `--threads`).
    public static let tileOrder = 128

    /// Orders above this are factored by tiles; smaller ones by LAPACK directly
    /// (``UpperCholeskyKernel/factorInPlace(_:order:)``).
    public static let minimumOrder = 2 * tileOrder

    /// Overwrites the upper triangle of the column-major n × n matrix at `a` (leading
    /// dimension n) with U; returns LAPACK's info (0, or the order k of the first leading minor
    /// that is not positive definite).
    /// - Complexity: n³/3 flops; no allocation.
    public static func factorInPlace(_ a: UnsafeMutablePointer<Double>, order n: Int, workers: Int = ThreadSettings.workerCount) -> Int {
        ParallelTasks.ensureSingleThreadedBLAS()
        let tiles = (n + tileOrder - 1) / tileOrder
        for k in 0..<tiles {
            let start = k * tileOrder, size = min(tileOrder, n - start)
            let diagonal = a + start + start * n
            let info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), Int32(size), diagonal, Int32(n))
            if info != 0 { return info > 0 ? start + Int(info) : Int(info) }
            let rest = tiles - k - 1
            if rest == 0 { break }
            ParallelTasks.run(count: rest, workers: workers) { task, _ in
                let column = (k + 1 + task) * tileOrder, width = min(tileOrder, n - column)
                cblas_dtrsm(
                    CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, Int32(size), Int32(width), 1,
                    diagonal, Int32(n), a + start + column * n, Int32(n))
            }
            ParallelTasks.run(count: rest * (rest + 1) / 2, workers: workers) { task, _ in
                let (tileRow, tileColumn) = TiledGram.upperTile(task, of: rest)
                let row = (k + 1 + tileRow) * tileOrder, column = (k + 1 + tileColumn) * tileOrder
                let height = min(tileOrder, n - row), width = min(tileOrder, n - column)
                if row == column {
                    cblas_dsyrk(
                        CblasColMajor, CblasUpper, CblasTrans, Int32(height), Int32(size), -1,
                        a + start + row * n, Int32(n), 1, a + row + row * n, Int32(n))
                } else {
                    cblas_dgemm(
                        CblasColMajor, CblasTrans, CblasNoTrans, Int32(height), Int32(width), Int32(size), -1,
                        a + start + row * n, Int32(n), a + start + column * n, Int32(n), 1, a + row + column * n, Int32(n))
                }
            }
        }
        return 0
    }
}
