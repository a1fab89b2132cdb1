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

    /// φ′(z) as the compiler's reverse-mode gradient of the branch of ``differentiableValue(_:)``
    /// that z takes. The branch is chosen here, outside the differentiated closures, so each
    /// closure is straight-line code over the toolchain's registered derivatives of `tanh`,
    /// `exp`, `log` and the operators, which the optimizer reduces to plain arithmetic; a
    /// gradient of `differentiableValue` itself would put its `switch` on the heap (one
    /// linear-map context per call).
    func differentiableSlope(_ z: Double) -> Double {
        switch self {
        case .tanh:
            return gradient(at: z) { Glibc.tanh($0) }
        case .sigmoid:
            return gradient(at: z) { 1 / (1 + exp(-$0)) }
        case .relu:
            return z > 0 ? gradient(at: z) { $0 } : gradient(at: z) { 0 * $0 }
        case .softplus:
            return z > 0 ? gradient(at: z) { $0 + log(1 + exp(-$0)) } : gradient(at: z) { log(1 + exp($0)) }
        case .gelu:
            return gradient(at: z) { z in
                let inner = Activation.geluScale * (z + Activation.geluCubic * z * z * z)
                return 0.5 * z * (1 + Glibc.tanh(inner))
            }
        case .identity:
            return gradient(at: z) { $0 }
        }
    }
}
