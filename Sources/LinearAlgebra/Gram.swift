import CBLASLapack

/// Writes the Gram matrix AᵀA (n × n for an m × n `a`) into `result` via BLAS dsyrk,
/// with both triangles filled, plus `diagonalShift` added to every diagonal element.
///
/// `result` is reshaped to n × n (no allocation once it has held n × n elements).
/// A shift of λ gives the damped normal matrix AᵀA + λI of Levenberg-Marquardt. More than
/// ``TiledGram/tileWidth`` columns are split into tiles on jacobench's worker threads.
/// - Complexity: m·n² flops (half of a gemm), plus n² copies to mirror the triangle.
public func gram(_ a: Matrix, addingToDiagonal diagonalShift: Double = 0, into result: inout Matrix) {
    let n = a.columns, m = a.rows
    if result.rows != n || result.columns != n { result.reshape(rows: n, columns: n) }
    if n == 0 { return }
    if n > TiledGram.tileWidth {
        TiledGram.gram(of: a, into: &result)
        if diagonalShift != 0 { for i in 0..<n { result[i, i] += diagonalShift } }
        return
    }
    a.elements.withUnsafeBufferPointer { aBuffer in
        result.elements.withUnsafeMutableBufferPointer { cBuffer in
            if m == 0 {
                for index in cBuffer.indices { cBuffer[index] = 0 }
            } else {
                // Row-major upper triangle of C = Aᵀ·A (A stored m × n, so op(A) = Aᵀ with k = m).
                cblas_dsyrk(
                    CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(m), 1,
                    aBuffer.baseAddress, Int32(n), 0, cBuffer.baseAddress, Int32(n))
            }
            for i in 0..<n {
                cBuffer[i * n + i] += diagonalShift
                for j in 0..<i { cBuffer[i * n + j] = cBuffer[j * n + i] }
            }
        }
    }
}

/// Returns the Gram matrix AᵀA (n × n, both triangles filled) via BLAS dsyrk.
/// - Complexity: m·n² flops.
public func gram(_ a: Matrix) -> Matrix {
    var result = Matrix(rows: 0, columns: 0)
    gram(a, into: &result)
    return result
}
