import LinearAlgebra
/// Plain gradient descent on ½‖r‖²: x ← x − η Jᵀr, with Jᵀr from one single-lane pullback
/// per iteration (never a full Jacobian).
public struct GradientDescent: LeastSquaresSolver {
    /// `gradient-descent`.
    public static let kind = "gradient-descent"

    /// Settings; manifest keys `learning-rate`, `max-iterations`, `max-evaluations`, `gtol`, `target-cost`.
    public struct Configuration: Sendable, Codable, Equatable {
        /// `learning-rate`: η.
        public var learningRate: Double = 1e-3
        /// Shared stopping rules.
        public var stopping = FirstOrderStopping()

        /// The defaults.
        public init() {}

        enum CodingKeys: String, CodingKey {
            case learningRate = "learning-rate"
            case maximumIterations = "max-iterations"
            case maximumEvaluations = "max-evaluations"
            case gtol
            case targetCost = "target-cost"
        }

        /// Decodes any subset of the keys; missing keys keep their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? 1e-3
            stopping = try FirstOrderStopping(decoding: c)
        }

        /// Encodes with the manifest keys.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(learningRate, forKey: .learningRate)
            try stopping.encode(into: &c)
        }
    }

    /// The settings.
    public var configuration: Configuration
    /// Creates the solver.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Fits `problem`.
    ///
    /// - Complexity: per iteration one residual evaluation and one single-lane pullback.
    public func fit(_ problem: LeastSquaresProblem) -> FitResult {
        let rate = configuration.learningRate
        return runFirstOrder(solver: Self.kind, problem: problem, stopping: configuration.stopping) { _, gradient, x in
            for j in 0..<x.count { x[j] -= rate * gradient[j] }
            return (rate * euclideanNorm(gradient), rate)
        }
    }
}

/// The kebab-case keys every first-order configuration shares.
protocol FirstOrderCodingKey: CodingKey {
    static var maximumIterations: Self { get }
    static var maximumEvaluations: Self { get }
    static var gtol: Self { get }
    static var targetCost: Self { get }
}

extension GradientDescent.Configuration.CodingKeys: FirstOrderCodingKey {}

extension FirstOrderStopping {
    init<Key: FirstOrderCodingKey>(decoding c: KeyedDecodingContainer<Key>) throws {
        let d = FirstOrderStopping()
        maximumIterations = try c.decodeIfPresent(Int.self, forKey: .maximumIterations) ?? d.maximumIterations
        maximumEvaluations = try c.decodeIfPresent(Int.self, forKey: .maximumEvaluations) ?? d.maximumEvaluations
        gtol = try c.decodeIfPresent(Double.self, forKey: .gtol) ?? d.gtol
        targetCost = try c.decodeIfPresent(Double.self, forKey: .targetCost)
    }

    func encode<Key: FirstOrderCodingKey>(into c: inout KeyedEncodingContainer<Key>) throws {
        try c.encode(maximumIterations, forKey: .maximumIterations)
        try c.encode(maximumEvaluations, forKey: .maximumEvaluations)
        try c.encode(gtol, forKey: .gtol)
        try c.encodeIfPresent(targetCost, forKey: .targetCost)
    }
}
