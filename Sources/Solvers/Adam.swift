import LinearAlgebra

/// Adam (Kingma & Ba 2015) on ½‖r‖²: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// x ← x − η m̂/(√v̂ + ε) with bias-corrected m̂, v̂; g = Jᵀr from one single-lane backward sweep
/// (the map's Jacobian operator when it has one, else its pullback).
public struct Adam: LeastSquaresSolver {
    /// `adam`.
    public static let kind = "adam"

    /// Settings; manifest keys `learning-rate`, `beta1`, `beta2`, `epsilon`, `max-iterations`,
    /// `max-evaluations`, `gtol`, `target-cost`.
    public struct Configuration: Sendable, Codable, Equatable, FirstOrderConfiguration {
        /// `learning-rate`: η.
        public var learningRate: Double = 1e-3
        /// `beta1`: first-moment decay.
        public var beta1: Double = 0.9
        /// `beta2`: second-moment decay.
        public var beta2: Double = 0.999
        /// `epsilon`: added to √v̂.
        public var epsilon: Double = 1e-8
        /// Shared stopping rules.
        public var stopping = FirstOrderStopping()

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey, StoppingCodingKey {
            case beta1, beta2, epsilon, gtol
            case learningRate = "learning-rate"
            case maximumIterations = "max-iterations"
            case maximumEvaluations = "max-evaluations"
            case targetCost = "target-cost"
            case maximumSeconds = "max-time"
        }

        /// Decodes any subset of the keys; missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            self.init()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try c.update(&learningRate, forKey: .learningRate)
            try c.update(&beta1, forKey: .beta1)
            try c.update(&beta2, forKey: .beta2)
            try c.update(&epsilon, forKey: .epsilon)
            try c.updateStopping(&stopping)
        }

        /// Encodes with the manifest keys.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(learningRate, forKey: .learningRate)
            try c.encode(beta1, forKey: .beta1)
            try c.encode(beta2, forKey: .beta2)
            try c.encode(epsilon, forKey: .epsilon)
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
    /// - Complexity: per iteration one residual evaluation, one single-lane backward sweep, O(n).
    public func fit(_ problem: LeastSquaresProblem) -> FitResult {
        let c = configuration
        let n = problem.freeParameters.count
        var first = Array(repeating: 0.0, count: n), second = first
        var beta1Power = 1.0, beta2Power = 1.0
        return runFirstOrder(Self.self, problem: problem, stopping: c.stopping) { _, g, x in
            beta1Power *= c.beta1
            beta2Power *= c.beta2
            let correction1 = 1 - beta1Power, correction2 = 1 - beta2Power
            var squared = 0.0
            for j in 0..<n {
                first[j] = c.beta1 * first[j] + (1 - c.beta1) * g[j]
                second[j] = c.beta2 * second[j] + (1 - c.beta2) * g[j] * g[j]
                let delta = c.learningRate * (first[j] / correction1) / ((second[j] / correction2).squareRoot() + c.epsilon)
                x[j] -= delta
                squared += delta * delta
            }
            return (squared.squareRoot(), c.learningRate)
        }
    }
}
