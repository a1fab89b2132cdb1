import CBLASLapack

/// JᵀJ and Jᵀr over blocks of rows, split into fixed strips so that worker threads share the
/// work without locks and with the same bits for any thread count.
///
/// Strip I of the upper triangle — rows I·w ..< (I + 1)·w for w = ``tileWidth``, from the
/// diagonal to column n — is one task: C[I, I] += A[:, I]ᵀA[:, I] (dsyrk) and
/// C[I, right of I] += A[:, I]ᵀA[:, right of I] (one wide dgemm); each column tile of Jᵀr is one
/// more task (dgemv). Strips come largest first, so the workers balance themselves. A task owns
/// its outputs, and the blocks of a sum are added in their order, so every entry is the same sum
/// in the same order whichever worker takes it. OpenBLAS's own threaded dsyrk instead splits the
/// sums by thread count (and on 4,096 × 1,021 it gained only 1.6× on two threads).
public enum TiledGram {
    /// Rows per strip and columns per Jᵀr tile (fixed: the partition must not depend on the
    /// machine or the thread count).
    public static let tileWidth = 128

    /// The number of column tiles of n columns.
    public static func tileCount(columns n: Int) -> Int { (n + tileWidth - 1) / tileWidth }

    /// Adds (or, with `overwrite`, writes) the upper triangle of AᵀA into `gram` (n × n,
    /// row-major, leading dimension n) and, when given, Aᵀr into `gradient`, for the k rows of A
    /// at `rows` (row-major, row stride `rowStride` ≥ n) and the k values of r at `residuals`.
    /// The strict lower triangle is not touched (``mirror(gram:columns:workers:)`` fills it).
    ///
    /// - Complexity: k·n²/2 multiply-adds in tile products, k·n for Aᵀr; no allocation.
    public static func accumulate(
        rows a: UnsafePointer<Double>, rowCount k: Int, columns n: Int, rowStride lda: Int,
        residuals r: UnsafePointer<Double>?, overwrite: Bool,
        gram c: UnsafeMutablePointer<Double>, gradient g: UnsafeMutablePointer<Double>?,
        workers: Int = ThreadSettings.workerCount
    ) {
        guard n > 0 else { return }
        let strips = tileCount(columns: n)
        let beta: Double = overwrite ? 0 : 1
        let gradientTasks = g == nil || r == nil ? 0 : strips
        ParallelTasks.run(count: strips + gradientTasks, workers: workers) { task, _ in
            if task >= strips {
                guard let g, let r else { return }
                let column = (task - strips) * tileWidth, width = min(tileWidth, n - column)
                if k == 0 {
                    if overwrite { (g + column).update(repeating: 0, count: width) }
                    return
                }
                cblas_dgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(width), 1, a + column, Int32(lda), r, 1, beta, g + column, 1)
                return
            }
            // Row strip I: the diagonal tile by dsyrk, the rest of the strip by one wide dgemm.
            let row = task * tileWidth, height = min(tileWidth, n - row), rest = n - row - height
            let diagonal = c + row * n + row
            if k == 0 {
                if overwrite { for line in 0..<height { (diagonal + line * n).update(repeating: 0, count: n - row) } }
                return
            }
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(height), Int32(k), 1, a + row, Int32(lda), beta, diagonal, Int32(n))
            if rest > 0 {
                cblas_dgemm(
                    CblasRowMajor, CblasTrans, CblasNoTrans, Int32(height), Int32(rest), Int32(k), 1,
                    a + row, Int32(lda), a + row + height, Int32(lda), beta, diagonal + height, Int32(n))
            }
        }
    }

    /// Copies the upper triangle of `gram` (n × n, row-major) into its lower triangle, one row
    /// tile per task.
    public static func mirror(gram c: UnsafeMutablePointer<Double>, columns n: Int, workers: Int = ThreadSettings.workerCount) {
        ParallelTasks.run(count: tileCount(columns: n), workers: workers) { task, _ in
            for i in (task * tileWidth)..<min(n, (task + 1) * tileWidth) {
                let row = c + i * n
                var source = UnsafePointer(c + i)
                for j in 0..<i {
                    row[j] = source.pointee
                    source += n
                }
            }
        }
    }

    /// Rows per block when a whole matrix is summed (about 4 MB of rows, so that every strip
    /// reads the block from cache): 2¹⁹ / n, at least 1.
    public static func blockRows(columns n: Int) -> Int { max(1, (1 << 19) / max(n, 1)) }

    /// AᵀA (n × n, both triangles) of the m × n matrix `a` into `result`, reshaped when needed,
    /// summed over blocks of ``blockRows(columns:)`` rows.
    public static func gram(of a: Matrix, into result: inout Matrix, workers: Int = ThreadSettings.workerCount) {
        let n = a.columns, m = a.rows, block = blockRows(columns: n)
        if result.rows != n || result.columns != n { result.reshape(rows: n, columns: n) }
        a.elements.withUnsafeBufferPointer { source in
            result.elements.withUnsafeMutableBufferPointer { target in
                guard let rows = source.baseAddress, let c = target.baseAddress else { return }
                var first = 0
                repeat {
                    accumulate(
                        rows: rows + first * n, rowCount: min(block, m - first), columns: n, rowStride: n, residuals: nil,
                        overwrite: first == 0, gram: c, gradient: nil, workers: workers)
                    first += block
                } while first < m
                mirror(gram: c, columns: n, workers: workers)
            }
        }
    }

    /// The tile (I, J), I ≤ J, of upper-triangle task `task` among `tiles` column tiles, row by row.
    static func upperTile(_ task: Int, of tiles: Int) -> (Int, Int) {
        var remaining = task, row = 0
        while remaining >= tiles - row {
            remaining -= tiles - row
            row += 1
        }
        return (row, row + remaining)
    }
}
