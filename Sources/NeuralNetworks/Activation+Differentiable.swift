import _Differentiation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Activation {
    /// φ(z) written for the Swift compiler's reverse mode: the derivative comes
    /// from the toolchain's registered derivatives of `tanh`, `exp`, `log` and the
    /// arithmetic operators, independently of ``derivative(_:)``.
    @differentiable(reverse)
    func differentiableValue(_ z: Double) -> Double {
        switch self {
        case .tanh:
            return Glibc.tanh(z)
        case .sigmoid:
            return 1 / (1 + exp(-z))
        case .relu:
            return z > 0 ? z : 0
        case .softplus:
            if z > 0 { return z + log(1 + exp(-z)) }
            return log(1 + exp(z))
        case .gelu:
            let inner = Activation.geluScale * (z + Activation.geluCubic * z * z * z)
            return 0.5 * z * (1 + Glibc.tanh(inner))
        case .identity:
            return z
        }
    }
}
