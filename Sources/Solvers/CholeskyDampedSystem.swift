import CBLASLapack
import LinearAlgebra

/// The `cholesky` linear solver: the normal equations. JᵀJ (dsyrk) and Jᵀr (dgemv) are
/// formed once per Jacobian (mn² flops); each damping λ then costs one Cholesky
/// factorization UᵀU = JᵀJ + λD² (n³/3) and two triangular solves. Buffers are reused:
/// nothing is allocated per Jacobian or per λ once the shape is known.
///
/// Loses about log₁₀ κ(J)² digits in the step, which is why `auto` only picks it when
/// a condition estimate allows (see ``reciprocalConditionOfScaledGram()``).
final class CholeskyDampedSystem: DampedLeastSquaresSystem {
    var name: String { "cholesky" }
    private var n = 0
    /// JᵀJ, row-major (symmetric).
    private(set) var gram = Matrix(rows: 0, columns: 0)
    private var gradient: [Double] = []
    private var otherGradient: [Double] = []
    private var usingOther = false
    /// Factor of the most recent solve: column-major upper U (UᵀU = JᵀJ + λD²).
    private var factorStorage: [Double] = []
    private var work: [Double] = []
    private var integerWork: [Int32] = []
    private var fullRank = true

    var isFullRank: Bool { fullRank }

    func factor(jacobian: Matrix, residual: [Double], diagonal: [Double]) -> Bool {
        n = jacobian.columns
        LinearAlgebra.gram(jacobian, into: &gram)
        if gradient.count != n {
            gradient = Array(repeating: 0, count: n)
            otherGradient = gradient
            factorStorage = Array(repeating: 0, count: n * n)
            work = Array(repeating: 0, count: 3 * max(n, 1))
            integerWork = Array(repeating: 0, count: max(n, 1))
        }
        multiply(jacobian, residual, transposeA: .transposed, into: &gradient)
        usingOther = false
        guard gram.elements.allSatisfy(\.isFinite) else { return false }
        fullRank = jacobian.rows >= n && factorize(damping: 0, diagonal: diagonal)
        return true
    }

    /// The reciprocal 1-norm condition estimate (LAPACK dpocon) of the equilibrated Gram
    /// matrix C = S⁻¹ JᵀJ S⁻¹, S = diag(‖Jⱼ‖); 0 when C is not positive definite. The
    /// normal equations lose about −log₁₀ of this many digits.
    func reciprocalConditionOfScaledGram() -> Double {
        guard n > 0 else { return 1 }
        let n = self.n
        var anorm = 0.0
        let positive = gram.elements.withUnsafeBufferPointer { g in
            factorStorage.withUnsafeMutableBufferPointer { f in
                for j in 0..<n {
                    let sj = g[j * n + j].squareRoot()
                    guard sj > 0 else { return false }
                    var columnSum = 0.0
                    for i in 0..<n {
                        let value = g[i * n + j] / (sj * g[i * n + i].squareRoot())
                        f[i + j * n] = value
                        columnSum += abs(value)
                    }
                    anorm = max(anorm, columnSum)
                }
                return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), f.baseAddress, Int32(n)) == 0
            }
        }
        guard positive else { return 0 }
        var rcond = 0.0
        let conditionInfo = LAPACKE_dpocon_work(
            LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), &factorStorage, Int32(n), anorm, &rcond, &work, &integerWork)
        return conditionInfo == 0 ? rcond : 0
    }

    /// Factors JᵀJ + λD² into `factorStorage`; false when not positive definite.
    private func factorize(damping: Double, diagonal: [Double]) -> Bool {
        let n = self.n
        return gram.elements.withUnsafeBufferPointer { g in
            diagonal.withUnsafeBufferPointer { d in
                factorStorage.withUnsafeMutableBufferPointer { f in
                    // Upper triangle only (dpotrf reads no more); the symmetric gram is row = column.
                    for j in 0..<n {
                        for i in 0...j { f[i + j * n] = g[j * n + i] }
                        f[j + j * n] += damping * d[j] * d[j]
                    }
                    return LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), f.baseAddress, Int32(n)) == 0
                }
            }
        }
    }

    func solve(damping: Double, diagonal: [Double], into step: inout [Double]) {
        var lambda = damping
        if !factorize(damping: lambda, diagonal: diagonal) {
            // Singular normal equations: regularize just enough to factor (the rank-truncated
            // step of the QR and SVD solvers, approximately).
            var largest = 0.0
            for j in 0..<n where diagonal[j] > 0 { largest = max(largest, gram[j, j] / (diagonal[j] * diagonal[j])) }
            lambda = max(lambda, 1e-14 * max(largest, Double.leastNormalMagnitude))
            while !factorize(damping: lambda, diagonal: diagonal) && lambda.isFinite { lambda *= 100 }
        }
        let n = self.n
        (usingOther ? otherGradient : gradient).withUnsafeBufferPointer { rhs in
            step.withUnsafeMutableBufferPointer { x in
                for j in 0..<n { x[j] = -rhs[j] }
                factorStorage.withUnsafeBufferPointer { u in
                    // UᵀU x = −g: Uᵀ y = −g, then U x = y.
                    cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), u.baseAddress, Int32(n), x.baseAddress, 1)
                    cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), u.baseAddress, Int32(n), x.baseAddress, 1)
                }
            }
        }
    }

    func inverseFactorNorm(_ v: [Double], diagonal: [Double]) -> Double {
        let n = self.n
        guard n > 0 else { return 0 }
        return v.withUnsafeBufferPointer { source in
            work.withUnsafeMutableBufferPointer { x in
                for j in 0..<n { x[j] = source[j] }
                factorStorage.withUnsafeBufferPointer { u in
                    cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), u.baseAddress, Int32(n), x.baseAddress, 1)
                }
                return cblas_dnrm2(Int32(n), x.baseAddress, 1)
            }
        }
    }

    func useRightHandSide(_ rightHandSide: [Double], jacobian: Matrix) {
        multiply(jacobian, rightHandSide, transposeA: .transposed, into: &otherGradient)
        usingOther = true
    }

    func useResidual() { usingOther = false }
}
