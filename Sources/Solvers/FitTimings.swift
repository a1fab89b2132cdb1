/// Wall time of a fit split by what it was spent on, in seconds.
///
/// `gramSeconds` and `factorizationSeconds` are parts of `linearSolveSeconds`; the rest of
/// it is triangular solves, condition estimates' bookkeeping and Moré's λ search.
public struct FitTimings: Sendable, Codable, Equatable {
    /// Residual evaluations r(x) (including line-search and geodesic trial points).
    public var residualSeconds: Double = 0
    /// Jacobian computations by the strategy, single-lane gradient pullbacks, and the per-sample
    /// factors of structured normal equations (one forward sweep with derivatives each).
    public var jacobianSeconds: Double = 0
    /// The Jacobian strategy's one-time preparation before its first Jacobian (`auto`'s
    /// calibration on this machine), kept apart from `jacobianSeconds` so that per-iteration
    /// figures describe the steady state.
    public var calibrationSeconds: Double = 0
    /// Factorizations and damped solves.
    public var linearSolveSeconds: Double = 0
    /// Of `linearSolveSeconds`: forming JᵀJ for the normal equations (dsyrk, mn² flops), or
    /// assembling JᵀJ and Jᵀr from a two-layer network's per-sample factors (structured).
    public var gramSeconds: Double = 0
    /// Of `linearSolveSeconds`: factorizations — Cholesky of JᵀJ + λD² (n³/3 flops each) with
    /// its condition estimate, or the QR / SVD of J and the per-λ Givens sweeps.
    public var factorizationSeconds: Double = 0
    /// Of `linearSolveSeconds`: the J·v and Jᵀ·u products of a matrix-free fit's inner solves.
    public var productSeconds: Double = 0
    /// The covariance and the convergence test at the end (their Jacobian, its SVD), once per
    /// fit: kept apart from the other parts so that they describe the iterations.
    public var covarianceSeconds: Double = 0
    /// The whole fit, including the covariance at the end.
    public var totalSeconds: Double = 0

    /// Creates zero timings.
    public init() {}

    /// Everything that is neither residual, Jacobian, calibration, Gram, factorization nor the
    /// covariance at the end: triangular solves, the λ search, the step bookkeeping, the trace.
    public var otherSeconds: Double {
        max(0, totalSeconds - residualSeconds - jacobianSeconds - calibrationSeconds - gramSeconds - factorizationSeconds - productSeconds
            - covarianceSeconds)
    }

    /// The iterations' time — the fit without the one-time calibration and the covariance at
    /// the end — over the time spent in their kernels: the Jacobians (or the structured factors),
    /// JᵀJ and the factorizations, or a matrix-free fit's products. 1 means nothing but kernels
    /// ran. Nil when no kernel time was booked.
    public var timeOverKernels: Double? {
        let kernels = jacobianSeconds + gramSeconds + factorizationSeconds + productSeconds
        guard kernels > 0 else { return nil }
        return (totalSeconds - calibrationSeconds - covarianceSeconds) / kernels
    }
}
