import Foundation
import LinearAlgebra

/// A robust loss ρ applied to each residual, defined as SciPy's `least_squares(loss=…,
/// f_scale=C)` defines it: the cost is ½·Σᵢ C²·ρ((rᵢ/C)²) with rᵢ the (σ-weighted) residual, so
/// that a fit compares number for number with SciPy's `trf`. With z = (r/C)²:
///
/// | kind | ρ(z) |
/// | --- | --- |
/// | `linear` | z (ordinary least squares; C has no effect) |
/// | `soft-l1` | 2(√(1 + z) − 1) |
/// | `huber` | z for z ≤ 1, else 2√z − 1 |
/// | `cauchy` | ln(1 + z) |
/// | `arctan` | arctan(z) |
///
/// Solvers fit it as SciPy and Ceres do (Triggs et al.'s corrector): at each linearization the
/// residuals and the Jacobian rows are rescaled so that the Gauss-Newton model of the rescaled
/// problem has the robust cost's gradient and its Hessian without the residuals' second
/// derivatives (``LossScaledLinearization``); trial points are judged by the robust cost itself.
public struct RobustLoss: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Which ρ.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// ρ(z) = z: ordinary least squares.
        case linear
        /// ρ(z) = 2(√(1 + z) − 1): a smooth ℓ₁ (SciPy `soft_l1`).
        case softL1 = "soft-l1"
        /// ρ(z) = z for z ≤ 1, 2√z − 1 beyond.
        case huber
        /// ρ(z) = ln(1 + z).
        case cauchy
        /// ρ(z) = arctan(z): bounds each residual's cost by π/2·C².
        case arctan
    }

    /// The loss.
    public var kind: Kind
    /// C > 0: residuals of magnitude well below C are fitted as in least squares; larger ones
    /// are down-weighted (SciPy's `f_scale`).
    public var scale: Double

    /// Ordinary least squares.
    public static let linear = RobustLoss(kind: .linear, scale: 1)

    /// A loss of `kind` with scale `scale` (C).
    public init(kind: Kind, scale: Double = 1) {
        self.kind = kind
        self.scale = scale
    }

    /// Whether the cost is the plain ½‖r‖² (then no rescaling happens at all).
    public var isLinear: Bool { kind == .linear }

    /// `huber (C = 0.1)`, or `linear`.
    public var description: String { isLinear ? "linear" : "\(kind.rawValue) (C = \(scale))" }

    /// Nil when usable, otherwise what is wrong.
    public var validationFailure: String? {
        scale > 0 && scale.isFinite ? nil : "loss-scale must be a positive finite number, got \(scale)"
    }

    /// ρ(z), ρ′(z) and ρ″(z) at z ≥ 0.
    public func rho(_ z: Double) -> (value: Double, first: Double, second: Double) {
        switch kind {
        case .linear:
            return (z, 1, 0)
        case .softL1:
            let t = 1 + z, root = t.squareRoot()
            return (2 * (root - 1), 1 / root, -0.5 / (t * root))
        case .huber:
            guard z > 1 else { return (z, 1, 0) }
            let root = z.squareRoot()
            return (2 * root - 1, 1 / root, -0.5 / (z * root))
        case .cauchy:
            let t = 1 + z
            return (log1p(z), 1 / t, -1 / (t * t))
        case .arctan:
            let t = 1 + z * z
            return (atan(z), 1 / t, -2 * z / (t * t))
        }
    }

    /// ½·Σᵢ C²·ρ((rᵢ/C)²); nil when it is not finite.
    public func cost(of residual: [Double]) -> Double? {
        var sum = 0.0
        if isLinear {
            for value in residual { sum += value * value }
        } else {
            let c = scale, inverse = 1 / scale
            for value in residual {
                let scaled = value * inverse
                sum += rho(scaled * scaled).value
            }
            sum *= c * c
        }
        return sum.isFinite ? 0.5 * sum : nil
    }
}

/// The rescaling that turns a robust loss into a least-squares step at one point (SciPy's
/// `scale_for_robust_loss_function`, Triggs et al. 2000): with z = (r/C)², each row i of J is
/// multiplied by wᵢ = √max(ρ′ + 2ρ″z, ε) and the residual becomes r̃ᵢ = ρ′·rᵢ/wᵢ, so J̃ᵀr̃ is
/// the gradient of the robust cost and J̃ᵀJ̃ its Gauss-Newton Hessian (positive even where ρ
/// is concave). The rescaled J̃ at the solution is also what the covariance uses.
enum LossScaledLinearization {
    /// wᵢ = √max(ρ′ + 2ρ″z, ε) and r̃ᵢ = ρ′·rᵢ/wᵢ for one residual.
    @inline(__always)
    static func weight(_ loss: RobustLoss, residual: Double) -> (weight: Double, scaledResidual: Double) {
        let scaled = residual / loss.scale, z = scaled * scaled
        let rho = loss.rho(z)
        let weight = max(rho.first + 2 * rho.second * z, Double.ulpOfOne).squareRoot()
        return (weight, residual * rho.first / weight)
    }

    /// Rescales `jacobian`'s rows in place and writes r̃ into `scaledResidual` (m values).
    static func apply(_ loss: RobustLoss, residual: [Double], jacobian: inout Matrix, scaledResidual: inout [Double]) {
        let m = residual.count, n = jacobian.columns
        if scaledResidual.count != m { scaledResidual = Array(repeating: 0, count: m) }
        jacobian.elements.withUnsafeMutableBufferPointer { elements in
            for i in 0..<m {
                let (weight, scaled) = Self.weight(loss, residual: residual[i])
                scaledResidual[i] = scaled
                for j in 0..<n { elements[i * n + j] *= weight }
            }
        }
    }

    /// r̃ alone (m values), for the stationarity test at the end.
    static func scaledResiduals(_ loss: RobustLoss, residual: [Double]) -> [Double] {
        residual.map { weight(loss, residual: $0).scaledResidual }
    }
}
