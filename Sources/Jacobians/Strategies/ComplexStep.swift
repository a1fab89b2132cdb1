import ComplexModule
import LinearAlgebra

/// `complex-step`: column j = Im f(x + i·h·e_j)/h for maps with complex
/// evaluation (``ComplexEvaluable``).
///
/// No difference is taken, so there is no cancellation: with h = 1e-20·max(|x_j|, 1)
/// the truncation error O(h²·|f‴|) is far below rounding and the result is exact
/// to rounding (promised relative error 1e-13).
///
/// - Cost: n complex evaluations.
public struct ComplexStep: CatalogedJacobianStrategy {
    /// h relative to max(|x_j|, 1); 1e-20 unless given.
    public var relativeStep: Double
    /// Creates the strategy.
    public init(relativeStep: Double = 1e-20) { self.relativeStep = relativeStep }
    /// 1e-13.
    public var nominalRelativeError: Double { 1e-13 }
    /// Not applicable without complex evaluation.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? {
        map is any ComplexEvaluable ? nil : "the model has no complex evaluation (ComplexEvaluable)"
    }

    /// n complex evaluations; buffers allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        guard let complexMap = map as? any ComplexEvaluable else {
            throw StrategyNotApplicable(strategy: name, reason: inapplicabilityReason(for: map) ?? "")
        }
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var shifted = point.map { Complex($0) }
        var output = [Complex<Double>](repeating: .zero, count: m)
        for input in 0..<n {
            let step = relativeStep * max(abs(point[input]), 1)
            shifted[input] = Complex(point[input], step)
            complexMap.evaluate(at: shifted, into: &output)
            shifted[input] = Complex(point[input])
            jacobian.setColumn(input) { output[$0].imaginary / step }
        }
        return JacobianCost(forwardEvaluations: n, workspaceBytes: 2 * byteCount(m + n))
    }
}

extension ComplexStep {
    /// `complex-step`, exact to rounding, option `relative-step`.
    public static let entry = JacobianStrategyEntry(
        name: "complex-step", summary: "Im f(x + ih·e_j)/h in complex arithmetic, exact to rounding", cost: "n complex forward",
        isExact: true, options: ["relative-step"])

    /// Reads `relative-step` (1e-20 unless given).
    public init(options: JacobianStrategyOptions) { self.init(relativeStep: options.relativeStep ?? 1e-20) }

    /// Needs complex evaluation.
    public static func isApplicable(on shape: JacobianShape) -> Bool { shape.hasComplexEvaluation }

    /// n complex evaluations; workspace 16(m + n); 4n forward-pass units (complex products).
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount, n = shape.inputCount
        return PredictedJacobianWork(
            cost: JacobianCost(forwardEvaluations: n, workspaceBytes: 2 * JacobianShape.doubleBytes(m + n)),
            forwardPassUnits: 4 * Double(n), lanesOfWidestSweep: 0)
    }

    /// n complex evaluations on the table's evaluation terms.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        network.evaluations(name, Double(network.columns))
    }

    /// n complex evaluations, when calibrated (skipped when its lower bound already loses to
    /// per-sample).
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        if let complex = calibration.complexEvaluation { return .seconds(Double(map.inputCount) * complex) }
        return .excluded(
            inapplicabilityReason(for: map)
                ?? AutoStrategy.complexStepLowerBoundExceedsPerSample(
                    inputCount: map.inputCount, evaluation: calibration.evaluation, perSample: calibration.perSample)
                ?? "not calibrated")
    }

    /// "M … N: complex-step needs N = n complex evaluations, exact to rounding".
    public func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String {
        "\(shape.sizeRelation): complex-step needs N = \(shape.inputCount) complex evaluations, exact to rounding"
    }
}
