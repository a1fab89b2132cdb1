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
public final class MultilayerPerceptronInputMap: PerSampleStructured {
    /// The network, including its fixed parameters.
    public let network: MultilayerPerceptron
    /// P, the number of input points.
    public let pointCount: Int
    let sweeps: PerceptronSweeps

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

    private func prepare(_ point: [Double], derivatives: Bool, reuse: Bool = true) {
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
        precondition(tangents.rows == inputCount, "tangents have \(tangents.rows) rows, expected \(inputCount)")
        prepare(point, derivatives: true)
        let k = tangents.columns
        result.reshape(rows: outputCount, columns: k)
        if k == 0 { return }
        tangents.elements.withBaseAddress { v in
            result.elements.withMutableBaseAddress { out in
                sweeps.pushforward(tangents: v, laneCount: k, with: .inputs, into: out)
            }
        }
    }

    /// U·J for k cotangent rows: one adjoint sweep with k lanes over all points.
    public func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        precondition(cotangents.columns == outputCount, "cotangents have \(cotangents.columns) columns, expected \(outputCount)")
        prepare(point, derivatives: true)
        let k = cotangents.rows
        result.reshape(rows: k, columns: inputCount)
        if k == 0 { return }
        cotangents.elements.withBaseAddress { u in
            result.elements.withMutableBaseAddress { out in
                sweeps.pullback(cotangents: u, laneCount: k, with: .inputs, into: out)
            }
        }
    }

    /// ∂f(x_s)_d/∂x for every point s (zero outside block s): one batched backward sweep.
    public func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        precondition((0..<outputsPerSample).contains(outputIndex), "output index \(outputIndex) out of 0..<\(outputsPerSample)")
        prepare(point, derivatives: true)
        result.reshape(rows: sampleCount, columns: inputCount)
        result.elements.withMutableBaseAddress { rows in
            sweeps.perSampleSweep(outputIndex: outputIndex, with: .inputs, rows: rows, firstRow: 0, rowStep: 1)
        }
    }

    /// The full Jacobian: all p per-sample sweeps fused into one pass (for one point,
    /// J = D_L·W_L·…·D_1·W_1 as one product chain), written in place.
    public func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        prepare(point, derivatives: true)
        jacobian.reshape(rows: outputCount, columns: inputCount)
        jacobian.elements.withMutableBaseAddress { rows in
            sweeps.perSampleJacobian(with: .inputs, into: rows)
        }
    }
}
