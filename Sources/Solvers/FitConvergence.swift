import LinearAlgebra

/// Whether a fit's end is a solution, tested after the solver stopped, the same way for every
/// solver (``FitRun``). A stopping test (ftol, xtol, gtol, machine precision) only says the
/// iteration stopped making progress; MINPACK's and Ceres' ftol/xtol pass on a plateau where
/// the gradient is exactly zero and a parameter is undetermined (BoxBOD from start 1: exp
/// underflows, J's b₂ column is 0). A fit is **converged** when both hold at its end:
///
/// 1. **Stationary**: the scaled gradient max_j |J_jᵀr| / (‖J_j‖·‖r‖) (the cosine between r
///    and each Jacobian column, MINPACK's gnorm) is at most ``gradientTolerance``, or the
///    residuals are at rounding level: ‖r‖ ≤ ``roundingTolerance``·‖r₀‖ with r₀ the residuals
///    at the start (zero-residual problems, where the cosine is noise);
/// 2. **Determined**: the numerical rank of the weighted free J — singular values above
///    ε·max(m, n)·σ₁, as LAPACK and numpy count them — equals the number of free parameters.
///
/// Stops by `target-cost`, limits, cancellation or failure are not converged whatever the
/// test says (the status says why they stopped).
public struct FitConvergence: Sendable, Codable, Equatable {
    /// The scaled-gradient tolerance of the stationarity test.
    public static let gradientTolerance = 1e-6
    /// ‖r‖ relative to the starting ‖r₀‖ below which the residuals are at rounding level.
    public static let roundingTolerance = 1e3 * Double.ulpOfOne

    /// Both tests hold (and the status is a convergence status).
    public var converged: Bool
    /// Why not, or which test holds ("scaled gradient 3.2e-09 ≤ 1e-06; rank 2 of 2").
    public var reason: String
    /// max_j |J_jᵀr| / (‖J_j‖·‖r‖) at the end; nil when J was not formed.
    public var scaledGradient: Double?
    /// Numerical rank of the weighted free J at the end; nil when J was not formed.
    public var rank: Int?
    /// The number of free parameters.
    public var freeParameters: Int
    /// κ₂(J) = σ₁/σ_n at the end (∞ when rank deficient); nil when J was not formed.
    public var condition: Double?

    /// The verdict from J (m × n free, weighted) and r at the end, the SVD rank and condition,
    /// and ‖r₀‖ at the start.
    static func test(jacobian: Matrix, residual: [Double], rank: Int, condition: Double, startingNorm: Double) -> FitConvergence {
        let residualNorm = residual.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var cosine = 0.0
        for j in 0..<jacobian.columns {
            if let value = columnCosine(jacobian, residual, column: j, residualNorm: residualNorm) { cosine = max(cosine, abs(value)) }
        }
        return verdict(cosine: cosine, residualNorm: residualNorm, rank: rank, columns: jacobian.columns, condition: condition, startingNorm: startingNorm)
    }

    /// The verdict from JᵀJ and Jᵀr instead of J (fits that never form J): the cosines are
    /// (Jᵀr)ⱼ / (√(JᵀJ)ⱼⱼ·‖r‖), the same numbers to rounding.
    static func test(
        gram: Matrix, gradient: [Double], residual: [Double], rank: Int, condition: Double, startingNorm: Double
    ) -> FitConvergence {
        let residualNorm = residual.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var cosine = 0.0
        for j in 0..<gram.columns where gram[j, j] > 0 && residualNorm > 0 {
            cosine = max(cosine, abs(gradient[j] / (gram[j, j].squareRoot() * residualNorm)))
        }
        return verdict(cosine: cosine, residualNorm: residualNorm, rank: rank, columns: gram.columns, condition: condition, startingNorm: startingNorm)
    }

    /// Both tests from the largest |cosine|, ‖r‖, the rank and n.
    private static func verdict(
        cosine: Double, residualNorm: Double, rank: Int, columns n: Int, condition: Double, startingNorm: Double
    ) -> FitConvergence {
        let atRounding = residualNorm <= roundingTolerance * startingNorm
        let stationary = cosine <= gradientTolerance || atRounding
        let determined = rank == n
        var parts: [String] = []
        parts.append(atRounding ? "‖r‖ at rounding level" : "scaled gradient \(short(cosine)) \(cosine <= gradientTolerance ? "≤" : ">") \(short(gradientTolerance))")
        parts.append("rank \(rank) of \(n)")
        return FitConvergence(
            converged: stationary && determined, reason: parts.joined(separator: "; "), scaledGradient: cosine, rank: rank,
            freeParameters: n, condition: condition)
    }

    static func short(_ value: Double) -> String { "\(value)" }

    /// J_jᵀr / (‖J_j‖·‖r‖) for column j of J (signed: the direction of the gradient component),
    /// nil when the column or r is zero.
    static func columnCosine(_ jacobian: Matrix, _ residual: [Double], column j: Int, residualNorm: Double) -> Double? {
        var dot = 0.0, column = 0.0
        for i in 0..<jacobian.rows {
            let value = jacobian[i, j]
            dot += value * residual[i]
            column += value * value
        }
        guard column > 0, residualNorm > 0 else { return nil }
        return dot / (column.squareRoot() * residualNorm)
    }

    /// With bounds: the parameters held on a bound (`held`, columns of the free `jacobian`) are
    /// stationary only where the gradient pushes them out of the box (the KKT sign condition);
    /// a scaled gradient component above ``gradientTolerance`` pulling one back inside fails the
    /// verdict. Appends "k on bounds" to the reason.
    mutating func checkHeldParameters(jacobian: Matrix, residual: [Double], held: [Int], bounds: [ActiveBound], names: [String]) {
        let residualNorm = residual.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var inward: [String] = []
        for (position, j) in held.enumerated() {
            guard let cosine = Self.columnCosine(jacobian, residual, column: j, residualNorm: residualNorm) else { continue }
            let pullsInside = bounds[position] == .lower ? cosine < -Self.gradientTolerance : cosine > Self.gradientTolerance
            if pullsInside { inward.append(names[position]) }
        }
        reason += "; \(held.count) on bounds"
        if !inward.isEmpty {
            converged = false
            reason += " (the gradient pulls \(inward.joined(separator: ", ")) back inside)"
        }
    }
}

extension FitConvergence {
    enum CodingKeys: String, CodingKey { case converged, reason, scaledGradient, rank, freeParameters, condition }

    /// Reads numbers or the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        converged = try c.decode(Bool.self, forKey: .converged)
        reason = try c.decode(String.self, forKey: .reason)
        scaledGradient = try c.decodeIfPresent(EncodedNumber.self, forKey: .scaledGradient)?.value
        rank = try c.decodeIfPresent(Int.self, forKey: .rank)
        freeParameters = try c.decode(Int.self, forKey: .freeParameters)
        condition = try c.decodeIfPresent(EncodedNumber.self, forKey: .condition)?.value
    }

    /// Writes a non-finite condition (rank deficient J) as the string `"Infinity"`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(converged, forKey: .converged)
        try c.encode(reason, forKey: .reason)
        try c.encodeIfPresent(scaledGradient.map(EncodedNumber.init), forKey: .scaledGradient)
        try c.encodeIfPresent(rank, forKey: .rank)
        try c.encode(freeParameters, forKey: .freeParameters)
        try c.encodeIfPresent(condition.map(EncodedNumber.init), forKey: .condition)
    }
}
