import LinearAlgebra

/// Parameter covariance at the solution, σ̂²(JᵀJ)⁻¹, with σ̂² = 2·cost/(m − n_free)
/// (scipy `curve_fit` with `absolute_sigma=False`, lmfit, and NIST's convention).
///
/// Computed from the thin SVD of the weighted free Jacobian J = UΣVᵀ as
/// σ̂² Σᵢ vᵢvᵢᵀ/σᵢ² — never by inverting JᵀJ, so it keeps the digits the normal equations
/// would lose. Singular values below `ε·max(m, n)·σ₁` are dropped (pseudo-inverse) and the
/// result is flagged ``isSingular``. Fixed parameters have zero variance.
public struct FitCovariance: Sendable, Codable, Equatable {
    /// n × n covariance over all parameters, as rows (rows/columns of fixed parameters are zero).
    public var matrix: [[Double]]
    /// √diag, per parameter (0 for fixed parameters).
    public var standardErrors: [Double]
    /// Correlations Cᵢⱼ/√(CᵢᵢCⱼⱼ) (0 where a variance is zero; 1 on the free diagonal).
    public var correlations: [[Double]]
    /// σ̂² = 2·cost/(m − n_free); NaN when m ≤ n_free.
    public var residualVariance: Double
    /// κ₂(J) = σ₁/σₖ of the weighted free Jacobian (∞ when singular).
    public var conditionNumber: Double
    /// Numerical rank of J.
    public var rank: Int
    /// J is rank deficient: some combination of parameters is not determined by the data.
    public var isSingular: Bool
    /// κ₂(JᵀJ) = κ₂(J)² exceeds 10¹⁰: fewer than about six significant digits of the
    /// covariance can be trusted from any normal-equations method, and standard errors
    /// of strongly correlated parameters are large.
    public var isIllConditioned: Bool

    /// Computes the covariance from the weighted free Jacobian (m × n_free, row-major).
    static func compute(
        jacobian: Matrix, cost: Double, freeIndices: [Int], parameterCount: Int,
        svd: inout ThinSingularValueDecomposition
    ) -> FitCovariance? {
        let m = jacobian.rows, n = jacobian.columns
        var columnMajor = Array(repeating: 0.0, count: m * n)
        for i in 0..<m { for j in 0..<n { columnMajor[i + j * m] = jacobian.elements[i * n + j] } }
        guard svd.factor(columnMajor: columnMajor, rows: m, columns: n) else { return nil }
        let k = svd.rank
        let rank = svd.numericalRank(relativeTolerance: Double.ulpOfOne * Double(max(m, n)))
        let variance = m > n ? 2 * cost / Double(m - n) : Double.nan
        // C = σ̂²·WᵀW with W = Σ⁻¹Vᵀ restricted to the first `rank` rows: one dsyrk
        // (O(n²·rank) flops in BLAS) instead of a scalar triple loop.
        var scaledRows = Matrix(rows: rank, columns: n)
        for i in 0..<rank {
            let s = svd.singularValues[i]
            for a in 0..<n { scaledRows[i, a] = svd.vTransposed[i + a * k] / s }
        }
        var product = Matrix(rows: n, columns: n)
        gram(scaledRows, into: &product)
        var matrix = Array(repeating: Array(repeating: 0.0, count: parameterCount), count: parameterCount)
        for a in 0..<n {
            for b in 0..<n { matrix[freeIndices[a]][freeIndices[b]] = variance * product[a, b] }
        }
        let errors = (0..<parameterCount).map { matrix[$0][$0].squareRoot() }
        var correlations = Array(repeating: Array(repeating: 0.0, count: parameterCount), count: parameterCount)
        for a in 0..<parameterCount {
            for b in 0..<parameterCount where errors[a] > 0 && errors[b] > 0 {
                correlations[a][b] = matrix[a][b] / (errors[a] * errors[b])
            }
        }
        let condition = rank < n || rank == 0 ? Double.infinity : svd.singularValues[0] / svd.singularValues[n - 1]
        return FitCovariance(
            matrix: matrix, standardErrors: errors, correlations: correlations, residualVariance: variance,
            conditionNumber: condition, rank: rank, isSingular: rank < n,
            isIllConditioned: rank < n || condition * condition > 1e10)
    }
}
