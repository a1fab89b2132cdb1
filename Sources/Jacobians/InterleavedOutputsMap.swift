import LinearAlgebra
import Numerics

/// Several maps of the same parameters over the same samples, one output per sample each, as
/// one map with p outputs per sample: output s·p + d is output s of map d (the row order of a
/// multi-output network, so σ weights and reports read several targets alike).
///
/// How a model with one formula per target shares one fit: every strategy sees one map, and
/// its Jacobian rows interleave the components'. The components' per-sample structure and
/// complex evaluation carry over (per-sample, complex-step and the sweeps stay exact). Owns its
/// buffers (not thread-safe), like every model.
public final class InterleavedOutputsMap: DifferentiableMap, PerSampleStructured, ComplexEvaluable {
    /// The components, one per output of a sample.
    public let components: [any PerSampleStructured & ComplexEvaluable]
    private var componentOutput: [Double] = []
    private var componentComplexOutput: [Complex<Double>] = []
    private var componentBlock = Matrix(rows: 0, columns: 0)
    private var componentCotangents = Matrix(rows: 0, columns: 0)

    /// Interleaves `components`: each must have one output per sample, and all the same input
    /// and sample counts (checked; a mismatch is a precondition failure of the caller's model).
    public init(components: [any PerSampleStructured & ComplexEvaluable]) {
        precondition(!components.isEmpty, "at least one component")
        let first = components[0]
        precondition(components.allSatisfy { $0.inputCount == first.inputCount && $0.sampleCount == first.sampleCount && $0.outputsPerSample == 1 },
                     "components must share parameters and samples, one output per sample each")
        self.components = components
    }

    /// The shared parameter count.
    public var inputCount: Int { components[0].inputCount }
    /// Samples × components.
    public var outputCount: Int { sampleCount * components.count }
    /// The shared sample count.
    public var sampleCount: Int { components[0].sampleCount }
    /// One per component.
    public var outputsPerSample: Int { components.count }

    /// Every component's outputs, interleaved.
    public func evaluate(at point: [Double], into output: inout [Double]) {
        let p = components.count, samples = sampleCount
        if output.count != samples * p { output = Array(repeating: 0, count: samples * p) }
        for (d, component) in components.enumerated() {
            component.evaluate(at: point, into: &componentOutput)
            for s in 0..<samples { output[s * p + d] = componentOutput[s] }
        }
    }

    /// J·V, component by component, rows interleaved.
    public func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        let p = components.count, samples = sampleCount, k = tangents.columns
        result.reshape(rows: samples * p, columns: k)
        for (d, component) in components.enumerated() {
            component.pushforward(at: point, tangents: tangents, into: &componentBlock)
            for s in 0..<samples {
                for lane in 0..<k { result.elements[(s * p + d) * k + lane] = componentBlock.elements[s * k + lane] }
            }
        }
    }

    /// U·J: each component pulls back its own columns of U; the results add up.
    public func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        let p = components.count, samples = sampleCount, lanes = cotangents.rows, n = inputCount
        result.reshape(rows: lanes, columns: n)
        result.fill(0)
        componentCotangents.reshape(rows: lanes, columns: samples)
        for (d, component) in components.enumerated() {
            for lane in 0..<lanes {
                for s in 0..<samples { componentCotangents.elements[lane * samples + s] = cotangents.elements[lane * samples * p + s * p + d] }
            }
            component.pullback(at: point, cotangents: componentCotangents, into: &componentBlock)
            for index in 0..<(lanes * n) { result.elements[index] += componentBlock.elements[index] }
        }
    }

    /// The gradients of output `outputIndex` (component d) of every sample: the component's own.
    public func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        components[outputIndex].perSampleGradients(at: point, outputIndex: 0, into: &result)
    }

    /// Complex evaluation (complex step), interleaved.
    public func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        let p = components.count, samples = sampleCount
        if output.count != samples * p { output = Array(repeating: .zero, count: samples * p) }
        for (d, component) in components.enumerated() {
            component.evaluate(at: point, into: &componentComplexOutput)
            for s in 0..<samples { output[s * p + d] = componentComplexOutput[s] }
        }
    }
}
