import _Differentiation

/// A map that also has an implementation the Swift compiler can differentiate
/// (`import _Differentiation`), so the toolchain's own reverse mode can compute
/// its Jacobian independently of the hand-written sweeps (strategy `swift-autodiff`).
///
/// `differentiableOutput(at:)` must compute the same values as
/// ``DifferentiableMap/evaluate(at:into:)``.
public protocol SwiftDifferentiableMap: DifferentiableMap {
    /// f(x), differentiable with respect to `point`.
    @differentiable(reverse)
    func differentiableOutput(at point: [Double]) -> [Double]
}
