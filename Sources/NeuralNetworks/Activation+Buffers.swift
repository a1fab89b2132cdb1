import CNumericKernels
import RealModule

extension Activation {
    /// Whether φ′(z) is a function of φ(z) alone, rounded as ``apply(to:count:derivatives:)``
    /// rounds the derivatives it writes: tanh 1 − φ², sigmoid φ(1 − φ), relu φ > 0, identity 1.
    var hasDerivativeFromOutput: Bool {
        switch self {
        case .tanh, .sigmoid, .relu, .identity: return true
        case .softplus, .gelu: return false
        }
    }

    /// Multiplies `values` by φ′ taken from the outputs φ(z) (only where
    /// ``hasDerivativeFromOutput``): bit for bit the product with the derivatives
    /// ``apply(to:count:derivatives:)`` writes.
    func scaleByDerivative(_ values: UnsafeMutablePointer<Double>, outputs: UnsafePointer<Double>, count: Int) {
        switch self {
        case .identity:
            return
        case .tanh:
            jb_scale_by_tanh_derivative(values, outputs, count)
        case .sigmoid:
            for index in 0..<count {
                let s = outputs[index]
                values[index] *= s * (1 - s)
            }
        case .relu:
            for index in 0..<count { values[index] *= outputs[index] > 0 ? 1 : 0 }
        case .softplus, .gelu:
            preconditionFailure("\(self)'s derivative is not a function of its output")
        }
    }

    /// Applies φ in place to `count` values; when `derivatives` is given, also
    /// writes φ′ of the original values there. One pass, no allocation.
    @usableFromInline
    func apply(
        to values: UnsafeMutablePointer<Double>, count: Int,
        derivatives: UnsafeMutablePointer<Double>?
    ) {
        switch self {
        case .identity:
            if let derivatives { derivatives.update(repeating: 1, count: count) }
        case .tanh:
            if let derivatives {
                fastTanh(values, count: count, derivatives: derivatives)
            } else {
                fastTanh(values, count: count)
            }
        case .sigmoid:
            for index in 0..<count {
                let s = 1 / (1 + Double.exp(-values[index]))
                values[index] = s
                derivatives?[index] = s * (1 - s)
            }
        case .relu:
            for index in 0..<count {
                let z = values[index]
                values[index] = z > 0 ? z : 0
                derivatives?[index] = z > 0 ? 1 : 0
            }
        case .softplus, .gelu:
            for index in 0..<count {
                let z = values[index]
                values[index] = value(z)
                derivatives?[index] = derivative(z)
            }
        }
    }
}
