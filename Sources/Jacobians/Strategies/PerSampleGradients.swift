import LinearAlgebra

/// `per-sample`: for maps with per-sample structure (``PerSampleStructured``),
/// the rows of sample s are gradients of its own outputs, so one batched backward
/// sweep per output dimension d (one lane per sample) yields rows s·p + d for every s.
///
/// - Cost: p pullbacks (sweeps), each carrying one lane per sample: S·p = m lanes in total.
/// - Exact to rounding.
public struct PerSampleGradients: JacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// `per-sample`.
    public var name: String { "per-sample" }
    /// True.
    public var isExact: Bool { true }
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
