import RealModule

extension Activation {
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
