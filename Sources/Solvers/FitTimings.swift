/// Wall time of a fit split by what it was spent on, in seconds.
public struct FitTimings: Sendable, Codable, Equatable {
    /// Residual evaluations r(x) (including line-search and geodesic trial points).
    public var residualSeconds: Double = 0
    /// Jacobian computations by the strategy, and single-lane gradient pullbacks.
    public var jacobianSeconds: Double = 0
    /// Factorizations and damped solves.
    public var linearSolveSeconds: Double = 0
    /// The whole fit, including the covariance at the end.
    public var totalSeconds: Double = 0

    /// Creates zero timings.
    public init() {}
}
