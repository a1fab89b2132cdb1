import LinearAlgebra
import RealModule

/// `central-difference`: column j ≈ (f(x + h_j·e_j) − f(x − h_j·e_j))/(2h_j).
///
/// Step rule (``DifferenceStep``): h_j = ∛ε·max(|x_j|, τ_j) (∛ε ≈ 6.06e-6) with τ_j the
/// coordinate's typical scale, or ∛ε·|x_j| without one, made exactly representable. Error per entry ≈ h²/6·|f‴| +
/// ε|f|/h, i.e. O(ε^{2/3}): the promised relative Frobenius error is 1e-8 on maps
/// whose values and derivatives are of order one.
///
/// - Cost: 2n evaluations (f(x) itself is not needed).
public struct CentralDifference: CatalogedJacobianStrategy, TypicalScaleStepping {
    /// The relative step factor, ∛ε unless given.
    public var relativeStep: Double
    /// Typical magnitudes of the coordinates (``DifferenceStep``); nil: none (h = c·|x|). A fit
    /// sets it to |x₀| (``JacobianStrategy/withTypicalScale(_:)``) unless a manifest gave one.
    public var typicalScale: [Double]?
    /// Creates the strategy; `relativeStep` defaults to ∛ε.
    public init(relativeStep: Double? = nil, typicalScale: [Double]? = nil) {
        self.relativeStep = relativeStep ?? Double.root(Double.ulpOfOne, 3)
        self.typicalScale = typicalScale
    }

    /// 1e-8.
    public var nominalRelativeError: Double { 1e-8 }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// 2n perturbed evaluations; buffers allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var forward: [Double] = Array(repeating: 0, count: m)
        var backward: [Double] = Array(repeating: 0, count: m)
        var shifted = point
        for input in 0..<n {
            let x = point[input]
            let step = DifferenceStep.size(relative: relativeStep, at: x, typical: DifferenceStep.typical(typicalScale, input))
            shifted[input] = x + step
            map.evaluate(at: shifted, into: &forward)
            shifted[input] = x - step
            map.evaluate(at: shifted, into: &backward)
            shifted[input] = x
            jacobian.setColumn(input) { forward[$0] - backward[$0] }
            jacobian.scaleColumn(input, by: 1 / (2 * step))
        }
        return JacobianCost(forwardEvaluations: 2 * n, workspaceBytes: byteCount(2 * m + n))
    }
}

extension CentralDifference {
    /// `central-difference`, inexact, option `relative-step`.
    public static let entry = JacobianStrategyEntry(
        name: "central-difference", summary: "central differences, h = ∛ε·max(|x|, typical scale)", cost: "2n forward", isExact: false,
        options: ["relative-step", "typical-scale"])

    /// Reads `relative-step` and `typical-scale`.
    public init(options: JacobianStrategyOptions) { self.init(relativeStep: options.relativeStep, typicalScale: options.typicalScale) }

    /// 2n evaluations; workspace 8(2m + n); 2n forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount, n = shape.inputCount
        return PredictedJacobianWork(
            cost: JacobianCost(forwardEvaluations: 2 * n, workspaceBytes: JacobianShape.doubleBytes(2 * m + n)),
            forwardPassUnits: Double(2 * n), lanesOfWidestSweep: 0)
    }

    /// 2n evaluations on the table's evaluation terms.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        network.evaluations(name, 2 * Double(network.columns))
    }

    /// 2n evaluations.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        .seconds(2 * Double(map.inputCount) * calibration.evaluation)
    }
}
