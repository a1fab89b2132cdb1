/// How the residual maps of a ``CurveModel`` differentiate the user's closure, chosen by the
/// form the closure was given in. The raw value is the catalog name of the strategy that
/// computes the Jacobian that way.
public enum CurveDerivatives: String, Sendable, CaseIterable {
    /// A plain closure over `Double`: central differences with the project's scaled steps,
    /// h_j = ∛ε·max(|θ_j|, τ_j) (``CentralDifference``), relative error O(ε^{2/3}) ≈ 1e-10 on
    /// well-scaled models (promised 1e-8). Not exact.
    case centralDifference = "central-difference"
    /// A closure over `Complex<Double>`: the complex step Im f(θ + ih·v)/h with h = 1e-20, no
    /// subtraction, exact to rounding (``ComplexStep``).
    case complexStep = "complex-step"
    /// A `@differentiable(reverse)` closure: the Swift compiler's reverse mode, one pullback
    /// per sample and output, exact to rounding (``SwiftAutodiff`` over the whole residual
    /// vector, ``PerSampleGradients`` sample by sample).
    case swiftAutodiff = "swift-autodiff"

    /// Whether derivatives by this method are exact to rounding (the complex step and
    /// autodiff are; central differences are not).
    public var isExact: Bool { self != .centralDifference }
}
