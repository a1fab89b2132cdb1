import CBLASLapack

/// Whether a BLAS operand is used as stored or transposed.
public enum Transposition: Sendable {
    /// Use the matrix as stored.
    case none
    /// Use its transpose.
    case transposed

    @usableFromInline
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// General matrix product C ← α·op(A)·op(B) + β·C (BLAS dgemm), written into `result`.
///
/// `result` is reshaped to rows(op(A)) × columns(op(B)) when its shape differs;
/// when `beta` is non-zero its shape must already match.
/// - Complexity: 2·m·n·k flops.
public func multiply(
    _ a: Matrix, _ b: Matrix,
    transposeA: Transposition = .none, transposeB: Transposition = .none,
    alpha: Double = 1, beta: Double = 0, into result: inout Matrix
) {
    let m = transposeA == .none ? a.rows : a.columns
    let k = transposeA == .none ? a.columns : a.rows
    let kB = transposeB == .none ? b.rows : b.columns
    let n = transposeB == .none ? b.columns : b.rows
    precondition(k == kB, "inner dimensions differ: \(k) vs \(kB)")
    if result.rows != m || result.columns != n {
        precondition(beta == 0, "result shape must match when beta != 0")
        result.reshape(rows: m, columns: n)
    }
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { result.fill(0) } else { for i in result.elements.indices { result.elements[i] *= beta } }
        return
    }
    a.elements.withUnsafeBufferPointer { aBuffer in
        b.elements.withUnsafeBufferPointer { bBuffer in
            result.elements.withUnsafeMutableBufferPointer { cBuffer in
                cblas_dgemm(
                    CblasRowMajor, transposeA.cblas, transposeB.cblas,
                    Int32(m), Int32(n), Int32(k), alpha,
                    aBuffer.baseAddress, Int32(max(a.columns, 1)),
                    bBuffer.baseAddress, Int32(max(b.columns, 1)),
                    beta, cBuffer.baseAddress, Int32(max(n, 1)))
            }
        }
    }
}

/// Returns op(A)·op(B) as a new matrix (BLAS dgemm).
public func multiply(
    _ a: Matrix, _ b: Matrix, transposeA: Transposition = .none, transposeB: Transposition = .none
) -> Matrix {
    var result = Matrix(rows: 0, columns: 0)
    multiply(a, b, transposeA: transposeA, transposeB: transposeB, into: &result)
    return result
}

/// Matrix-vector product y ← α·op(A)·x + β·y (BLAS dgemv), written into `result`.
///
/// `result` is resized to rows(op(A)) when its length differs (then `beta` must be 0).
/// - Complexity: 2·m·n flops.
public func multiply(
    _ a: Matrix, _ vector: [Double], transposeA: Transposition = .none,
    alpha: Double = 1, beta: Double = 0, into result: inout [Double]
) {
    let outputLength = transposeA == .none ? a.rows : a.columns
    let inputLength = transposeA == .none ? a.columns : a.rows
    precondition(vector.count == inputLength, "vector length \(vector.count) != \(inputLength)")
    if result.count != outputLength {
        precondition(beta == 0, "result length must match when beta != 0")
        result = Array(repeating: 0, count: outputLength)
    }
    if outputLength == 0 { return }
    if inputLength == 0 {
        for i in result.indices { result[i] *= beta }
        return
    }
    a.elements.withUnsafeBufferPointer { aBuffer in
        vector.withUnsafeBufferPointer { xBuffer in
            result.withUnsafeMutableBufferPointer { yBuffer in
                cblas_dgemv(
                    CblasRowMajor, transposeA.cblas, Int32(a.rows), Int32(a.columns), alpha,
                    aBuffer.baseAddress, Int32(max(a.columns, 1)), xBuffer.baseAddress, 1,
                    beta, yBuffer.baseAddress, 1)
            }
        }
    }
}
