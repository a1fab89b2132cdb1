import LinearAlgebra

/// The `qr` linear solver, as in MINPACK: one Householder QR with column pivoting of J per
/// Jacobian (`qrfac`), JP = QR, then for each damping λ a Givens reduction of
/// [R; √λ DP] to triangular S (`qrsolv`). The normal equations are never formed, so the
/// step keeps the digits that κ(J)² would cost.
///
/// - Complexity: 2mn² − ⅔n³ flops per Jacobian, O(n³) per λ. M < N is handled by padding
///   J with zero rows to N.
final class QRDampedSystem: DampedLeastSquaresSystem {
    var name: String { "qr" }
    private var m = 0, n = 0, ld = 0
    /// Householder vectors below (and on) the diagonal, R strictly above; column-major, ld × n.
    private var a: [Double] = []
    /// R (upper, column-major n × n); the strict lower triangle receives Sᵀ from qrsolv.
    private var r: [Double] = []
    private var rdiag: [Double] = []
    private var columnNorms: [Double] = []
    private var originalNorms: [Double] = []
    private(set) var permutation: [Int] = []
    private var qtr: [Double] = []
    private var qtOther: [Double] = []
    private var usingOther = false
    private var work: [Double] = []
    private var sdiag: [Double] = []
    private var solution: [Double] = []
    private var lastDamping = 0.0
    /// Numerical rank: |R_jj| > ε·max(m, n)·|R_00|.
    private(set) var rank = 0

    var isFullRank: Bool { rank == n }

    func factor(jacobian: Matrix, residual: [Double], diagonal: [Double]) -> Bool {
        resize(rows: jacobian.rows, columns: jacobian.columns)
        for j in 0..<n {
            for i in 0..<m { a[i + j * ld] = jacobian.elements[i * n + j] }
            for i in m..<ld { a[i + j * ld] = 0 }
        }
        householderWithPivoting()
        project(residual, into: &qtr)
        for j in 0..<n {
            for i in 0..<j { r[i + j * n] = a[i + j * ld] }
            r[j + j * n] = rdiag[j]
        }
        let largest = n > 0 ? abs(rdiag[0]) : 0
        let tolerance = Double.ulpOfOne * Double(ld) * largest
        rank = 0
        while rank < n && abs(rdiag[rank]) > tolerance { rank += 1 }
        usingOther = false
        return rdiag.allSatisfy(\.isFinite)
    }

    private func resize(rows: Int, columns: Int) {
        guard rows != m || columns != n || a.isEmpty else { return }
        m = rows
        n = columns
        ld = max(m, n)
        a = Array(repeating: 0, count: ld * n)
        r = Array(repeating: 0, count: n * n)
        rdiag = Array(repeating: 0, count: n)
        columnNorms = Array(repeating: 0, count: n)
        originalNorms = Array(repeating: 0, count: n)
        permutation = Array(0..<n)
        qtr = Array(repeating: 0, count: n)
        qtOther = Array(repeating: 0, count: n)
        work = Array(repeating: 0, count: max(ld, n))
        sdiag = Array(repeating: 0, count: n)
        solution = Array(repeating: 0, count: n)
    }

    private func columnNorm(_ column: Int, from first: Int) -> Double {
        var scale = 0.0, sum = 1.0
        let base = column * ld
        for i in first..<ld {
            let value = abs(a[base + i])
            if value == 0 { continue }
            if scale < value {
                sum = 1 + sum * (scale / value) * (scale / value)
                scale = value
            } else {
                sum += (value / scale) * (value / scale)
            }
        }
        return scale * sum.squareRoot()
    }

    /// MINPACK `qrfac` with pivoting on the ld × n column-major `a`.
    private func householderWithPivoting() {
        let epsilon = Double.ulpOfOne
        for j in 0..<n {
            columnNorms[j] = columnNorm(j, from: 0)
            rdiag[j] = columnNorms[j]
            originalNorms[j] = rdiag[j]
            permutation[j] = j
        }
        for j in 0..<min(ld, n) {
            var kmax = j
            for k in j..<n where rdiag[k] > rdiag[kmax] { kmax = k }
            if kmax != j {
                for i in 0..<ld { a.swapAt(i + j * ld, i + kmax * ld) }
                rdiag[kmax] = rdiag[j]
                originalNorms[kmax] = originalNorms[j]
                permutation.swapAt(j, kmax)
            }
            var ajnorm = columnNorm(j, from: j)
            if ajnorm != 0 {
                if a[j + j * ld] < 0 { ajnorm = -ajnorm }
                for i in j..<ld { a[i + j * ld] /= ajnorm }
                a[j + j * ld] += 1
                for k in (j + 1)..<max(n, j + 1) {
                    var sum = 0.0
                    for i in j..<ld { sum += a[i + j * ld] * a[i + k * ld] }
                    let temp = sum / a[j + j * ld]
                    for i in j..<ld { a[i + k * ld] -= temp * a[i + j * ld] }
                    if rdiag[k] != 0 {
                        let ratio = a[j + k * ld] / rdiag[k]
                        rdiag[k] *= max(0, 1 - ratio * ratio).squareRoot()
                        let relative = rdiag[k] / originalNorms[k]
                        if 0.05 * relative * relative <= epsilon {
                            rdiag[k] = columnNorm(k, from: j + 1)
                            originalNorms[k] = rdiag[k]
                        }
                    }
                }
            }
            rdiag[j] = -ajnorm
        }
    }

    /// The first n entries of Qᵀb.
    private func project(_ b: [Double], into result: inout [Double]) {
        for i in 0..<m { work[i] = b[i] }
        for i in m..<ld { work[i] = 0 }
        for j in 0..<n {
            let pivot = a[j + j * ld]
            if pivot == 0 { continue }
            var sum = 0.0
            for i in j..<ld { sum += a[i + j * ld] * work[i] }
            let temp = -sum / pivot
            for i in j..<ld { work[i] += a[i + j * ld] * temp }
        }
        for j in 0..<n { result[j] = work[j] }
    }

    func useRightHandSide(_ rightHandSide: [Double]) {
        project(rightHandSide, into: &qtOther)
        usingOther = true
    }

    func useResidual() { usingOther = false }

    func solve(damping: Double, diagonal: [Double], into step: inout [Double]) {
        let qtb = usingOther ? qtOther : qtr
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
            givensSolve(damping: damping, diagonal: diagonal, qtb: qtb)
        }
        for j in 0..<n { step[permutation[j]] = -work[j] }
    }

    /// MINPACK `qrsolv` with D·√λ: leaves the solution (permuted) in `work`, S in the
    /// strict lower triangle of `r` and `sdiag`.
    private func givensSolve(damping: Double, diagonal: [Double], qtb: [Double]) {
        let root = damping.squareRoot()
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
                    for i in (k + 1)..<max(n, k + 1) {
                        let t = cosine * r[i + k * n] + sine * sdiag[i]
                        sdiag[i] = -sine * r[i + k * n] + cosine * sdiag[i]
                        r[i + k * n] = t
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
        return euclideanNorm(solution)
    }

}
