import LinearAlgebra

/// The `qr` linear solver, as in MINPACK: one Householder QR with column pivoting of J per
/// Jacobian (`qrfac`, here LAPACK's blocked dgeqp3), JP = QR, then for each damping λ a
/// Givens reduction of [R; √λ DP] to triangular S (`qrsolv`). The normal equations are
/// never formed, so the step keeps the digits that κ(J)² would cost.
///
/// All buffers are allocated when the shape changes, never per Jacobian or per λ.
///
/// - Complexity: 2mn² − ⅔n³ flops per Jacobian, about ⅔n³ per λ (the Givens sweep). M < N
///   is handled by padding J with zero rows to N.
final class QRDampedSystem: DampedLeastSquaresSystem {
    var name: String { "qr" }
    private var m = 0, n = 0, ld = 0
    /// dgeqp3 output: R on and above the diagonal, reflectors below; column-major, ld × n.
    private var a = ColumnBuffer()
    /// R (upper, column-major n × n); the strict lower triangle receives Sᵀ from qrsolv.
    private var r = ColumnBuffer()
    private var reflectorScales = ColumnBuffer()
    private var pivots: [Int32] = []
    private var lapackWork = ColumnBuffer()
    private(set) var permutation: [Int] = []
    private var qtr = ColumnBuffer()
    private var qtOther = ColumnBuffer()
    private var usingOther = false
    /// ld values: the projected right-hand side, then the permuted solution.
    private var work = ColumnBuffer()
    private var sdiag = ColumnBuffer()
    private var solution = ColumnBuffer()
    private var lastDamping = 0.0
    /// Numerical rank: |R_jj| > ε·max(m, n)·|R_00|.
    private(set) var rank = 0

    private var factorClock = SectionClock()

    var isFullRank: Bool { rank == n }
    var gramSeconds: Double { 0 }
    var factorizationSeconds: Double { factorClock.seconds }

    deinit {
        for buffer in [a, r, reflectorScales, lapackWork, qtr, qtOther, work, sdiag, solution] { buffer.deallocate() }
    }

    func factor(jacobian: Matrix, residual: [Double], gradient: [Double], diagonal: [Double]) -> Bool {
        resize(rows: jacobian.rows, columns: jacobian.columns)
        let a = self.a.pointer, n = self.n, m = self.m, ld = self.ld
        jacobian.elements.withUnsafeBufferPointer { source in
            for j in 0..<n {
                for i in 0..<m { a[i + j * ld] = source[i * n + j] }
                for i in m..<ld { a[i + j * ld] = 0 }
            }
        }
        for j in 0..<ld * n where !a[j].isFinite { return false }
        for j in 0..<n { pivots[j] = 0 }
        let factored = factorClock.time {
            PivotedQRKernel.factorInPlace(
                a, rows: ld, columns: n, pivots: &pivots, reflectorScales: reflectorScales.pointer,
                work: lapackWork.pointer, workCount: lapackWork.count)
        }
        guard factored else { return false }
        for j in 0..<n { permutation[j] = Int(pivots[j]) - 1 }
        project(residual, into: qtr)
        let r = self.r.pointer
        for j in 0..<n {
            for i in 0...j { r[i + j * n] = a[i + j * ld] }
        }
        let largest = n > 0 ? abs(a[0]) : 0
        let tolerance = Double.ulpOfOne * Double(ld) * largest
        rank = 0
        while rank < n && abs(a[rank + rank * ld]) > tolerance { rank += 1 }
        usingOther = false
        for j in 0..<n where !r[j + j * n].isFinite { return false }
        return true
    }

    private func resize(rows: Int, columns: Int) {
        guard rows != m || columns != n || a.count == 0 else { return }
        m = rows
        n = columns
        ld = max(m, n)
        a.resize(max(ld * n, 1))
        r.resize(max(n * n, 1))
        reflectorScales.resize(max(n, 1))
        pivots = Array(repeating: 0, count: max(n, 1))
        permutation = Array(0..<n)
        qtr.resize(max(n, 1))
        qtOther.resize(max(n, 1))
        work.resize(max(ld, 1))
        sdiag.resize(max(n, 1))
        solution.resize(max(n, 1))
        lapackWork.resize(PivotedQRKernel.workspaceCount(rows: ld, columns: n))
    }

    /// The first n entries of Qᵀb (LAPACK dormqr on one vector).
    private func project(_ b: [Double], into result: ColumnBuffer) {
        let w = work.pointer
        b.withUnsafeBufferPointer { source in
            for i in 0..<m { w[i] = source[i] }
        }
        for i in m..<ld { w[i] = 0 }
        PivotedQRKernel.applyQTransposed(reflectors: a.pointer, rows: ld, columns: n, reflectorScales: reflectorScales.pointer, to: w)
        for j in 0..<n { result.pointer[j] = w[j] }
    }

    func useRightHandSide(_ rightHandSide: [Double], jacobian: Matrix) {
        project(rightHandSide, into: qtOther)
        usingOther = true
    }

    func useResidual() { usingOther = false }

    func solve(damping: Double, diagonal: [Double], into step: inout [Double]) {
        let qtb = usingOther ? qtOther.pointer : qtr.pointer
        let work = self.work.pointer, r = self.r.pointer, n = self.n
        lastDamping = damping
        if damping == 0 {
            for j in 0..<n { work[j] = j < rank ? qtb[j] : 0 }
            var j = rank - 1
            while j >= 0 {
                work[j] /= r[j + j * n]
                let temp = work[j]
                for i in 0..<j { work[i] -= r[i + j * n] * temp }
                j -= 1
            }
        } else {
            factorClock.time { diagonal.withUnsafeBufferPointer { givensSolve(damping: damping, diagonal: $0, qtb: qtb) } }
        }
        for j in 0..<n { step[permutation[j]] = -work[j] }
    }

    /// MINPACK `qrsolv` with D·√λ: leaves the solution (permuted) in `work`, S in the
    /// strict lower triangle of `r` and `sdiag`.
    private func givensSolve(damping: Double, diagonal: UnsafeBufferPointer<Double>, qtb: UnsafeMutablePointer<Double>) {
        let root = damping.squareRoot()
        let r = self.r.pointer, work = self.work.pointer, sdiag = self.sdiag.pointer, solution = self.solution.pointer
        let n = self.n
        for j in 0..<n {
            for i in j..<n { r[i + j * n] = r[j + i * n] }
            solution[j] = r[j + j * n]
            work[j] = qtb[j]
        }
        for j in 0..<n {
            let d = diagonal[permutation[j]] * root
            if d != 0 {
                for k in j..<n { sdiag[k] = 0 }
                sdiag[j] = d
                var qtbpj = 0.0
                for k in j..<n where sdiag[k] != 0 {
                    let rkk = r[k + k * n]
                    let cosine: Double, sine: Double
                    if abs(rkk) < abs(sdiag[k]) {
                        let cotangent = rkk / sdiag[k]
                        sine = 0.5 / (0.25 + 0.25 * cotangent * cotangent).squareRoot()
                        cosine = sine * cotangent
                    } else {
                        let tangent = sdiag[k] / rkk
                        cosine = 0.5 / (0.25 + 0.25 * tangent * tangent).squareRoot()
                        sine = cosine * tangent
                    }
                    r[k + k * n] = cosine * rkk + sine * sdiag[k]
                    let temp = cosine * work[k] + sine * qtbpj
                    qtbpj = -sine * work[k] + cosine * qtbpj
                    work[k] = temp
                    let column = r + k * n
                    for i in (k + 1)..<max(n, k + 1) {
                        let t = cosine * column[i] + sine * sdiag[i]
                        sdiag[i] = -sine * column[i] + cosine * sdiag[i]
                        column[i] = t
                    }
                }
            }
            sdiag[j] = r[j + j * n]
            r[j + j * n] = solution[j]
        }
        var nsing = n
        for j in 0..<n where sdiag[j] == 0 && nsing == n { nsing = j }
        for j in nsing..<n { work[j] = 0 }
        var j = nsing - 1
        while j >= 0 {
            var sum = 0.0
            for i in (j + 1)..<max(nsing, j + 1) { sum += r[i + j * n] * work[i] }
            work[j] = (work[j] - sum) / sdiag[j]
            j -= 1
        }
    }

    func inverseFactorNorm(_ v: [Double], diagonal: [Double]) -> Double {
        let solution = self.solution.pointer, r = self.r.pointer, sdiag = self.sdiag.pointer, n = self.n
        for j in 0..<n { solution[j] = v[permutation[j]] }
        if lastDamping == 0 {
            for j in 0..<n {
                var sum = 0.0
                for i in 0..<j { sum += r[i + j * n] * solution[i] }
                solution[j] = (solution[j] - sum) / r[j + j * n]
            }
        } else {
            for j in 0..<n {
                solution[j] /= sdiag[j]
                let temp = solution[j]
                for i in (j + 1)..<max(n, j + 1) { solution[i] -= r[i + j * n] * temp }
            }
        }
        return VectorKernels.euclideanNorm(solution, count: n)
    }
}

/// A manually managed Double buffer for the per-λ inner loops of ``QRDampedSystem`` (no
/// copy-on-write or exclusivity checks in the Givens sweep); owned and freed by that class.
struct ColumnBuffer {
    private(set) var pointer = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private(set) var count = 0

    /// Replaces the storage with `count` zeros (the old storage is freed).
    mutating func resize(_ count: Int) {
        pointer.deallocate()
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        self.count = count
    }

    /// Frees the storage.
    func deallocate() { pointer.deallocate() }
}
