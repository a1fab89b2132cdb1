import LinearAlgebra

/// The `cholesky` linear solver: the normal equations. JᵀJ (dsyrk, mn² flops) is formed
/// once per Jacobian; every damping λ asked for costs one Cholesky factorization
/// UᵀU = JᵀJ + λD² (n³/3 flops; unblocked dpotf2 up to n = 100, dpotrf above) and two triangular solves. λ = 0 is factored only when
/// asked for (Moré's search, Gauss-Newton, ``isFullRank`` before any solve, the condition
/// estimate): Nielsen damping never solves at λ = 0, so it pays one factorization per trial. The factor of the
/// most recent λ is kept, so asking for the same λ again (Moré's λ search starts from the
/// Gauss-Newton step at every trial of a Jacobian) costs only the triangular solves. The
/// gradient Jᵀr is the caller's (computed once per Jacobian). Buffers are reused: nothing is
/// allocated per Jacobian or per λ once the shape is known.
///
/// Loses about log₁₀ κ(J)² digits in the step, which is why `auto` only picks it when the
/// condition estimate of the equilibrated Gram matrix allows (see
/// ``reciprocalConditionOfScaledGram()``, one dpocon on the λ = 0 factor, no second
/// factorization).
final class CholeskyDampedSystem: DampedLeastSquaresSystem {
    var name: String { "cholesky" }
    private var n = 0
    /// JᵀJ, row-major (symmetric, both triangles).
    private(set) var gram = Matrix(rows: 0, columns: 0)
    private var gradient: [Double] = []
    private var otherGradient: [Double] = []
    private var usingOther = false
    /// Factor of the most recent solve: column-major upper U (UᵀU = JᵀJ + λD²).
    private var factorStorage: [Double] = []
    /// The λ and D that `factorStorage` holds, or nil when it holds nothing usable.
    private var factoredDamping: Double?
    private var factoredDiagonal: [Double] = []
    /// The λ = 0 factor scaled to the equilibrated Gram matrix, for dpocon.
    private var scaledFactor: [Double] = []
    private var work: [Double] = []
    private var integerWork: [Int32] = []
    private var rows = 0
    /// Whether the λ = 0 factorization of the current Gram matrix succeeded; nil until tried.
    private var gramIsPositiveDefinite: Bool?
    /// The rank evidence of the first damped factorization of the current Gram matrix (see
    /// ``isFullRank``); nil until one was tried.
    private var dampedRankEvidence: Bool?

    private var gramClock = SectionClock(), factorClock = SectionClock()
    /// The regularized λ that stands for λ = 0 when JᵀJ is singular, and the D it was found with.
    private var zeroDampingSubstitute: Double?
    private var substituteDiagonal: [Double] = []
    /// Whether ``formGram(of:)`` has formed JᵀJ of the Jacobian the next factor() receives.
    private var gramIsAhead = false
    /// The known zero pattern of a network's Jacobian, used to skip zero products in JᵀJ.
    var outputLayerGram: OutputBlockGram?

    /// Whether J has full column rank, as far as the factorizations of this Jacobian tell:
    /// m ≥ n and JᵀJ positive definite (dpotrf succeeds at λ = 0) when λ = 0 was factored;
    /// otherwise, from the first damped factor UᵀU = JᵀJ + λD², no pivot with
    /// U_jj² ≤ 2λD_j² (the Schur complements of a sum of positive semidefinite matrices add up,
    /// so such a pivot means the part of column j orthogonal to the columns before it has
    /// ‖·‖² ≤ λD_j²: rank deficient at the scale of the damping) and no failed damped
    /// factorization. Asked before any solve, it factors λ = 0 (one dpotrf).
    var isFullRank: Bool {
        guard rows >= n else { return false }
        if let definite = gramIsPositiveDefinite { return definite }
        if let evidence = dampedRankEvidence { return evidence }
        return factorize(damping: 0, diagonal: factoredDiagonal)
    }
    var gramSeconds: Double { gramClock.seconds }
    var factorizationSeconds: Double { factorClock.seconds }

    /// JᵀJ of `jacobian`, formed ahead of ``factor(jacobian:residual:gradient:diagonal:)``
    /// (which then uses it instead of forming it again).
    func formGram(of jacobian: Matrix) {
        n = jacobian.columns
        gramClock.time {
            if let structure = outputLayerGram, structure.matches(jacobian) {
                structure.gram(jacobian, into: &gram)
            } else {
                LinearAlgebra.gram(jacobian, into: &gram)
            }
        }
        gramIsAhead = true
    }

    /// ‖Jⱼ‖ = √(JᵀJ)ⱼⱼ of the Gram matrix formed last (n values into `norms`).
    func columnNorms(into norms: inout [Double]) {
        for j in 0..<n { norms[j] = max(gram[j, j], 0).squareRoot() }
    }

    /// JᵀJ of a J with n = `columns` columns that is never formed: `assemble` writes it
    /// (n × n, both triangles) straight into the Gram buffer, timed as Gram formation, ahead of
    /// ``factorFormedGram(rows:gradient:)``; `excluded` (asked after `assemble`) is how much of
    /// that time was other work, such as forming Jacobian rows. Returns whether every entry is finite and so is the
    /// diagonal's sum (the test ``factor(jacobian:residual:gradient:diagonal:)`` applies), i.e.
    /// whether factorFormedGram will accept it.
    func formGram(columns: Int, excludingSeconds excluded: () -> Double = { 0 }, by assemble: (inout Matrix) -> Void) -> Bool {
        n = columns
        gramClock.time { assemble(&gram) }
        gramClock.exclude(excluded())
        gramIsAhead = true
        var diagonalSum = 0.0
        for j in 0..<n { diagonalSum += gram[j, j] }
        return diagonalSum.isFinite && allFinite(gram.elements)
    }

    func factor(jacobian: Matrix, residual: [Double], gradient: [Double], diagonal: [Double]) -> Bool {
        if !gramIsAhead || jacobian.columns != n { formGram(of: jacobian) }
        return factorFormedGram(rows: jacobian.rows, gradient: gradient)
    }

    /// Takes the Gram matrix formed ahead (from J by ``formGram(of:)`` or assembled by
    /// ``formGram(columns:by:)``) with the right-hand side `gradient` = Jᵀr for a J of
    /// `rows` rows; false when JᵀJ has a non-finite diagonal. Factors nothing yet: each λ is
    /// factored when first solved for.
    func factorFormedGram(rows: Int, gradient: [Double]) -> Bool {
        precondition(gramIsAhead && gradient.count == n, "form JᵀJ before factoring it")
        gramIsAhead = false
        if self.gradient.count != n {
            self.gradient = Array(repeating: 0, count: n)
            otherGradient = self.gradient
            factorStorage = Array(repeating: 0, count: n * n)
            scaledFactor = factorStorage
            factoredDiagonal = self.gradient
            substituteDiagonal = self.gradient
            work = Array(repeating: 0, count: 3 * max(n, 1))
            integerWork = Array(repeating: 0, count: max(n, 1))
        }
        for j in 0..<n { self.gradient[j] = gradient[j] }
        usingOther = false
        factoredDamping = nil
        zeroDampingSubstitute = nil
        gramIsPositiveDefinite = nil
        dampedRankEvidence = nil
        self.rows = rows
        // A NaN or ∞ in J makes its column's diagonal entry Σᵢ Jᵢⱼ² non-finite.
        var diagonalSum = 0.0
        for j in 0..<n { diagonalSum += gram[j, j] }
        return diagonalSum.isFinite
    }

    /// The reciprocal 1-norm condition estimate (LAPACK dpocon) of the equilibrated Gram
    /// matrix C = S⁻¹ JᵀJ S⁻¹, S = diag(‖Jⱼ‖); 0 when JᵀJ is not positive definite. The
    /// normal equations lose about −log₁₀ of this many digits.
    ///
    /// Uses the λ = 0 factor (factored here unless already held): if UᵀU = JᵀJ then U S⁻¹ is
    /// the Cholesky factor of C, so the cost beyond that factor is O(n²) plus one dpocon.
    func reciprocalConditionOfScaledGram() -> Double {
        guard n > 0 else { return 1 }
        guard factorize(damping: 0, diagonal: factoredDiagonal) else { return 0 }
        let n = self.n
        var anorm = 0.0
        let scalesPositive = gram.elements.withUnsafeBufferPointer { g in
            factorStorage.withUnsafeBufferPointer { u in
                scaledFactor.withUnsafeMutableBufferPointer { f in
                    for j in 0..<n {
                        let sj = g[j * n + j].squareRoot()
                        guard sj > 0 else { return false }
                        var columnSum = 0.0
                        for i in 0..<n {
                            columnSum += abs(g[i * n + j]) / (sj * g[i * n + i].squareRoot())
                        }
                        anorm = max(anorm, columnSum)
                        for i in 0...j { f[i + j * n] = u[i + j * n] / sj }
                    }
                    return true
                }
            }
        }
        guard scalesPositive else { return 0 }
        let rcond = factorClock.time {
            UpperCholeskyKernel.reciprocalCondition(factor: scaledFactor, order: n, norm: anorm, work: &work, integerWork: &integerWork)
        }
        return rcond ?? 0
    }

    /// Factors JᵀJ + λD² into `factorStorage` unless it already holds that factor; false when
    /// not positive definite. Records the rank evidence of ``isFullRank``.
    private func factorize(damping: Double, diagonal: [Double]) -> Bool {
        if let held = factoredDamping, held == damping, damping == 0 || factoredDiagonal == diagonal { return true }
        if damping == 0, gramIsPositiveDefinite == false { return false }
        let n = self.n
        let positive = factorClock.time { gram.elements.withUnsafeBufferPointer { g in
            diagonal.withUnsafeBufferPointer { d in
                factorStorage.withUnsafeMutableBufferPointer { f in
                    guard let source = g.baseAddress, let target = f.baseAddress else { return n == 0 }
                    // Upper triangle only (dpotrf reads no more); the symmetric gram's row j is
                    // column j, so each column is one contiguous copy.
                    for j in 0..<n {
                        (target + j * n).update(from: source + j * n, count: j + 1)
                        target[j + j * n] += damping * d[j] * d[j]
                    }
                    return UpperCholeskyKernel.factorInPlace(target, order: n) == 0
                }
            }
        } }
        if positive {
            factoredDamping = damping
            if damping != 0 { for j in 0..<n { factoredDiagonal[j] = diagonal[j] } }
        } else {
            factoredDamping = nil
        }
        if damping == 0 {
            gramIsPositiveDefinite = positive
        } else if dampedRankEvidence == nil {
            var separated = positive
            if positive {
                for j in 0..<n {
                    let pivot = factorStorage[j + j * n]
                    if pivot * pivot <= 2 * damping * diagonal[j] * diagonal[j] { separated = false; break }
                }
            }
            dampedRankEvidence = separated
        }
        return positive
    }

    func solve(damping: Double, diagonal: [Double], into step: inout [Double]) {
        var lambda = damping
        if damping == 0, let substitute = zeroDampingSubstitute, substituteDiagonal == diagonal {
            lambda = substitute
        }
        if !factorize(damping: lambda, diagonal: diagonal) {
            // Singular normal equations: regularize just enough to factor (the rank-truncated
            // step of the QR and SVD solvers, approximately). The λ found for λ = 0 is kept,
            // so Moré's search (which restarts from λ = 0 at every trial) finds it again for free.
            var largest = 0.0
            for j in 0..<n where diagonal[j] > 0 { largest = max(largest, gram[j, j] / (diagonal[j] * diagonal[j])) }
            lambda = max(lambda, 1e-14 * max(largest, Double.leastNormalMagnitude))
            while !factorize(damping: lambda, diagonal: diagonal) && lambda.isFinite { lambda *= 100 }
            if damping == 0 {
                zeroDampingSubstitute = lambda
                for j in 0..<n { substituteDiagonal[j] = diagonal[j] }
            }
        }
        let n = self.n
        (usingOther ? otherGradient : gradient).withUnsafeBufferPointer { rhs in
            step.withUnsafeMutableBufferPointer { x in
                for j in 0..<n { x[j] = -rhs[j] }
                guard let target = x.baseAddress else { return }
                // UᵀU x = −g.
                UpperCholeskyKernel.solveInPlace(factor: factorStorage, order: n, target)
            }
        }
    }

    /// ‖J p‖² = pᵀ(JᵀJ)p from the Gram matrix formed last (2n² flops instead of the 2mn of
    /// J·p); never negative. Differs from the directly summed ‖J p‖² by rounding of order
    /// ε‖|J||p|‖². A loop over the rows (four SIMD lanes each), not dsymv: OpenBLAS threads dsymv at any n,
    /// which would make the rounding (and so the fit) depend on the thread count.
    func squaredImageNorm(_ p: [Double]) -> Double {
        let n = self.n, blocks = n / 4
        var value = 0.0
        gram.elements.withUnsafeBufferPointer { g in
            p.withUnsafeBufferPointer { v in
                guard let gBase = g.baseAddress, let vBase = v.baseAddress else { return }
                let vector = UnsafeRawPointer(vBase)
                for i in 0..<n {
                    // Four lanes per row (a fixed order, so the same bits on every machine).
                    let row = UnsafeRawPointer(gBase + i * n)
                    var lanes = SIMD4<Double>()
                    for block in 0..<blocks {
                        let offset = block * 4 * MemoryLayout<Double>.stride
                        lanes += row.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                            * vector.loadUnaligned(fromByteOffset: offset, as: SIMD4<Double>.self)
                    }
                    var sum = lanes.sum()
                    for j in (blocks * 4)..<n { sum += gBase[i * n + j] * vBase[j] }
                    value += vBase[i] * sum
                }
            }
        }
        return max(value, 0)
    }

    func inverseFactorNorm(_ v: [Double], diagonal: [Double]) -> Double {
        let n = self.n
        guard n > 0 else { return 0 }
        return v.withUnsafeBufferPointer { source in
            work.withUnsafeMutableBufferPointer { x in
                for j in 0..<n { x[j] = source[j] }
                guard let target = x.baseAddress else { return 0 }
                UpperCholeskyKernel.solveWithTransposedFactorInPlace(factor: factorStorage, order: n, target)
                return VectorKernels.euclideanNorm(target, count: n)
            }
        }
    }

    func useRightHandSide(_ rightHandSide: [Double], jacobian: Matrix) {
        multiply(jacobian, rightHandSide, transposeA: .transposed, into: &otherGradient)
        usingOther = true
    }

    func useResidual() { usingOther = false }
}
