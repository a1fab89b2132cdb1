/// One accepted iteration, as a solver reports it to ``LeastSquaresProblem/iterationObserver``:
/// enough for a progress line, nothing that costs an allocation to build.
public struct FitProgress: Sendable, Equatable {
    /// The iteration count after this step.
    public var iteration: Int
    /// ½‖r‖² at the accepted point.
    public var cost: Double
    /// Seconds since the fit started.
    public var elapsedSeconds: Double

    /// A report; see the properties.
    public init(iteration: Int, cost: Double, elapsedSeconds: Double) {
        self.iteration = iteration
        self.cost = cost
        self.elapsedSeconds = elapsedSeconds
    }
}
