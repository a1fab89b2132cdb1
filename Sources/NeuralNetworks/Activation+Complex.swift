import ComplexModule
import RealModule

extension Activation {
    /// φ(z) for complex z, complex-analytic wherever φ is smooth, so that the
    /// complex-step derivative Im φ(x + ih)/h equals φ′(x) to rounding.
    /// `relu` branches on the real part (its derivative away from 0).
    @inlinable
    public func complexValue(_ z: Complex<Double>) -> Complex<Double> {
        switch self {
        case .tanh: return Complex.tanh(z)
        case .sigmoid: return 1 / (1 + Complex.exp(-z))
        case .relu: return z.real > 0 ? z : .zero
        case .softplus:
            // log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)) with |z| taken on the real part.
            if z.real > 0 { return z + Complex.log(onePlus: Complex.exp(-z)) }
            return Complex.log(onePlus: Complex.exp(z))
        case .gelu:
            let inner = Complex(Activation.geluScale) * (z + Complex(Activation.geluCubic) * z * z * z)
            return Complex(0.5) * z * (1 + Complex.tanh(inner))
        case .identity: return z
        }
    }
}
