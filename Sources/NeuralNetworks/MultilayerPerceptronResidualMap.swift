import ComplexModule
import RealModule
import Jacobians
import LinearAlgebra

/// The residuals of a ``MultilayerPerceptron`` over a dataset, as a function of
/// its parameters: r(θ) ∈ R^{S·p}, row s·p + d = f(x_s; θ)_d − y_{s,d}.
///
/// n = N parameters, m = S·p residuals. Adopts every capability: per-sample
/// structure (rows of sample s depend only on x_s and θ), complex evaluation
/// (complex step) and a differentiable Swift implementation (swift-autodiff).
/// Sweeps are batched over samples and lanes with BLAS gemm and reuse one
/// workspace; the forward state is cached between calls at the same θ.
public final class MultilayerPerceptronResidualMap: PerSampleStructured, PerceptronSweepMap, ComplexEvaluable {
    /// The architecture (its own `parameters` are not used: θ is the point).
    public let network: MultilayerPerceptron
    /// S × d inputs.
    public let inputs: Matrix
    /// S × p targets.
    public let targets: Matrix
    let sweeps: PerceptronSweeps
    /// Per-worker sweeps of the parallel per-sample Jacobian, made on its first use.
    var sampleTaskSweeps: SampleTaskSweeps?
    static let sweepVariables = JacobianVariables.parameters
    private var complexCurrent: [Complex<Double>]
    private var complexNext: [Complex<Double>]

    /// Creates the residual map of `network` over `inputs` (S × d) and `targets` (S × p).
    public init(network: MultilayerPerceptron, inputs: Matrix, targets: Matrix) {
        precondition(inputs.columns == network.inputWidth, "inputs have \(inputs.columns) columns, the network expects \(network.inputWidth)")
        precondition(targets.columns == network.outputWidth, "targets have \(targets.columns) columns, the network has \(network.outputWidth) outputs")
        precondition(inputs.rows == targets.rows, "\(inputs.rows) input rows but \(targets.rows) target rows")
        self.network = network
        self.inputs = inputs
        self.targets = targets
        sweeps = PerceptronSweeps(network: network)
        let width = network.layerWidths.max() ?? 1
        complexCurrent = Array(repeating: .zero, count: width)
        complexNext = Array(repeating: .zero, count: width)
        inputs.elements.withBaseAddress { sweeps.setInputs($0, sampleCount: inputs.rows) }
    }

    /// n = N, the parameter count.
    public var inputCount: Int { network.parameterCount }
    /// m = S·p.
    public var outputCount: Int { inputs.rows * network.outputWidth }
    /// S.
    public var sampleCount: Int { inputs.rows }
    /// p.
    public var outputsPerSample: Int { network.outputWidth }
    /// Bytes held by the sweep workspace.
    public var workspaceBytes: Int { sweeps.workspaceBytes }

    func prepare(_ point: [Double], derivatives: Bool, reuse: Bool = true) {
        setParameters(point)
        sweeps.forward(derivatives: derivatives, reuse: reuse)
    }

    /// θ into the sweeps (checked against the parameter count).
    private func setParameters(_ point: [Double]) {
        precondition(point.count == inputCount, "θ has \(point.count) values, the network has \(inputCount) parameters")
        point.withBaseAddress { sweeps.setParameters($0) }
    }

    /// r(θ): one forward sweep (one gemm per layer over all samples, or for a wide network
    /// over blocks of samples on the worker threads without keeping the hidden layers:
    /// `PerceptronSweeps.forwardOutputs()`).
    public func evaluate(at point: [Double], into output: inout [Double]) {
        setParameters(point)
        sweeps.forwardOutputs()
        let count = outputCount
        if output.count != count { output = Array(repeating: 0, count: count) }
        let outputs = sweeps.outputs
        targets.elements.withBaseAddress { target in
            output.withMutableBaseAddress { out in
                for index in 0..<count { out[index] = outputs[index] - target[index] }
            }
        }
    }

    /// J·V for k tangent columns: one tangent sweep with k lanes over all samples.
    public func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        sweepPushforward(at: point, tangents: tangents, into: &result)
    }

    /// U·J for k cotangent rows: one adjoint sweep with k lanes over all samples.
    public func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        sweepPullback(at: point, cotangents: cotangents, into: &result)
    }

    /// ∂r(s, d)/∂θ for every sample: one batched backward sweep, one lane per sample.
    public func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        sweepPerSampleGradients(at: point, outputIndex: outputIndex, into: &result)
    }

    /// The full Jacobian: all p per-sample sweeps fused into one pass over S·p rows, written in place
    /// (see `PerceptronSweeps.perSampleJacobian(with:into:)`). A J of at least
    /// ``parallelJacobianValues`` values is formed in sample tasks of
    /// ``SampleTaskSweeps/taskSamples`` on the worker threads: the choice follows the size alone,
    /// never the thread count, so J has the same bits on any number of threads (a task's small
    /// forward gemm may round differently from one gemm over all samples). Smaller Jacobians are
    /// one sweep on the calling thread, where workers would cost more than they save.
    public func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        let workers = ThreadSettings.workerCount
        let values = outputCount.multipliedReportingOverflow(by: inputCount)
        guard !values.overflow, values.partialValue >= Self.parallelJacobianValues else {
            sweepPerSampleJacobian(at: point, into: &jacobian)
            return
        }
        precondition(point.count == inputCount, "θ has \(point.count) values, the network has \(inputCount) parameters")
        let tasks = sampleTaskSweeps ?? SampleTaskSweeps(network: network, workers: workers)
        sampleTaskSweeps = tasks
        jacobian.reshape(rows: outputCount, columns: inputCount)
        point.withBaseAddress { theta in
            inputs.elements.withBaseAddress { x in
                jacobian.elements.withMutableBaseAddress { rows in
                    // From this size one sweep would stream J out too: the same writer, the same bits.
                    tasks.writeRows(first: 0, count: sampleCount, theta: theta, inputs: x, into: rows, workers: workers, streaming: true)
                }
            }
        }
    }

    /// Jacobians of at least this many values (4 MB) are formed in sample tasks: the size from
    /// which one sweep streams J out as well.
    static var parallelJacobianValues: Int { PerceptronSweeps.streamingThreshold }

    /// r(θ) for complex θ, sample by sample, with complex-analytic activations.
    public func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        precondition(point.count == inputCount, "θ has \(point.count) values, the network has \(inputCount) parameters")
        let count = outputCount
        if output.count != count { output = Array(repeating: .zero, count: count) }
        let widths = network.layerWidths
        let d = network.inputWidth, p = network.outputWidth
        for sample in 0..<sampleCount {
            for input in 0..<d { complexCurrent[input] = Complex(inputs[sample, input]) }
            for layer in 0..<network.layerCount {
                let inWidth = widths[layer], outWidth = widths[layer + 1]
                let weightOffset = network.weightOffsets[layer], biasOffset = network.biasOffsets[layer]
                let activation = network.activations[layer]
                for unit in 0..<outWidth {
                    var z = point[biasOffset + unit]
                    let rowOffset = weightOffset + unit * inWidth
                    for input in 0..<inWidth { z += point[rowOffset + input] * complexCurrent[input] }
                    complexNext[unit] = activation.complexValue(z)
                }
                swap(&complexCurrent, &complexNext)
            }
            for unit in 0..<p { output[sample * p + unit] = complexCurrent[unit] - Complex(targets[sample, unit]) }
        }
    }
}
