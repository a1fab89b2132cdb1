import Jacobians
import LinearAlgebra

/// A ``MultilayerPerceptron`` with fixed parameters as a function of its inputs
/// at P points: x = (x_1, …, x_P) ∈ R^{d·P} (point-major) ↦ (f(x_1), …, f(x_P)) ∈ R^{p·P}.
///
/// n = d·P, m = p·P; the Jacobian is block diagonal (P blocks p × d). Per-sample
/// structured: outputs of point s depend only on x_s, so each per-sample
/// gradient is zero outside its block. Also complex-evaluable and Swift-differentiable
/// (see `MultilayerPerceptronInputMap+Capabilities.swift`). For the 15→32→55 network at one point,
/// n = 15 and m = 55.
public final class MultilayerPerceptronInputMap: PerSampleStructured, PerceptronSweepMap {
    /// The network, including its fixed parameters.
    public let network: MultilayerPerceptron
    /// P, the number of input points.
    public let pointCount: Int
    let sweeps: PerceptronSweeps
    static let sweepVariables = JacobianVariables.inputs

    /// Creates the map of `network` (at its current parameters) over `pointCount` points.
    public init(network: MultilayerPerceptron, pointCount: Int = 1) {
        precondition(pointCount > 0, "at least one input point")
        self.network = network
        self.pointCount = pointCount
        sweeps = PerceptronSweeps(network: network)
        network.parameters.withBaseAddress { sweeps.setParameters($0) }
    }

    /// n = d·P.
    public var inputCount: Int { network.inputWidth * pointCount }
    /// m = p·P.
    public var outputCount: Int { network.outputWidth * pointCount }
    /// P.
    public var sampleCount: Int { pointCount }
    /// p.
    public var outputsPerSample: Int { network.outputWidth }

    func prepare(_ point: [Double], derivatives: Bool, reuse: Bool = true) {
        precondition(point.count == inputCount, "x has \(point.count) values, expected d·P = \(inputCount)")
        point.withBaseAddress { sweeps.setInputs($0, sampleCount: pointCount) }
        sweeps.forward(derivatives: derivatives, reuse: reuse)
    }

    /// f at every point: one forward sweep over all P points.
    public func evaluate(at point: [Double], into output: inout [Double]) {
        prepare(point, derivatives: false, reuse: false)
        sweeps.copyOutputs(into: &output)
    }

    /// J·V for k tangent columns: one tangent sweep with k lanes over all points.
    public func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        sweepPushforward(at: point, tangents: tangents, into: &result)
    }

    /// U·J for k cotangent rows: one adjoint sweep with k lanes over all points.
    public func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        sweepPullback(at: point, cotangents: cotangents, into: &result)
    }

    /// ∂f(x_s)_d/∂x for every point s (zero outside block s): one batched backward sweep.
    public func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        sweepPerSampleGradients(at: point, outputIndex: outputIndex, into: &result)
    }

    /// The full Jacobian: all p per-sample sweeps fused into one pass (for one point,
    /// J = D_L·W_L·…·D_1·W_1 as one product chain), written in place.
    public func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        sweepPerSampleJacobian(at: point, into: &jacobian)
    }
}
