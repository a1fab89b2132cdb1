import Jacobians
import LinearAlgebra

/// A map whose derivatives are ``PerceptronSweeps`` sweeps with respect to one set of
/// variables (the network's parameters or its inputs): the shared bodies of the
/// pushforward, pullback and per-sample sweeps of ``MultilayerPerceptronResidualMap`` and
/// ``MultilayerPerceptronInputMap``, which differ only in what the point sets before the
/// forward sweep.
protocol PerceptronSweepMap: PerSampleStructured {
    /// The sweeps and their workspace.
    var sweeps: PerceptronSweeps { get }
    /// What the point is: `.parameters` (θ) or `.inputs` (x).
    static var sweepVariables: JacobianVariables { get }
    /// Loads `point` into the sweeps and runs the forward sweep (with activation derivatives
    /// when `derivatives`; `reuse` keeps the cached state when the point has not changed).
    func prepare(_ point: [Double], derivatives: Bool, reuse: Bool)
}

extension PerceptronSweepMap {
    /// J·V for k tangent columns: one tangent sweep with k lanes over all samples.
    func sweepPushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        precondition(tangents.rows == inputCount, "tangents have \(tangents.rows) rows, expected \(inputCount)")
        prepare(point, derivatives: true, reuse: true)
        let k = tangents.columns
        result.reshape(rows: outputCount, columns: k)
        if k == 0 { return }
        tangents.elements.withBaseAddress { v in
            result.elements.withMutableBaseAddress { out in
                sweeps.pushforward(tangents: v, laneCount: k, with: Self.sweepVariables, into: out)
            }
        }
    }

    /// U·J for k cotangent rows: one adjoint sweep with k lanes over all samples.
    func sweepPullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        precondition(cotangents.columns == outputCount, "cotangents have \(cotangents.columns) columns, expected \(outputCount)")
        prepare(point, derivatives: true, reuse: true)
        let k = cotangents.rows
        result.reshape(rows: k, columns: inputCount)
        if k == 0 { return }
        cotangents.elements.withBaseAddress { u in
            result.elements.withMutableBaseAddress { out in
                sweeps.pullback(cotangents: u, laneCount: k, with: Self.sweepVariables, into: out)
            }
        }
    }

    /// The gradient of output `outputIndex` of every sample: one batched backward sweep,
    /// one lane per sample.
    func sweepPerSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        precondition((0..<outputsPerSample).contains(outputIndex), "output index \(outputIndex) out of 0..<\(outputsPerSample)")
        prepare(point, derivatives: true, reuse: true)
        result.reshape(rows: sampleCount, columns: inputCount)
        result.elements.withMutableBaseAddress { rows in
            sweeps.perSampleSweep(outputIndex: outputIndex, with: Self.sweepVariables, rows: rows, firstRow: 0, rowStep: 1)
        }
    }

    /// The full Jacobian: all p per-sample sweeps fused into one pass, written in place.
    func sweepPerSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        prepare(point, derivatives: true, reuse: true)
        jacobian.reshape(rows: outputCount, columns: inputCount)
        jacobian.elements.withMutableBaseAddress { rows in
            sweeps.perSampleJacobian(with: Self.sweepVariables, into: rows)
        }
    }
}
