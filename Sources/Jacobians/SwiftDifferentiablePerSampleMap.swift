import _Differentiation

/// A ``SwiftDifferentiableMap`` whose outputs come in samples: the p outputs of sample s
/// (rows s·p … s·p + p − 1) are a differentiable Swift function of a contiguous block of the
/// variables alone, so `swift-autodiff` takes one small `valueWithPullback` per sample and p
/// pullbacks of it instead of m pullbacks through the whole map.
///
/// `differentiableSampleOutput(_:variables:)` must compute the same values as rows
/// s·p ..< s·p + p of ``DifferentiableMap/evaluate(at:into:)`` when `variables` is
/// `point[sampleVariables(s)]`; every other column of those rows is zero.
public protocol SwiftDifferentiablePerSampleMap: SwiftDifferentiableMap {
    /// Number of samples S; `outputCount == sampleCount * outputsPerSample`.
    var sampleCount: Int { get }
    /// Outputs per sample, p.
    var outputsPerSample: Int { get }

    /// The columns of J that the outputs of `sample` can depend on: all n for a network's
    /// parameters, the sample's own d inputs for its inputs.
    func sampleVariables(_ sample: Int) -> Range<Int>

    /// The p outputs of `sample` as a function of the variables `point[sampleVariables(sample)]`,
    /// differentiable with respect to them.
    @differentiable(reverse, wrt: variables)
    func differentiableSampleOutput(_ sample: Int, variables: [Double]) -> [Double]
}

extension SwiftDifferentiablePerSampleMap {
    /// The most variables any one sample depends on (0 without samples).
    public var widestSampleVariables: Int {
        (0..<sampleCount).reduce(0) { Swift.max($0, sampleVariables($1).count) }
    }
}
