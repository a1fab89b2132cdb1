import Jacobians
import LinearAlgebra

/// A network residual map's J at one θ as a ``JacobianOperator``: single-lane products as
/// blocked matrix products over the whole batch (sample-major S × w blocks, one gemm per term
/// and layer), on a forward state of its own, so that evaluating trial points does not undo
/// the linearization.
///
/// - J·v: per layer T_l = (T_{l−1}·W_lᵀ + H_{l−1}·V_lᵀ + 1·v_bᵀ) ⊙ D_l, two gemms
///   S × w_l × w_{l−1} (one for the first layer).
/// - Jᵀu: Δ_L = u ⊙ D_L, then per layer ∇W_l = Δ_lᵀ·H_{l−1}, ∇b_l = 1ᵀΔ_l and
///   Δ_{l−1} = (Δ_l·W_l) ⊙ D_{l−1}, two gemms (one for the first layer).
/// - diag(JᵀW²J): per output o one backward sweep of the per-sample adjoints δ of that output
///   (weighted), then (δ_l²)ᵀ·(H_{l−1}²) for the weights and 1ᵀδ_l² for the biases, summed
///   over the outputs.
final class PerceptronJacobianOperator: JacobianOperator {
    private let sweeps: PerceptronSweeps
    private let outputWidth: Int
    private let blockA = ScratchBuffer()
    private let blockB = ScratchBuffer()
    private let squaredInputs = ScratchBuffer()

    init(map: MultilayerPerceptronResidualMap) {
        sweeps = PerceptronSweeps(network: map.network)
        outputWidth = map.network.outputWidth
        map.inputs.elements.withBaseAddress { sweeps.setInputs($0, sampleCount: map.inputs.rows) }
        let block = sweeps.sampleCount * sweeps.maximumWidth
        blockA.reserve(block)
        blockB.reserve(block)
        squaredInputs.reserve(block)
    }

    var rowCount: Int { sweeps.sampleCount * outputWidth }
    var columnCount: Int { sweeps.parameterCount }

    /// The forward sweep with derivatives at θ (skipped when θ is unchanged).
    func linearize(at point: [Double]) {
        precondition(point.count == columnCount, "θ has \(point.count) values, the network has \(columnCount) parameters")
        point.withBaseAddress { sweeps.setParameters($0) }
        sweeps.forward(derivatives: true)
    }

    /// The layer input H_{l−1} (the data for the first layer).
    private func layerInput(_ layer: Int) -> UnsafePointer<Double> {
        layer == 0 ? UnsafePointer(sweeps.inputs.pointer) : UnsafePointer(sweeps.layerOutputs[layer - 1].pointer)
    }

    /// Multiplies the S × w block by D_l of `layer` (nothing for an identity activation).
    private func scaleByDerivatives(_ block: UnsafeMutablePointer<Double>, layer: Int) {
        guard sweeps.activations[layer] != .identity else { return }
        let derivatives = sweeps.layerDerivatives[layer].pointer
        for index in 0..<(sweeps.sampleCount * sweeps.widths[layer + 1]) { block[index] *= derivatives[index] }
    }

    func apply(_ vector: [Double], into result: inout [Double]) {
        precondition(vector.count == columnCount, "v has \(vector.count) values, expected \(columnCount)")
        let samples = sweeps.sampleCount
        var current = blockA.pointer, next = blockB.pointer
        vector.withBaseAddress { v in
            for layer in 0..<sweeps.layerCount {
                let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
                let biasTangent = v + sweeps.biasOffsets[layer]
                for sample in 0..<samples { (next + sample * outWidth).update(from: biasTangent, count: outWidth) }
                gemm(
                    transposeA: false, transposeB: true, m: samples, n: outWidth, k: inWidth,
                    a: layerInput(layer), lda: inWidth, b: v + sweeps.weightOffsets[layer], ldb: inWidth,
                    beta: 1, c: next, ldc: outWidth)
                if layer > 0 {
                    gemm(
                        transposeA: false, transposeB: true, m: samples, n: outWidth, k: inWidth,
                        a: current, lda: inWidth, b: sweeps.theta.pointer + sweeps.weightOffsets[layer], ldb: inWidth,
                        beta: 1, c: next, ldc: outWidth)
                }
                scaleByDerivatives(next, layer: layer)
                swap(&current, &next)
            }
        }
        let count = rowCount
        if result.count != count { result = Array(repeating: 0, count: count) }
        let image = current
        result.withMutableBaseAddress { $0.update(from: image, count: count) }
    }

    func applyTransposed(_ vector: [Double], into result: inout [Double]) {
        precondition(vector.count == rowCount, "u has \(vector.count) values, expected \(rowCount)")
        if result.count != columnCount { result = Array(repeating: 0, count: columnCount) }
        let delta = blockA.pointer
        vector.withBaseAddress { delta.update(from: $0, count: rowCount) }
        result.withMutableBaseAddress { backward(from: delta, squared: false, into: $0, accumulate: false) }
    }

    func columnSquaredNorms(rowWeights: [Double]?, into result: inout [Double]) {
        if let rowWeights { precondition(rowWeights.count == rowCount, "\(rowWeights.count) row weights, expected \(rowCount)") }
        if result.count != columnCount { result = Array(repeating: 0, count: columnCount) }
        let samples = sweeps.sampleCount, p = outputWidth
        let delta = blockA.pointer
        result.withMutableBaseAddress { target in
            for output in 0..<p {
                // The adjoint of output o alone: the unit cotangent of row s·p + o, weighted.
                for sample in 0..<samples {
                    for unit in 0..<p {
                        let row = sample * p + unit
                        delta[row] = unit == output ? (rowWeights?[row] ?? 1) : 0
                    }
                }
                backward(from: delta, squared: true, into: target, accumulate: output > 0)
            }
        }
    }

    /// The adjoint sweep from Δ = `delta` ⊙ D_L (S × p, in block A): the parameter adjoints
    /// (Jᵀu) or, `squared`, their per-sample squares summed (diag(JᵀUᵀUJ) for one cotangent
    /// per sample), written into `target` or added to it (`accumulate`).
    private func backward(from delta: UnsafeMutablePointer<Double>, squared: Bool, into target: UnsafeMutablePointer<Double>, accumulate: Bool) {
        let samples = sweeps.sampleCount
        var current = delta, next = delta == blockA.pointer ? blockB.pointer : blockA.pointer
        let beta: Double = accumulate ? 1 : 0
        for layer in stride(from: sweeps.layerCount - 1, through: 0, by: -1) {
            let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
            scaleByDerivatives(current, layer: layer)
            if layer > 0 {
                // Δ_{l−1} before D_{l−1}, from the unsquared Δ_l.
                gemm(
                    transposeA: false, transposeB: false, m: samples, n: inWidth, k: outWidth,
                    a: current, lda: outWidth, b: sweeps.theta.pointer + sweeps.weightOffsets[layer], ldb: inWidth,
                    beta: 0, c: next, ldc: inWidth)
            }
            var input = layerInput(layer)
            if squared {
                for index in 0..<(samples * outWidth) { current[index] *= current[index] }
                let squares = squaredInputs.pointer
                for index in 0..<(samples * inWidth) { squares[index] = input[index] * input[index] }
                input = UnsafePointer(squares)
            }
            gemm(
                transposeA: true, transposeB: false, m: outWidth, n: inWidth, k: samples,
                a: current, lda: outWidth, b: input, ldb: inWidth,
                beta: beta, c: target + sweeps.weightOffsets[layer], ldc: inWidth)
            let biases = target + sweeps.biasOffsets[layer]
            if !accumulate { biases.update(repeating: 0, count: outWidth) }
            for sample in 0..<samples {
                let row = current + sample * outWidth
                for unit in 0..<outWidth { biases[unit] += row[unit] }
            }
            swap(&current, &next)
        }
    }

    /// 2·S·w_l·w_{l−1} per gemm: two per layer in each direction, one in the first layer.
    var gaussNewtonProductFlops: Double {
        var flops = 0.0
        for layer in 0..<sweeps.layerCount {
            let products = layer == 0 ? 2.0 : 4.0
            flops += products * 2 * Double(sweeps.sampleCount) * Double(sweeps.widths[layer]) * Double(sweeps.widths[layer + 1])
        }
        return flops
    }

    var workspaceBytes: Int { sweeps.workspaceBytes + blockA.byteCount + blockB.byteCount + squaredInputs.byteCount }
}

extension MultilayerPerceptronResidualMap: JacobianOperatorProviding {
    /// A ``PerceptronJacobianOperator`` over this map's network and data (its own forward state
    /// and three S × max(w) blocks).
    public func makeJacobianOperator() -> (any JacobianOperator)? { PerceptronJacobianOperator(map: self) }
}
