import RealModule

/// A scalar nonlinearity applied elementwise after each layer's affine map.
///
/// Manifest names are the raw values; `gelu` is the tanh approximation
/// 0.5·z·(1 + tanh(√(2/π)·(z + 0.044715·z³))) (also accepted as `gelu-tanh`).
public enum Activation: String, CaseIterable, Sendable, Codable, Hashable {
    /// tanh z; derivative 1 − tanh² z.
    case tanh
    /// 1/(1 + e^−z); derivative σ(1 − σ).
    case sigmoid
    /// max(z, 0); derivative 1 for z > 0, else 0 (the subgradient at 0 is 0).
    case relu
    /// log(1 + e^z), evaluated stably; derivative σ(z).
    case softplus
    /// GELU, tanh approximation.
    case gelu
    /// z; derivative 1.
    case identity

    /// Parses a manifest name, accepting `gelu-tanh` and `linear` as aliases.
    public init?(name: String) {
        switch name {
        case "gelu-tanh": self = .gelu
        case "linear", "none": self = .identity
        default: self.init(rawValue: name)
        }
    }

    @usableFromInline static let geluScale = (2 / Double.pi).squareRoot()
    @usableFromInline static let geluCubic = 0.044715

    /// φ(z).
    @inlinable
    public func value(_ z: Double) -> Double {
        switch self {
        case .tanh: return Double.tanh(z)
        case .sigmoid: return 1 / (1 + Double.exp(-z))
        case .relu: return z > 0 ? z : 0
        case .softplus: return Double.log(onePlus: Double.exp(-Swift.abs(z))) + Swift.max(z, 0)
        case .gelu:
            let t = Double.tanh(Activation.geluScale * (z + Activation.geluCubic * z * z * z))
            return 0.5 * z * (1 + t)
        case .identity: return z
        }
    }

    /// φ′(z).
    @inlinable
    public func derivative(_ z: Double) -> Double {
        switch self {
        case .tanh:
            let t = Double.tanh(z)
            return 1 - t * t
        case .sigmoid:
            let s = 1 / (1 + Double.exp(-z))
            return s * (1 - s)
        case .relu: return z > 0 ? 1 : 0
        case .softplus: return 1 / (1 + Double.exp(-z))
        case .gelu:
            let t = Double.tanh(Activation.geluScale * (z + Activation.geluCubic * z * z * z))
            return 0.5 * (1 + t)
                + 0.5 * z * (1 - t * t) * Activation.geluScale * (1 + 3 * Activation.geluCubic * z * z)
        case .identity: return 1
        }
    }
}
