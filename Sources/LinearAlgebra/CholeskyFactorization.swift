import CBLASLapack
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Cholesky factorization A = L·Lᵀ of a symmetric positive definite matrix (LAPACK dpotrf).
///
/// Only the lower triangle of the matrix handed to `factor` is read (row-major (i, j), i ≥ j);
/// the upper triangle is assumed to mirror it. The factor lives in storage that `factor(_:)`
/// reuses, so a solver that refactors every iteration allocates only on the first call.
/// Internally the row-major lower triangle is LAPACK's column-major upper triangle, so no
/// transposition or copy beyond the initial one happens.
public struct CholeskyFactorization: Sendable {
    /// Row-major n × n; the lower triangle holds L, the strict upper triangle is scratch.
    @usableFromInline var storage: Matrix
    /// ‖A‖₁ of the factored matrix, kept for the condition estimate.
    @usableFromInline var matrixOneNorm: Double
    @usableFromInline var isFactored: Bool

    /// The order n of the factored matrix.
    public var order: Int { storage.rows }

    /// An empty factorization (order 0) to be filled by `factor(_:)`; holds no storage yet.
    public init() {
        storage = Matrix(rows: 0, columns: 0)
        matrixOneNorm = 0
        isFactored = true
    }

    /// Factors the symmetric positive definite matrix `a`.
    /// - Throws: `.dimensionMismatch` unless `a` is square, `.nonFiniteInput` for NaN/∞,
    ///   `.notPositiveDefinite(minorOrder:)` when a leading minor is not positive.
    /// - Complexity: n³/3 flops.
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        self.init()
        try factor(a)
    }

    /// Refactors with the new matrix `a`, reusing this value's storage (no allocation when the
    /// order is unchanged). On a thrown error the factorization is unusable until the next
    /// successful `factor`.
    /// - Throws: as `init(_:)`.
    /// - Complexity: n³/3 flops plus n² copies.
    public mutating func factor(_ a: Matrix) throws(LinearAlgebraError) {
        guard a.rows == a.columns else {
            throw .dimensionMismatch("Cholesky needs a square matrix, got \(a.rows)×\(a.columns)")
        }
        isFactored = false
        let n = a.rows
        try requireFinite(a.elements, columns: n, operand: "matrix to factor")
        if storage.rows != n || storage.columns != n { storage.reshape(rows: n, columns: n) }
        storage.elements.withUnsafeMutableBufferPointer { destination in
            a.elements.withUnsafeBufferPointer { source in
                for index in source.indices { destination[index] = source[index] }
            }
        }
        try factorStorage()
    }

    /// Factors the damped Gram matrix JᵀJ + λI of `j` (m × n), forming it with dsyrk directly in
    /// this value's storage — the Gauss-Newton / Levenberg-Marquardt normal matrix without a
    /// separate n × n buffer. No allocation when n is unchanged.
    /// - Throws: `.nonFiniteInput` for NaN/∞ in `j`; `.notPositiveDefinite(minorOrder:)` when
    ///   JᵀJ + λI is not positive definite to working precision (J rank deficient and λ too small).
    /// - Complexity: m·n² + n³/3 flops.
    public mutating func factor(gramOf j: Matrix, addingToDiagonal damping: Double = 0) throws(LinearAlgebraError) {
        isFactored = false
        try requireFinite(j.elements, columns: j.columns, operand: "matrix whose Gram matrix is factored")
        guard damping.isFinite else { throw .nonFiniteInput("diagonal damping is \(damping)") }
        gram(j, addingToDiagonal: damping, into: &storage)
        try factorStorage()
    }

    /// Runs dpotrf on `storage` (already holding a finite symmetric matrix).
    private mutating func factorStorage() throws(LinearAlgebraError) {
        let n = storage.rows
        matrixOneNorm = Self.symmetricOneNorm(storage)
        if n == 0 { isFactored = true; return }
        let info = storage.elements.withUnsafeMutableBufferPointer { buffer in
            LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), buffer.baseAddress, Int32(n))
        }
        if info > 0 { throw .notPositiveDefinite(minorOrder: Int(info)) }
        if info < 0 { throw .lapackFailure(routine: "dpotrf", info: Int(info)) }
        isFactored = true
    }

    /// ‖A‖₁ = maxⱼ Σᵢ |aᵢⱼ| of a symmetric matrix, read from its row-major lower triangle.
    @usableFromInline
    static func symmetricOneNorm(_ a: Matrix) -> Double {
        let n = a.rows
        var norm = 0.0
        a.elements.withUnsafeBufferPointer { buffer in
            for j in 0..<n {
                var sum = 0.0
                for i in 0..<j { sum += abs(buffer[j * n + i]) }
                for i in j..<n { sum += abs(buffer[i * n + j]) }
                norm = max(norm, sum)
            }
        }
        return norm
    }

    /// The lower-triangular factor L (a new n × n matrix, zeros above the diagonal).
    public var lowerTriangular: Matrix {
        precondition(isFactored, "Cholesky factorization failed; call factor(_:) again first")
        var result = Matrix(rows: order, columns: order)
        for i in 0..<order { for j in 0...i { result[i, j] = storage[i, j] } }
        return result
    }

    /// Solves A·x = b by two triangular solves (LAPACK dpotrs), writing x into `x`.
    ///
    /// `x` is resized to n when its length differs; otherwise nothing is allocated.
    /// Precondition: `b.count == order` and the last `factor` succeeded.
    /// - Complexity: 2·n² flops. The relative error is about cond(A)·ε.
    public func solve(_ b: [Double], into x: inout [Double]) {
        precondition(isFactored, "Cholesky factorization failed; call factor(_:) again first")
        let n = order
        precondition(b.count == n, "right-hand side has \(b.count) entries, matrix order is \(n)")
        if x.count != n { x = Array(repeating: 0, count: n) }
        x.withUnsafeMutableBufferPointer { xBuffer in
            b.withUnsafeBufferPointer { bBuffer in
                for index in bBuffer.indices { xBuffer[index] = bBuffer[index] }
            }
        }
        if n == 0 { return }
        _ = storage.elements.withUnsafeBufferPointer { aBuffer in
            x.withUnsafeMutableBufferPointer { xBuffer in
                LAPACKE_dpotrs_work(
                    LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), 1, aBuffer.baseAddress, Int32(n),
                    xBuffer.baseAddress, Int32(n))
            }
        }
    }

    /// Returns the solution x of A·x = b (see `solve(_:into:)`).
    public func solve(_ b: [Double]) -> [Double] {
        var x: [Double] = []
        solve(b, into: &x)
        return x
    }

    /// Solves A·X = B for an n × k right-hand side (two BLAS dtrsm sweeps), writing X into `x`.
    ///
    /// `x` is reshaped to n × k. Precondition: `b.rows == order`.
    /// - Complexity: 2·n²·k flops.
    public func solve(_ b: Matrix, into x: inout Matrix) {
        precondition(isFactored, "Cholesky factorization failed; call factor(_:) again first")
        let n = order, k = b.columns
        precondition(b.rows == n, "right-hand side has \(b.rows) rows, matrix order is \(n)")
        if x.rows != n || x.columns != k { x.reshape(rows: n, columns: k) }
        x.elements.withUnsafeMutableBufferPointer { xBuffer in
            b.elements.withUnsafeBufferPointer { bBuffer in
                for index in bBuffer.indices { xBuffer[index] = bBuffer[index] }
            }
        }
        if n == 0 || k == 0 { return }
        storage.elements.withUnsafeBufferPointer { lBuffer in
            x.elements.withUnsafeMutableBufferPointer { xBuffer in
                cblas_dtrsm(
                    CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), Int32(k), 1,
                    lBuffer.baseAddress, Int32(n), xBuffer.baseAddress, Int32(k))
                cblas_dtrsm(
                    CblasRowMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, Int32(n), Int32(k), 1,
                    lBuffer.baseAddress, Int32(n), xBuffer.baseAddress, Int32(k))
            }
        }
    }

    /// A⁻¹ as a new symmetric n × n matrix, both triangles filled (LAPACK dpotri).
    ///
    /// Used for covariance matrices (JᵀJ)⁻¹; prefer `solve` for systems.
    /// - Complexity: 2n³/3 flops.
    public func inverse() -> Matrix {
        precondition(isFactored, "Cholesky factorization failed; call factor(_:) again first")
        let n = order
        var result = storage
        if n == 0 { return result }
        _ = result.elements.withUnsafeMutableBufferPointer { buffer in
            LAPACKE_dpotri_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), buffer.baseAddress, Int32(n))
        }
        for i in 0..<n { for j in (i + 1)..<n { result[i, j] = result[j, i] } }
        return result
    }

    /// An estimate of 1/κ₁(A) = 1 / (‖A‖₁·‖A⁻¹‖₁) from the factor (LAPACK dpocon).
    ///
    /// Returns a value in [0, 1]; near ε or below means A is numerically singular. For a
    /// Gram matrix A = JᵀJ this is roughly the square of J's reciprocal condition number.
    /// The estimate is usually within a factor of 10 of the truth.
    /// - Complexity: O(n²) flops (a few triangular solves).
    public func reciprocalConditionEstimate() -> Double {
        precondition(isFactored, "Cholesky factorization failed; call factor(_:) again first")
        let n = order
        if n == 0 { return 1 }
        return estimateReciprocalCondition(order: n) { work, integerWork, reciprocalCondition in
            storage.elements.withUnsafeBufferPointer { aBuffer in
                LAPACKE_dpocon_work(
                    LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), aBuffer.baseAddress, Int32(n),
                    matrixOneNorm, reciprocalCondition, work, integerWork)
            }
        }
    }

    /// log det A = 2 Σ log Lᵢᵢ, finite for every successfully factored matrix.
    public var logDeterminant: Double {
        precondition(isFactored, "Cholesky factorization failed; call factor(_:) again first")
        var sum = 0.0
        for i in 0..<order { sum += log(storage[i, i]) }
        return 2 * sum
    }
}
