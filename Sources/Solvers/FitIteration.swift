/// One trial step of a solver, accepted or not: a row of `trace.csv`.
public struct FitIteration: Sendable, Codable, Equatable {
    /// Iteration counter (accepted steps so far, 0 for the starting point).
    public var iteration: Int
    /// Cost ½‖r‖² after the step if accepted, otherwise the cost that was kept.
    public var cost: Double
    /// Levenberg-Marquardt damping λ (Nielsen) or trust-region radius Δ (Moré); the step
    /// length for line-search methods; the learning rate for first-order methods.
    public var damping: Double
    /// Length of the (scaled, for LM) step tried.
    public var stepNorm: Double
    /// ‖Jᵀr‖∞ at the point the step started from.
    public var gradientNorm: Double
    /// Whether the step was taken.
    public var accepted: Bool
    /// Seconds since the fit started.
    public var elapsedSeconds: Double
    /// The inner solve of this trial (matrix-free Levenberg-Marquardt only; nil otherwise).
    public var inner: InnerSolveRecord? = nil

    /// Creates a trace row.
    public init(iteration: Int, cost: Double, damping: Double, stepNorm: Double, gradientNorm: Double, accepted: Bool, elapsedSeconds: Double) {
        self.iteration = iteration
        self.cost = cost
        self.damping = damping
        self.stepNorm = stepNorm
        self.gradientNorm = gradientNorm
        self.accepted = accepted
        self.elapsedSeconds = elapsedSeconds
    }

    /// CSV header matching ``csvRow``.
    public static let csvHeader = "iteration,cost,damping,step_norm,gradient_norm,accepted,elapsed_seconds"

    /// The row as CSV (shortest round-tripping number formatting).
    public var csvRow: String {
        "\(iteration),\(cost),\(damping),\(stepNorm),\(gradientNorm),\(accepted),\(elapsedSeconds)"
    }
}

/// One inner (Krylov) solve of a matrix-free Levenberg-Marquardt trial, as its trace row
/// records it.
public struct InnerSolveRecord: Sendable, Codable, Equatable {
    /// Inner iterations (each one J̃·v and one J̃ᵀ·u).
    public var iterations: Int
    /// Why it stopped.
    public var stop: InnerSolveStop
    /// η: the solve stopped at a residual of at most η·‖J̃ᵀr‖ (``InnerSolveStop/tolerance``).
    public var tolerance: Double

    /// Creates a record.
    public init(iterations: Int, stop: InnerSolveStop, tolerance: Double) {
        self.iterations = iterations
        self.stop = stop
        self.tolerance = tolerance
    }
}
