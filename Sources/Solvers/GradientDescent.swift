import LinearAlgebra
/// Plain gradient descent on ½‖r‖²: x ← x − η Jᵀr, with Jᵀr from one single-lane backward sweep
/// per iteration (the map's Jacobian operator when it has one, else its pullback; never a full
/// Jacobian).
public struct GradientDescent: LeastSquaresSolver {
    /// `gradient-descent`.
    public static let kind = "gradient-descent"

    /// Settings; manifest keys `learning-rate`, `max-iterations`, `max-evaluations`, `gtol`, `target-cost`.
    public struct Configuration: Sendable, Codable, Equatable, FirstOrderConfiguration {
        /// `learning-rate`: η.
        public var learningRate: Double = 1e-3
        /// Shared stopping rules.
        public var stopping = FirstOrderStopping()

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey, StoppingCodingKey {
            case learningRate = "learning-rate"
            case maximumIterations = "max-iterations"
            case maximumEvaluations = "max-evaluations"
            case gtol
            case targetCost = "target-cost"
            case maximumSeconds = "max-time"
        }

        /// Decodes any subset of the keys; missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&learningRate, forKey: .learningRate)
            try c.updateStopping(&stopping)
        }

        /// Encodes with the manifest keys.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(learningRate, forKey: .learningRate)
            try c.encodeStopping(stopping)
        }
    }

    /// The settings.
    public var configuration: Configuration
    /// `.wholeBatchSweeps`: gradients come from single-lane backward sweeps over all samples
    /// and no covariance is formed.
    public func derivativeUse(on problem: LeastSquaresProblem) -> ResidualDerivativeUse { .wholeBatchSweeps }
    /// Creates the solver.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Fits `problem`.
    ///
    /// - Complexity: per iteration one residual evaluation and one single-lane backward sweep.
    public func fit(_ problem: LeastSquaresProblem) -> FitResult {
        let rate = configuration.learningRate
        return runFirstOrder(Self.self, problem: problem, stopping: configuration.stopping) { _, gradient, x in
            for j in 0..<x.count { x[j] -= rate * gradient[j] }
            return (rate * euclideanNorm(gradient), rate)
        }
    }
}
