import LinearAlgebra

extension FitCovariance {
    /// Eigenvalues of JᵀJ below this multiple of the largest, times n, are not resolved: the
    /// Gram matrix holds J's singular values only down to about √(ε·n)·σ₁.
    static let gramRankTolerance = Double.ulpOfOne

    /// The covariance from JᵀJ (n_free × n_free, both triangles) of an m-row weighted free J,
    /// for fits whose J is too large to form (the normal equations summed over sample blocks):
    /// JᵀJ = V diag(σᵢ²) Vᵀ (``SymmetricEigendecomposition``), then C = σ̂² Σ vᵢvᵢᵀ/σᵢ² as from the SVD of J.
    /// Squaring J loses digits: singular values below √(ε·n)·σ₁ cannot be told from rounding,
    /// so they count as rank deficiency (their parameters' errors NaN), and the condition κ₂(J)
    /// is √(λ₁/λₙ). nil when the eigensolver fails. Memory: two n × n matrices, never J.
    static func compute(
        gram: Matrix, rows m: Int, cost: Double, freeIndices: [Int], parameterCount: Int, absoluteSigma: Bool = false
    ) -> FitCovariance? {
        let n = gram.columns
        guard gram.rows == n, n > 0, let spectrum = SymmetricEigendecomposition(gram) else { return nil }
        let eigenvalues = spectrum.eigenvalues, vectors = spectrum.vectors
        // Descending: vector i is column n − 1 − i of the ascending result.
        let singularValues = eigenvalues.reversed().map { max($0, 0).squareRoot() }
        let largest = singularValues.first ?? 0
        let cutoff = (gramRankTolerance * Double(n)).squareRoot() * largest
        let rank = largest > 0 ? singularValues.prefix { $0 > cutoff }.count : 0
        return fromSpectrum(
            singularValues: singularValues, vector: { i, a in vectors[a + (n - 1 - i) * n] }, available: n, rank: rank,
            rows: m, columns: n, cost: cost, freeIndices: freeIndices, parameterCount: parameterCount, absoluteSigma: absoluteSigma)
    }
}
