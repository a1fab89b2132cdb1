import CBLASLapack

/// JᵀJ of a Jacobian whose last columns form one block per output (Jacobians'
/// `OutputBlockSparsity`, e.g. a network's last layer) without the products that are zero by
/// construction.
///
/// Residual row s·p + d (sample s, output d) depends on the last columns only through output
/// d's h block weights and its bias (a network's W_L[d, :] and b_L[d]): its entries in the other
/// p − 1 outputs' h + 1 columns are exactly zero, whatever the strategy. With A the first c₀
/// columns, JᵀJ is assembled from
///
///     AᵀA (dsyrk, m·c₀²/2),  and for each output d, over its S = m/p rows:
///     A_dᵀW_d (dgemm c₀·h·S),  A_dᵀb_d, W_dᵀW_d (dsyrk), W_dᵀb_d, b_dᵀb_d,
///
/// every other block zero. For the 5 → 9 → 3 network (c₀ = 54, h = 9, p = 3, m = 576) that is
/// about 1.15 M multiply-adds instead of the dense 2.03 M. Rows may carry weights (σ): only the
/// zero pattern is used. Not used when parameters are fixed (the columns move) or p = 1.
public struct OutputBlockGram: Sendable, Equatable {
    /// c₀: the dense leading columns (every layer but the last).
    public let denseColumns: Int
    /// p: outputs per sample.
    public let outputs: Int
    /// h: block weights per output (a network's last hidden width).
    public let blockWeights: Int

    /// The products of c₀ dense columns then p blocks of h weights and p biases.
    public init(denseColumns: Int, outputs: Int, blockWeights: Int) {
        self.denseColumns = denseColumns
        self.outputs = outputs
        self.blockWeights = blockWeights
    }

    /// n = c₀ + p·(h + 1).
    public var columns: Int { denseColumns + outputs * (blockWeights + 1) }

    /// Whether `jacobian` has this structure's shape (n columns, whole samples of p rows).
    public func matches(_ jacobian: Matrix) -> Bool {
        jacobian.columns == columns && jacobian.rows % outputs == 0 && jacobian.rows > 0
    }

    /// JᵀJ (n × n, both triangles) into `result`; `jacobian` must ``matches(_:)``.
    public func gram(_ jacobian: Matrix, into result: inout Matrix) {
        let n = columns, m = jacobian.rows, p = outputs, h = blockWeights, c0 = denseColumns
        let samples = m / p, stride = Int32(p * n), ld = Int32(n)
        let biasColumn = c0 + p * h
        if result.rows != n || result.columns != n { result.reshape(rows: n, columns: n) }
        jacobian.elements.withUnsafeBufferPointer { jBuffer in
            result.elements.withUnsafeMutableBufferPointer { gBuffer in
                guard let j = jBuffer.baseAddress, let g = gBuffer.baseAddress else { return }
                g.update(repeating: 0, count: n * n)
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(c0), Int32(m), 1, j, ld, 0, g, ld)
                for d in 0..<p {
                    let rows = j + d * n                    // row d of sample 0; next sample p·n further
                    let weights = rows + c0 + d * h, bias = rows + biasColumn + d
                    let weightColumn = c0 + d * h
                    cblas_dgemm(
                        CblasRowMajor, CblasTrans, CblasNoTrans, Int32(c0), Int32(h), Int32(samples), 1,
                        rows, stride, weights, stride, 0, g + weightColumn, ld)
                    cblas_dgemv(CblasRowMajor, CblasTrans, Int32(samples), Int32(c0), 1, rows, stride, bias, stride, 0, g + biasColumn + d, ld)
                    cblas_dsyrk(
                        CblasRowMajor, CblasUpper, CblasTrans, Int32(h), Int32(samples), 1, weights, stride, 0,
                        g + weightColumn * n + weightColumn, ld)
                    cblas_dgemv(
                        CblasRowMajor, CblasTrans, Int32(samples), Int32(h), 1, weights, stride, bias, stride, 0,
                        g + weightColumn * n + biasColumn + d, ld)
                    g[(biasColumn + d) * n + biasColumn + d] = cblas_ddot(Int32(samples), bias, stride, bias, stride)
                }
                for i in 0..<n {
                    for k in 0..<i { g[i * n + k] = g[k * n + i] }
                }
            }
        }
    }
}
