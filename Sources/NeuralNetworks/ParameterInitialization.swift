import Jacobians
/// How initial weights are drawn (biases start at zero).
///
/// With fan-in a and fan-out b of a layer:
/// - `glorot`: uniform on ±√(6/(a+b)) (Glorot & Bengio 2010), the default for tanh/sigmoid;
/// - `he`: normal with standard deviation √(2/a) (He et al. 2015), for relu-like layers;
/// - `uniform(scale)`: uniform on ±scale.
public enum ParameterInitialization: Sendable, Equatable, Hashable {
    /// Glorot/Xavier uniform.
    case glorot
    /// He/Kaiming normal.
    case he
    /// Uniform on ±scale.
    case uniform(scale: Double)

    /// Parses a manifest name: `glorot` (alias `xavier`), `he` (alias `kaiming`),
    /// `uniform` (scale 1).
    public init?(name: String) {
        switch name {
        case "glorot", "xavier": self = .glorot
        case "he", "kaiming": self = .he
        case "uniform": self = .uniform(scale: 1)
        default: return nil
        }
    }

    /// One weight for a layer with the given fan-in and fan-out.
    public func sample(fanIn: Int, fanOut: Int, using generator: inout SeededGenerator) -> Double {
        switch self {
        case .glorot:
            let limit = (6 / Double(fanIn + fanOut)).squareRoot()
            return generator.nextUniform(in: -limit, limit)
        case .he:
            return generator.nextGaussian(standardDeviation: (2 / Double(max(fanIn, 1))).squareRoot())
        case .uniform(let scale):
            return generator.nextUniform(in: -scale, scale)
        }
    }
}
