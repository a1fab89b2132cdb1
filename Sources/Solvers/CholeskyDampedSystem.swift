import CBLASLapack
import LinearAlgebra

/// The `cholesky` linear solver: the normal equations. JᵀJ and Jᵀr are formed once per
/// Jacobian (one dsyrk/dgemm, mn² flops); each damping λ then costs one Cholesky
/// factorization LLᵀ = JᵀJ + λD² (n³/3) and two triangular solves.
///
/// Loses about log₁₀ κ(J)² digits in the step, which is why `auto` only picks it when
/// a condition estimate allows (see ``reciprocalConditionOfScaledGram()``).
final class CholeskyDampedSystem: DampedLeastSquaresSystem {
    var name: String { "cholesky" }
    private var n = 0
    private var jacobian = Matrix(rows: 0, columns: 0)
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
        self.jacobian = jacobian
        multiply(jacobian, jacobian, transposeA: .transposed, into: &gram)
        if gradient.count != n {
            gradient = Array(repeating: 0, count: n)
            otherGradient = gradient
            factorStorage = Array(repeating: 0, count: n * n)
            work = Array(repeating: 0, count: 3 * max(n, 1))
            integerWork = Array(repeating: 0, count: max(n, 1))
        }
        multiply(jacobian, residual, transposeA: .transposed, into: &gradient)
        usingOther = false
        fullRank = jacobian.rows >= n && factorize(damping: 0, diagonal: diagonal)
        return gram.elements.allSatisfy(\.isFinite)
    }

    /// The reciprocal 1-norm condition estimate (LAPACK dpocon) of the equilibrated Gram
    /// matrix C = S⁻¹ JᵀJ S⁻¹, S = diag(‖Jⱼ‖); 0 when C is not positive definite. The
    /// normal equations lose about −log₁₀ of this many digits.
    func reciprocalConditionOfScaledGram() -> Double {
        guard n > 0 else { return 1 }
        var anorm = 0.0
        for j in 0..<n {
            let sj = gram[j, j].squareRoot()
            guard sj > 0 else { return 0 }
            var columnSum = 0.0
            for i in 0..<n {
                let value = gram[i, j] / (sj * gram[i, i].squareRoot())
                factorStorage[i + j * n] = value
                columnSum += abs(value)
            }
            anorm = max(anorm, columnSum)
        }
        let info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), &factorStorage, Int32(n))
        guard info == 0 else { return 0 }
        var rcond = 0.0
        let conditionInfo = LAPACKE_dpocon_work(
            LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), &factorStorage, Int32(n), anorm, &rcond, &work, &integerWork)
        return conditionInfo == 0 ? rcond : 0
    }

    /// Factors JᵀJ + λD² into `factorStorage`; false when not positive definite.
    private func factorize(damping: Double, diagonal: [Double]) -> Bool {
        for j in 0..<n {
            for i in 0..<n { factorStorage[i + j * n] = gram.elements[i * n + j] }
            factorStorage[j + j * n] += damping * diagonal[j] * diagonal[j]
        }
        let info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int32(n), &factorStorage, Int32(n))
        return info == 0
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
        let rhs = usingOther ? otherGradient : gradient
        for j in 0..<n { step[j] = -rhs[j] }
        step.withUnsafeMutableBufferPointer { x in
            factorStorage.withUnsafeBufferPointer { u in
                // UᵀU x = −g: Uᵀ y = −g, then U x = y.
                cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), u.baseAddress, Int32(n), x.baseAddress, 1)
                cblas_dtrsv(CblasColMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), u.baseAddress, Int32(n), x.baseAddress, 1)
            }
        }
    }

    func inverseFactorNorm(_ v: [Double], diagonal: [Double]) -> Double {
        for j in 0..<n { work[j] = v[j] }
        work.withUnsafeMutableBufferPointer { x in
            factorStorage.withUnsafeBufferPointer { u in
                cblas_dtrsv(CblasColMajor, CblasUpper, CblasTrans, CblasNonUnit, Int32(n), u.baseAddress, Int32(n), x.baseAddress, 1)
            }
        }
        return euclideanNorm(Array(work[0..<n]))
    }

    func useRightHandSide(_ rightHandSide: [Double]) {
        multiply(jacobian, rightHandSide, transposeA: .transposed, into: &otherGradient)
        usingOther = true
    }

    func useResidual() { usingOther = false }
}
