import LinearAlgebra

/// The `svd` linear solver: one thin SVD of the scaled Jacobian J D⁻¹ = UΣVᵀ per Jacobian;
/// then every damping is explicit,
///
///     D p(λ) = −Σᵢ σᵢ (uᵢᵀb)/(σᵢ² + λ) vᵢ,
///
/// and singular values below ε·max(m, n)·σ₁ are dropped from the undamped step, so a
/// rank-deficient J gives the minimum-norm Gauss-Newton step instead of a huge one.
///
/// - Complexity: O(mn²) per Jacobian (LAPACK dgesdd), O(n²) per λ.
final class SVDDampedSystem: DampedLeastSquaresSystem {
    var name: String { "svd" }
    private var m = 0, n = 0
    private var svd = ThinSingularValueDecomposition()
    private var scaled: [Double] = []
    private var projectedResidual: [Double] = []
    private var projectedOther: [Double] = []
    private var usingOther = false
    private var lastDamping = 0.0
    private var coefficients: [Double] = []
    private(set) var rank = 0

    private var factorClock = SectionClock()

    var isFullRank: Bool { rank == n }
    var gramSeconds: Double { 0 }
    var factorizationSeconds: Double { factorClock.seconds }

    func factor(jacobian: Matrix, residual: [Double], gradient: [Double], diagonal: [Double]) -> Bool {
        m = jacobian.rows
        n = jacobian.columns
        if scaled.count != m * n { scaled = Array(repeating: 0, count: m * n) }
        for j in 0..<n {
            let inverse = 1 / diagonal[j]
            for i in 0..<m { scaled[i + j * m] = jacobian.elements[i * n + j] * inverse }
        }
        guard factorClock.time({ svd.factor(columnMajor: scaled, rows: m, columns: n) }) else { return false }
        rank = svd.numericalRank(relativeTolerance: Double.ulpOfOne * Double(max(m, n)))
        svd.projectOntoLeftVectors(residual, into: &projectedResidual)
        if coefficients.count != svd.rank { coefficients = Array(repeating: 0, count: svd.rank) }
        usingOther = false
        return svd.singularValues.allSatisfy(\.isFinite)
    }

    func solve(damping: Double, diagonal: [Double], into step: inout [Double]) {
        lastDamping = damping
        let c = usingOther ? projectedOther : projectedResidual
        let k = svd.rank
        for i in 0..<k {
            let s = svd.singularValues[i]
            if damping == 0 {
                coefficients[i] = i < rank ? -c[i] / s : 0
            } else {
                coefficients[i] = -s * c[i] / (s * s + damping)
            }
        }
        for j in 0..<n {
            var sum = 0.0
            for i in 0..<k { sum += svd.vTransposed[i + j * k] * coefficients[i] }
            step[j] = sum / diagonal[j]
        }
    }

    func inverseFactorNorm(_ v: [Double], diagonal: [Double]) -> Double {
        // vᵀ(JᵀJ + λD²)⁻¹v = Σᵢ (vᵢᵀD⁻¹v)²/(σᵢ² + λ) + ‖(I − VVᵀ)D⁻¹v‖²/λ.
        let k = svd.rank
        var total = 0.0, projected = 0.0, scaledNormSquared = 0.0
        for j in 0..<n { let w = v[j] / diagonal[j]; scaledNormSquared += w * w }
        let limit = lastDamping == 0 ? rank : k
        for i in 0..<limit {
            var dot = 0.0
            for j in 0..<n { dot += svd.vTransposed[i + j * k] * v[j] / diagonal[j] }
            let s = svd.singularValues[i]
            total += dot * dot / (s * s + lastDamping)
            projected += dot * dot
        }
        if lastDamping > 0 { total += max(0, scaledNormSquared - projected) / lastDamping }
        return total.squareRoot()
    }

    func useRightHandSide(_ rightHandSide: [Double], jacobian: Matrix) {
        svd.projectOntoLeftVectors(rightHandSide, into: &projectedOther)
        usingOther = true
    }

    func useResidual() { usingOther = false }
}
