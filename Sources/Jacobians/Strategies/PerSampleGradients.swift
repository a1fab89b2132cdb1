import LinearAlgebra

/// `per-sample`: for maps with per-sample structure (``PerSampleStructured``),
/// the rows of sample s are gradients of its own outputs, so one batched backward
/// sweep per output dimension d (one lane per sample) yields rows s·p + d for every s.
///
/// - Cost: p pullbacks (sweeps), each carrying one lane per sample: S·p = m lanes in total.
/// - Exact to rounding.
public struct PerSampleGradients: CatalogedJacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// Not applicable without per-sample structure.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? {
        map is any PerSampleStructured ? nil : "the model does not declare per-sample structure (PerSampleStructured)"
    }

    /// Delegates to ``PerSampleStructured/perSampleJacobian(at:into:)``.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        guard let structured = map as? any PerSampleStructured else {
            throw StrategyNotApplicable(strategy: name, reason: inapplicabilityReason(for: map) ?? "")
        }
        structured.perSampleJacobian(at: point, into: &jacobian)
        let p = structured.outputsPerSample
        return JacobianCost(pullbacks: p, cotangentLanes: structured.sampleCount * p)
    }
}

extension PerSampleGradients {
    /// `per-sample`, exact, no options.
    public static let entry = JacobianStrategyEntry(
        name: "per-sample", summary: "per-sample gradients: one batched backward sweep per output dimension", cost: "p sweeps", isExact: true)

    /// No options.
    public init(options: JacobianStrategyOptions) { self.init() }

    /// Needs per-sample structure (S and p known).
    public static func isApplicable(on shape: JacobianShape) -> Bool { shape.sampleCount != nil && shape.outputsPerSample != nil }

    /// p pullbacks carrying S·p lanes; no workspace; p·(1 + r) forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let p = shape.outputsPerSample ?? 0, samples = shape.sampleCount ?? 0
        return PredictedJacobianWork(
            cost: JacobianCost(pullbacks: p, cotangentLanes: samples * p), forwardPassUnits: Double(p) * (1 + shape.laneWork),
            lanesOfWidestSweep: 1)
    }

    /// Terms 1, p, p·U·par, p·S·P, S·P, S·H, m·n.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        let t = network.terms
        return network.microseconds(name, [1, t.p, t.p * t.perUnit, t.p * t.sp, t.sp, t.sh, t.m * t.n])
    }

    /// The measured p sweeps, when the map is per-sample structured.
    public func calibratedSeconds(from calibration: AutoCalibration, on map: any DifferentiableMap) -> CalibratedTime {
        if let perSample = calibration.perSample { return .seconds(perSample) }
        return .excluded(inapplicabilityReason(for: map) ?? "not calibrated")
    }

    /// "M … N and samples are independent: per-sample needs p sweeps".
    public func choiceReason(_ prediction: JacobianCostPrediction, on shape: JacobianShape) -> String {
        "\(shape.sizeRelation) and samples are independent: per-sample needs \(JacobianStrategyEntry.plural(prediction.cost.pullbacks, "sweep"))"
    }
}
