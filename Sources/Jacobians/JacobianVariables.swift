/// What a Jacobian is taken with respect to: the one name for this choice everywhere (the
/// manifest's `jacobian.with-respect-to`, `advise --with-respect-to`, the cost model's shapes
/// and the network's sweeps).
public enum JacobianVariables: String, Sendable, Codable, CaseIterable, Equatable, Hashable {
    /// The model's parameters θ (fitting): n = parameters, m = residuals (S·p for a network).
    case parameters
    /// The model's inputs x at fixed parameters (sensitivity): n = inputs (S·d), m = outputs.
    case inputs
}
