import LinearAlgebra

/// Parameter covariance at the solution, σ̂²(JᵀJ)⁻¹, with σ̂² = 2·cost/(m − n_free)
/// (scipy `curve_fit` with `absolute_sigma=False`, lmfit, and NIST's convention), or (JᵀJ)⁻¹
/// of the σ-weighted J with absolute σ (`absolute_sigma=True`, ``residualVariance`` 1).
///
/// Computed from the thin SVD of the weighted free Jacobian J = UΣVᵀ as
/// σ̂² Σᵢ vᵢvᵢᵀ/σᵢ² — never by inverting JᵀJ, so it keeps the digits the normal equations
/// would lose. Singular values below `ε·max(m, n)·σ₁` are dropped (pseudo-inverse) and the
/// result is flagged ``isSingular``; parameters with a component in J's null space are not
/// determined: their standard errors, rows and columns are NaN, never a tiny number. Fixed
/// parameters have zero variance. Encoded to JSON with non-finite numbers as the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"` (as result bundles write them).
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

    /// Squared length of a parameter's unit vector in J's null space above which the parameter
    /// is reported as not determined (standard error NaN).
    public static let nullSpaceThreshold = 1e-8

    /// Computes the covariance from the weighted free Jacobian (m × n_free, row-major).
    static func compute(
        jacobian: Matrix, cost: Double, freeIndices: [Int], parameterCount: Int, absoluteSigma: Bool = false,
        svd: inout ThinSingularValueDecomposition
    ) -> FitCovariance? {
        let m = jacobian.rows, n = jacobian.columns
        var columnMajor = Array(repeating: 0.0, count: m * n)
        for i in 0..<m { for j in 0..<n { columnMajor[i + j * m] = jacobian.elements[i * n + j] } }
        guard svd.factor(columnMajor: columnMajor, rows: m, columns: n) else { return nil }
        let k = svd.rank
        let rank = svd.numericalRank(relativeTolerance: Double.ulpOfOne * Double(max(m, n)))
        return fromSpectrum(
            singularValues: svd.singularValues, vector: { i, a in svd.vTransposed[i + a * k] }, available: k, rank: rank,
            rows: m, columns: n, cost: cost, freeIndices: freeIndices, parameterCount: parameterCount, absoluteSigma: absoluteSigma)
    }

    /// The covariance from J's singular values σ (descending) and right singular vectors
    /// (`vector(i, a)`: component a of vᵢ, for the `available` vectors), `rank` of them above
    /// the rank tolerance, for an m × n J.
    static func fromSpectrum(
        singularValues: [Double], vector: (Int, Int) -> Double, available k: Int, rank: Int, rows m: Int, columns n: Int,
        cost: Double, freeIndices: [Int], parameterCount: Int, absoluteSigma: Bool
    ) -> FitCovariance {
        // Absolute σ (curve_fit's absolute_sigma=True): (JᵀWJ)⁻¹ unscaled.
        let variance = absoluteSigma ? 1 : m > n ? 2 * cost / Double(m - n) : Double.nan
        // C = σ̂²·WᵀW with W = Σ⁻¹Vᵀ restricted to the first `rank` rows: one dsyrk
        // (O(n²·rank) flops in BLAS) instead of a scalar triple loop.
        var scaledRows = Matrix(rows: rank, columns: n)
        for i in 0..<rank {
            let s = singularValues[i]
            for a in 0..<n { scaledRows[i, a] = vector(i, a) / s }
        }
        var product = Matrix(rows: n, columns: n)
        gram(scaledRows, into: &product)
        var matrix = Array(repeating: Array(repeating: 0.0, count: parameterCount), count: parameterCount)
        for a in 0..<n {
            for b in 0..<n { matrix[freeIndices[a]][freeIndices[b]] = variance * product[a, b] }
        }
        // A parameter with a component in J's null space (vectors rank..<n) is not determined
        // by the data: its variance is infinite, not the pseudo-inverse's finite (often tiny)
        // value, so its row and column of the covariance and its standard error are NaN.
        if rank < n {
            for a in 0..<n {
                var nullWeight = 0.0
                for i in rank..<min(k, n) { nullWeight += vector(i, a) * vector(i, a) }
                if k < n || nullWeight > nullSpaceThreshold {
                    for b in 0..<parameterCount {
                        matrix[freeIndices[a]][b] = .nan
                        matrix[b][freeIndices[a]] = .nan
                    }
                }
            }
        }
        let errors = (0..<parameterCount).map { matrix[$0][$0].squareRoot() }
        var correlations = Array(repeating: Array(repeating: 0.0, count: parameterCount), count: parameterCount)
        for a in 0..<parameterCount {
            for b in 0..<parameterCount where errors[a] > 0 && errors[b] > 0 {
                correlations[a][b] = matrix[a][b] / (errors[a] * errors[b])
            }
        }
        let condition = rank < n || rank == 0 ? Double.infinity : singularValues[0] / singularValues[n - 1]
        return FitCovariance(
            matrix: matrix, standardErrors: errors, correlations: correlations, residualVariance: variance,
            conditionNumber: condition, rank: rank, isSingular: rank < n,
            isIllConditioned: rank < n || condition * condition > 1e10)
    }
}

extension FitCovariance {
    enum CodingKeys: String, CodingKey {
        case matrix, standardErrors, correlations, residualVariance, conditionNumber, rank, isSingular, isIllConditioned
    }

    /// Reads numbers or the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        matrix = try c.decode([[EncodedNumber]].self, forKey: .matrix).map { $0.map(\.value) }
        standardErrors = try c.decode([EncodedNumber].self, forKey: .standardErrors).map(\.value)
        correlations = try c.decode([[EncodedNumber]].self, forKey: .correlations).map { $0.map(\.value) }
        residualVariance = try c.decode(EncodedNumber.self, forKey: .residualVariance).value
        conditionNumber = try c.decode(EncodedNumber.self, forKey: .conditionNumber).value
        rank = try c.decode(Int.self, forKey: .rank)
        isSingular = try c.decode(Bool.self, forKey: .isSingular)
        isIllConditioned = try c.decode(Bool.self, forKey: .isIllConditioned)
    }

    /// Writes non-finite numbers as strings, so a singular fit still encodes.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(matrix.map { $0.map(EncodedNumber.init) }, forKey: .matrix)
        try c.encode(standardErrors.map(EncodedNumber.init), forKey: .standardErrors)
        try c.encode(correlations.map { $0.map(EncodedNumber.init) }, forKey: .correlations)
        try c.encode(EncodedNumber(residualVariance), forKey: .residualVariance)
        try c.encode(EncodedNumber(conditionNumber), forKey: .conditionNumber)
        try c.encode(rank, forKey: .rank)
        try c.encode(isSingular, forKey: .isSingular)
        try c.encode(isIllConditioned, forKey: .isIllConditioned)
    }
}

/// A Double that encodes NaN and ±∞ as the bundles' strings `"NaN"`, `"Infinity"`, `"-Infinity"`
/// (and also reads `"nan"`, `"inf"`, `"-inf"`).
struct EncodedNumber: Codable {
    var value: Double
    init(_ value: Double) { self.value = value }
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let number = try? c.decode(Double.self) {
            value = number
            return
        }
        switch try c.decode(String.self) {
        case "NaN", "nan": value = .nan
        case "Infinity", "inf": value = .infinity
        case "-Infinity", "-inf": value = -.infinity
        case let other:
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number, \"nan\", \"inf\" or \"-inf\", got \(other)")
        }
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if value.isFinite { try c.encode(value) } else { try c.encode(value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity") }
    }
}
