import LinearAlgebra

/// The `dual` linear solver, for fewer residuals than parameters (m < n): the damped system
/// in its m-dimensional form. With Ĵ = J D⁻¹ and K = Ĵ Ĵᵀ (m × m, one dsyrk, m²n flops per
/// Jacobian), the push-through identity (ĴᵀĴ + λI)⁻¹Ĵᵀ = Ĵᵀ(K + λI)⁻¹ gives
///
///     p(λ) = −D⁻² Jᵀ (K + λI)⁻¹ b = −D⁻¹ Ĵᵀ (K + λI)⁻¹ b,
///
/// one m × m Cholesky factorization (m³/3 flops) per λ plus two triangular solves and one
/// m × n product, instead of the n × n work of `qr`/`cholesky`. The factor of the most
/// recent λ is kept (Moré's search asks for λ = 0 at every trial of a Jacobian).
///
/// λ = 0: for m < n, JᵀJ is singular (``isFullRank`` is false) and p(0) is the D-weighted
/// minimum-norm Gauss-Newton step −D⁻²Jᵀ K⁻¹ b, i.e. the minimiser of ‖Dp‖ among the solutions
/// of J p = −b. When K itself is singular (rank(J) < m, so dpotrf fails) λ = 0 is replaced by
/// the smallest λ = 10⁻¹⁴·max Kᵢᵢ·100ᵏ that factors, i.e. the Tikhonov approximation of the
/// pseudo-inverse step −D⁻¹Ĵ⁺b (as the `cholesky` solver does); that λ is remembered for the
/// Jacobian.
///
/// ‖S⁻ᵀv‖² = vᵀ(JᵀJ + λD²)⁻¹v is evaluated by Woodbury, without the cancellation of
/// (1/λ)[‖D⁻¹v‖² − wᵀ(K + λI)⁻¹w] (w = ĴD⁻¹v): with y = (K + λI)⁻¹w and r = D⁻¹v − Ĵᵀy
/// (= λ(ĴᵀĴ + λI)⁻¹D⁻¹v) the same quantity is ‖r‖²/λ + ‖y‖², a sum of two non-negative terms.
/// The rounding error of r, about ε‖D⁻¹v‖·κ(K + λI), enters only multiplied by ‖r‖/λ, so the
/// relative error is O(ε κ(K + λI)) + O(ε² ‖Ĵ‖²/λ), not the O(ε ‖Ĵ‖²/λ) of the difference (Moré's
/// v = D²p/‖Dp‖ lies in Ĵ's row space, exactly where the difference cancels).
///
/// Buffers (Ĵ: m·n, K and its factor: m² each) are allocated when the shape changes, never per
/// Jacobian or per λ. A diagonal D different from the one factored re-forms K (the caller
/// changes D only between Jacobians).
final class DualCholeskyDampedSystem: DampedLeastSquaresSystem {
    var name: String { "dual" }
    private var m = 0, n = 0
    /// Ĵ = J D⁻¹, row-major m × n.
    private var scaledJacobian: [Double] = []
    /// K = ĴĴᵀ, column-major m × m, upper triangle.
    private var kernel: [Double] = []
    /// Column-major upper U with UᵀU = K + λI for `factoredDamping`.
    private var factorStorage: [Double] = []
    private var factoredDamping: Double?
    /// The D that `scaledJacobian` and `kernel` were formed with.
    private var kernelDiagonal: [Double] = []
    /// The λ that stands for λ = 0 when K is singular.
    private var zeroDampingSubstitute: Double?
    private var residual: [Double] = []
    private var otherRightHandSide: [Double] = []
    private var usingOther = false
    /// m values: (K + λI)⁻¹b or (K + λI)⁻¹w.
    private var dualWork: [Double] = []
    /// n values for ``inverseFactorNorm(_:diagonal:)``.
    private var primalWork: [Double] = []
    private var fullRank = false
    private var gramClock = SectionClock(), factorClock = SectionClock()

    var isFullRank: Bool { fullRank }
    var gramSeconds: Double { gramClock.seconds }
    var factorizationSeconds: Double { factorClock.seconds }

    func factor(jacobian: Matrix, residual: [Double], gradient: [Double], diagonal: [Double]) -> Bool {
        if jacobian.rows != m || jacobian.columns != n || scaledJacobian.isEmpty {
            m = jacobian.rows
            n = jacobian.columns
            scaledJacobian = Array(repeating: 0, count: max(m * n, 1))
            kernel = Array(repeating: 0, count: max(m * m, 1))
            factorStorage = kernel
            kernelDiagonal = Array(repeating: 0, count: n)
            primalWork = kernelDiagonal
            self.residual = Array(repeating: 0, count: m)
            otherRightHandSide = self.residual
            dualWork = self.residual
        }
        for i in 0..<m { self.residual[i] = residual[i] }
        usingOther = false
        factoredDamping = nil
        zeroDampingSubstitute = nil
        let n = self.n
        jacobian.elements.withUnsafeBufferPointer { source in
            scaledJacobian.withUnsafeMutableBufferPointer { target in
                for i in 0..<m {
                    for j in 0..<n { target[i * n + j] = source[i * n + j] / diagonal[j] }
                }
            }
        }
        for j in 0..<n { kernelDiagonal[j] = diagonal[j] }
        formKernel()
        // A NaN or ∞ in J (or a zero in D) makes a diagonal entry of K non-finite.
        var trace = 0.0
        for i in 0..<m { trace += kernel[i + i * m] }
        guard trace.isFinite else { return false }
        fullRank = m == n && factorize(damping: 0)
        return true
    }

    /// K = ĴĴᵀ (dsyrk on Ĵ read as the column-major n × m matrix Ĵᵀ).
    private func formKernel() {
        let m = self.m, n = self.n
        guard m > 0 else { return }
        gramClock.time {
            VectorKernels.upperRowGram(rowMajor: scaledJacobian, rows: m, columns: n, into: &kernel)
        }
    }

    /// Re-forms Ĵ and K when D changed since ``factor(jacobian:residual:gradient:diagonal:)``.
    private func adopt(_ diagonal: [Double]) {
        guard diagonal != kernelDiagonal else { return }
        let n = self.n
        scaledJacobian.withUnsafeMutableBufferPointer { target in
            for i in 0..<m {
                for j in 0..<n { target[i * n + j] *= kernelDiagonal[j] / diagonal[j] }
            }
        }
        for j in 0..<n { kernelDiagonal[j] = diagonal[j] }
        factoredDamping = nil
        zeroDampingSubstitute = nil
        formKernel()
    }

    /// Factors K + λI into `factorStorage` unless it already holds that factor; false when not
    /// positive definite.
    private func factorize(damping: Double) -> Bool {
        if factoredDamping == damping { return true }
        let m = self.m
        let positive = factorClock.time {
            kernel.withUnsafeBufferPointer { k in
                factorStorage.withUnsafeMutableBufferPointer { f in
                    for j in 0..<m {
                        for i in 0...j { f[i + j * m] = k[i + j * m] }
                        f[j + j * m] += damping
                    }
                    guard let factor = f.baseAddress else { return m == 0 }
                    return UpperCholeskyKernel.factorInPlace(factor, order: m) == 0
                }
            }
        }
        factoredDamping = positive ? damping : nil
        return positive
    }

    /// Factors K + λI for `damping`, or for the regularised λ standing in for it when K + λI
    /// is not positive definite; returns the λ factored.
    private func factorizeRegularized(damping: Double) -> Double {
        var lambda = damping
        if damping == 0, let substitute = zeroDampingSubstitute { lambda = substitute }
        if factorize(damping: lambda) { return lambda }
        var largest = 0.0
        for i in 0..<m { largest = max(largest, kernel[i + i * m]) }
        lambda = max(lambda, 1e-14 * max(largest, Double.leastNormalMagnitude))
        while !factorize(damping: lambda) && lambda.isFinite { lambda *= 100 }
        if damping == 0 { zeroDampingSubstitute = lambda }
        return lambda
    }

    /// x ← (K + λI)⁻¹x with the held factor (UᵀU x = b: Uᵀy = b, then U x = y).
    private func solveDual(_ x: UnsafeMutablePointer<Double>?) {
        guard let x else { return }
        UpperCholeskyKernel.solveInPlace(factor: factorStorage, order: m, x)
    }

    func solve(damping: Double, diagonal: [Double], into step: inout [Double]) {
        let m = self.m, n = self.n
        guard m > 0 else {
            for j in 0..<n { step[j] = 0 }
            return
        }
        adopt(diagonal)
        _ = factorizeRegularized(damping: damping)
        (usingOther ? otherRightHandSide : residual).withUnsafeBufferPointer { b in
            dualWork.withUnsafeMutableBufferPointer { y in
                for i in 0..<m { y[i] = b[i] }
                solveDual(y.baseAddress)
                step.withUnsafeMutableBufferPointer { p in
                    // p = −D⁻¹ Ĵᵀ y.
                    guard let yBase = y.baseAddress, let pBase = p.baseAddress else { return }
                    VectorKernels.multiply(rowMajor: scaledJacobian, rows: m, columns: n, .transposed, yBase, into: pBase)
                    for j in 0..<n { p[j] = -p[j] / diagonal[j] }
                }
            }
        }
    }

    func inverseFactorNorm(_ v: [Double], diagonal: [Double]) -> Double {
        let m = self.m, n = self.n
        guard n > 0 else { return 0 }
        adopt(diagonal)
        let lambda = factoredDamping ?? factorizeRegularized(damping: 0)
        return primalWork.withUnsafeMutableBufferPointer { u in
            dualWork.withUnsafeMutableBufferPointer { y in
                // u = D⁻¹v, w = Ĵu, y = (K + λI)⁻¹w, r = u − Ĵᵀy.
                for j in 0..<n { u[j] = v[j] / diagonal[j] }
                guard let uBase = u.baseAddress else { return 0 }
                guard m > 0, let yBase = y.baseAddress else { return VectorKernels.euclideanNorm(uBase, count: n) / lambda.squareRoot() }
                VectorKernels.multiply(rowMajor: scaledJacobian, rows: m, columns: n, .none, uBase, into: yBase)
                solveDual(yBase)
                VectorKernels.multiply(rowMajor: scaledJacobian, rows: m, columns: n, .transposed, yBase, alpha: -1, beta: 1, into: uBase)
                let rNorm = VectorKernels.euclideanNorm(uBase, count: n)
                let yNorm = VectorKernels.euclideanNorm(yBase, count: m)
                if lambda == 0 { return rNorm == 0 ? yNorm : .infinity }
                let scaled = rNorm / lambda.squareRoot()
                return (scaled * scaled + yNorm * yNorm).squareRoot()
            }
        }
    }

    func useRightHandSide(_ rightHandSide: [Double], jacobian: Matrix) {
        for i in 0..<m { otherRightHandSide[i] = rightHandSide[i] }
        usingOther = true
    }

    func useResidual() { usingOther = false }
}
