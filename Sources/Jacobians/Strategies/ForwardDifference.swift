import LinearAlgebra

/// `forward-difference`: column j ≈ (f(x + h_j·e_j) − f(x))/h_j.
///
/// Step rule (``DifferenceStep``): h_j = √ε·max(|x_j|, τ_j) with ε the machine epsilon
/// (√ε ≈ 1.49e-8) and τ_j the coordinate's typical scale, or √ε·|x_j| without one (as MINPACK's
/// `fdjac2`), then h_j ← (x_j + h_j) − x_j so that the step is exactly representable.
/// Error per entry ≈ h/2·|f″| (truncation) + 2ε|f|/h (rounding), i.e. O(√ε):
/// the promised relative Frobenius error is 1e-6 on maps whose values and
/// derivatives are of order one.
///
/// - Cost: n + 1 evaluations.
public struct ForwardDifference: CatalogedJacobianStrategy, TypicalScaleStepping {
    /// The relative step factor, √ε unless given.
    public var relativeStep: Double
    /// Typical magnitudes of the coordinates (``DifferenceStep``); nil: none (h = c·|x|). A fit
    /// sets it to |x₀| (``JacobianStrategy/withTypicalScale(_:)``) unless a manifest gave one.
    public var typicalScale: [Double]?
    /// Creates the strategy; `relativeStep` defaults to √ε.
    public init(relativeStep: Double? = nil, typicalScale: [Double]? = nil) {
        self.relativeStep = relativeStep ?? Double.ulpOfOne.squareRoot()
        self.typicalScale = typicalScale
    }

    /// 1e-6.
    public var nominalRelativeError: Double { 1e-6 }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// n perturbed evaluations plus f(x); buffers allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var base: [Double] = Array(repeating: 0, count: m)
        var perturbed: [Double] = Array(repeating: 0, count: m)
        var shifted = point
        map.evaluate(at: point, into: &base)
        for input in 0..<n {
            let x = point[input]
            let step = DifferenceStep.size(relative: relativeStep, at: x, typical: DifferenceStep.typical(typicalScale, input))
            shifted[input] = x + step
            map.evaluate(at: shifted, into: &perturbed)
            shifted[input] = x
            jacobian.setColumn(input) { perturbed[$0] - base[$0] }
            jacobian.scaleColumn(input, by: 1 / step)
        }
        return JacobianCost(forwardEvaluations: n + 1, workspaceBytes: byteCount(2 * m + n))
    }
}

extension ForwardDifference {
    /// `forward-difference`, inexact, option `relative-step`.
    public static let entry = JacobianStrategyEntry(
        name: "forward-difference", summary: "forward differences, h = √ε·max(|x|, typical scale)", cost: "n + 1 forward", isExact: false,
        options: ["relative-step", "typical-scale"])

    /// Reads `relative-step` and `typical-scale`.
    public init(options: JacobianStrategyOptions) { self.init(relativeStep: options.relativeStep, typicalScale: options.typicalScale) }

    /// n + 1 evaluations; workspace 8(2m + n); n + 1 forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount, n = shape.inputCount
        return PredictedJacobianWork(
            cost: JacobianCost(forwardEvaluations: n + 1, workspaceBytes: JacobianShape.doubleBytes(2 * m + n)),
            forwardPassUnits: Double(n + 1), lanesOfWidestSweep: 0)
    }

    /// n + 1 evaluations on the table's evaluation terms.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        network.evaluations(name, Double(network.columns) + 1)
    }

    /// n + 1 evaluations.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        .seconds(Double(map.inputCount + 1) * calibration.evaluation)
    }
}
