import Numerics

/// A map that can also be evaluated in complex arithmetic, so that the
/// complex-step derivative Im f(x + ih·eⱼ)/h is available (exact to rounding,
/// no subtractive cancellation). Every operation must be complex-analytic
/// (no `abs` on the real part alone, etc.).
public protocol ComplexEvaluable: DifferentiableMap {
    /// Writes f(z) into `output` (resized to m).
    func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>])
}
