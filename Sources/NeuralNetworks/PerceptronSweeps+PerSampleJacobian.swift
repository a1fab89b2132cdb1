import CNumericKernels
import Jacobians

extension PerceptronSweeps {
    /// Writes the whole (S·p) × n Jacobian in one pass, row r = s·p + d being
    /// ∂y(s, d)/∂(variables), with row stride n (n = N, or S·d for inputs).
    /// Requires `forward(derivatives: true)`.
    ///
    /// All p output dimensions of all samples are carried together as R = S·p
    /// rows of per-row adjoints Δ_l (R × w_l), layer by layer from the top:
    /// - top layer L: Δ_L(r) = g(s, d)·e_d with g = φ_L′ (1 for identity), never stored;
    /// - Δ_{L−1}(r) = g(s, d)·W_L[d, :] ⊙ D_{L−1}(s) (no product needed);
    /// - Δ_{l−1} = (Δ_l·W_l) ⊙ D_{l−1}: one gemm R × w_l × w_{l−1} per lower layer;
    /// - for inputs, Δ_0 = Δ_1·W_1 is the row itself (for one point, J = D_L·W_L·…·D_1·W_1).
    /// Parameter rows are then written once, in order, as the outer products
    /// Δ_l(r) ⊗ H_{l−1}(s) and the bias blocks Δ_l(r); the top layer's block is
    /// zero except its row d. Exact to rounding (same products as the adjoint sweep).
    ///
    /// - Complexity: Σ_{l<L} R·w_l·w_{l−1} multiply-adds for the adjoints (for inputs
    ///   also R·w_1·d), plus R·n writes. Workspace R·Σ w_l doubles, reused.
    ///
    /// `streaming` asks for the streamed writer whatever the size (the sample tasks of a
    /// Jacobian far larger than the caches, each small itself).
    func perSampleJacobian(with variables: JacobianVariables, into rows: UnsafeMutablePointer<Double>, streaming: Bool = false) {
        let samples = sampleCount
        let p = widths[layerCount], rowCount = samples * p
        let top = layerCount - 1
        let rowLength = variables == .parameters ? parameterCount : samples * widths[0]
        // Δ_l for l = 0..<top (layer indices as in `forward`: layer l maps widths[l] → widths[l+1]),
        // then, for inputs, Δ_in (R × widths[0]).
        let inputOffset = rowCount * adjointWidthPrefix[top]
        rowAdjoints.reserve(inputOffset + (variables == .inputs ? rowCount * widths[0] : 0))
        let adjoints = rowAdjoints.pointer
        let topDerivative: UnsafePointer<Double>? =
            activations[top] == .identity ? nil : UnsafePointer(layerDerivatives[top].pointer)

        // With p ≥ 2 outputs the penultimate layer's blocks are written from factors
        // (below), so for a one-hidden-layer network no adjoint needs storing at all.
        // A Jacobian far larger than the caches is assembled row by row in a small buffer
        // and streamed out with non-temporal stores (no read-for-ownership of its lines).
        let streams = variables == .parameters && (streaming || rowCount * rowLength >= PerceptronSweeps.streamingThreshold)
        if variables == .parameters && top == 1 && !streams {
            // Two layers: every row written whole, one sample at a time, by one C kernel
            // (same products as below, no per-row memset); blocks over its stack tables fall through.
            let hiddenDerivative: UnsafePointer<Double>? =
                activations[0] == .identity ? nil : UnsafePointer(layerDerivatives[0].pointer)
            let written = jb_two_layer_rows(
                UnsafePointer(inputs.pointer), widths[0], UnsafePointer(layerOutputs[0].pointer), hiddenDerivative,
                widths[1], UnsafePointer(theta.pointer + weightOffsets[1]), p, topDerivative, samples, rows, rowLength)
            if written == 1 { return }
        }
        let factorsPenultimate = variables == .parameters && top > 0 && p >= 2 && !streams
        let plan = PerSampleRowPlan(
            samples: samples, p: p, rowCount: rowCount, top: top, rowLength: rowLength, adjoints: adjoints,
            prefix: adjointWidthPrefix, inputOffset: inputOffset, topDerivative: topDerivative, factorsPenultimate: factorsPenultimate)
        if top > 0 && !(factorsPenultimate && top == 1) { propagateRowAdjoints(plan) }
        switch variables {
        case .inputs: writeInputRows(plan, into: rows)
        case .parameters where streams: writeStreamedParameterRows(topDerivative: topDerivative, into: rows)
        case .parameters: writeParameterRows(plan, into: rows)
        }
    }

    /// Δ_{top−1}(s, d) = g(s, d)·W_top[d, :] ⊙ D_{top−1}(s), then Δ_{l−1} = (Δ_l·W_l) ⊙ D_{l−1}
    /// for the layers below, into the plan's adjoint workspace.
    func propagateRowAdjoints(_ plan: PerSampleRowPlan) {
        let samples = plan.samples, p = plan.p, rowCount = plan.rowCount, top = plan.top
        let adjoints = plan.adjoints, topDerivative = plan.topDerivative
        func offset(_ layer: Int) -> Int { plan.offset(layer) }
        // Δ_{top−1}(s, d) = g(s, d)·W_top[d, :] ⊙ D_{top−1}(s).
        let width = widths[top]
        let weights = UnsafePointer(theta.pointer + weightOffsets[top])
        let derivative: UnsafePointer<Double>? =
            activations[top - 1] == .identity ? nil : UnsafePointer(layerDerivatives[top - 1].pointer)
        let target = adjoints + offset(top - 1)
        if let derivative {
            // g(s, d)·(W_top[d, :] ⊙ D_{top−1}(s)) for all rows in one call.
            jb_factored_rows(derivative, samples, weights, p, width, topDerivative, target, width)
        } else {
            for sample in 0..<samples {
                for output in 0..<p {
                    let row = sample * p + output
                    let gain = topDerivative?[row] ?? 1
                    scaledRow(
                        weights + output * width, gain: gain, mask: derivative.map { $0 + sample * width },
                        count: width, into: target + row * width)
                }
            }
        }
        // Δ_{l−1} = (Δ_l·W_l) ⊙ D_{l−1} for the layers below.
        var layer = top - 1
        while layer > 0 {
            let inWidth = widths[layer], outWidth = widths[layer + 1]
            let source = adjoints + offset(layer), destination = adjoints + offset(layer - 1)
            gemm(
                transposeA: false, transposeB: false, m: rowCount, n: inWidth, k: outWidth,
                a: source, lda: outWidth, b: theta.pointer + weightOffsets[layer], ldb: inWidth,
                beta: 0, c: destination, ldc: inWidth)
            if activations[layer - 1] != .identity {
                let derivative = layerDerivatives[layer - 1].pointer
                for sample in 0..<samples {
                    let mask = derivative + sample * inWidth
                    for output in 0..<p {
                        let row = destination + (sample * p + output) * inWidth
                        for unit in 0..<inWidth { row[unit] *= mask[unit] }
                    }
                }
            }
            layer -= 1
        }
    }

    /// Rows with respect to the inputs: Δ_in = Δ_0·W_0 (or the top weights alone for one
    /// layer), each sample's block placed at its own columns, zero elsewhere.
    func writeInputRows(_ plan: PerSampleRowPlan, into rows: UnsafeMutablePointer<Double>) {
        let samples = plan.samples, p = plan.p, rowCount = plan.rowCount, top = plan.top, rowLength = plan.rowLength
        let adjoints = plan.adjoints, topDerivative = plan.topDerivative
        func offset(_ layer: Int) -> Int { plan.offset(layer) }
        let inputOffset = plan.inputOffset
        let inWidth = widths[0]
        let inputAdjoints = adjoints + inputOffset
        if top > 0 {
            if inWidth <= 16 {
                // Narrow inputs: rows of Δ_in stay in registers (BLAS packing would dominate).
                jb_matmul(adjoints + offset(0), rowCount, widths[1], theta.pointer, inWidth, nil, inputAdjoints)
            } else {
                gemm(
                    transposeA: false, transposeB: false, m: rowCount, n: inWidth, k: widths[1],
                    a: adjoints + offset(0), lda: widths[1], b: theta.pointer, ldb: inWidth,
                    beta: 0, c: inputAdjoints, ldc: inWidth)
            }
        } else {
            for sample in 0..<samples {
                for output in 0..<p {
                    let row = sample * p + output
                    scaledRow(
                        theta.pointer + output * inWidth, gain: topDerivative?[row] ?? 1, mask: nil,
                        count: inWidth, into: inputAdjoints + row * inWidth)
                }
            }
        }
        if samples == 1 {
            rows.update(from: inputAdjoints, count: rowCount * inWidth)
            return
        }
        for sample in 0..<samples {
            for output in 0..<p {
                let row = rows + (sample * p + output) * rowLength
                row.update(repeating: 0, count: rowLength)
                (row + sample * inWidth).update(from: inputAdjoints + (sample * p + output) * inWidth, count: inWidth)
            }
        }
    }

    /// Rows with respect to the parameters: layer by layer, each row's weight block the outer
    /// product Δ_l(r) ⊗ H_{l−1}(s) and its bias block Δ_l(r); the penultimate layer from
    /// factors when p ≥ 2; the top layer's block zero except row d.
    func writeParameterRows(_ plan: PerSampleRowPlan, into rows: UnsafeMutablePointer<Double>) {
        let samples = plan.samples, p = plan.p, top = plan.top, rowLength = plan.rowLength
        let adjoints = plan.adjoints, topDerivative = plan.topDerivative
        func offset(_ layer: Int) -> Int { plan.offset(layer) }
        let factorsPenultimate = plan.factorsPenultimate
        // Layer by layer (all per-layer values hoisted), each row's block written in place.
        for layer in 0..<top {
            if factorsPenultimate && layer == top - 1 {
                writePenultimateBlocks(topDerivative: topDerivative, into: rows)
                continue
            }
            let inWidth = widths[layer], outWidth = widths[layer + 1]
            let input = layer == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(layerOutputs[layer - 1].pointer)
            let deltas = UnsafePointer(adjoints + offset(layer))
            let weightBlock = rows + weightOffsets[layer], biasBlock = rows + biasOffsets[layer]
            for sample in 0..<samples {
                let sampleInput = input + sample * inWidth
                for output in 0..<p {
                    let rowIndex = sample * p + output
                    let delta = deltas + rowIndex * outWidth
                    outerProduct(delta, count: outWidth, sampleInput, count: inWidth, into: weightBlock + rowIndex * rowLength)
                    let bias = biasBlock + rowIndex * rowLength
                    for unit in 0..<outWidth { bias[unit] = delta[unit] }
                }
            }
        }
        // The top layer's W and b are each row's tail: zero except W[d, :] = g·H_{L−1}(s) and b[d] = g.
        let topInput = top == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(layerOutputs[top - 1].pointer)
        jb_selector_rows(topInput, samples, widths[top], p, topDerivative, rows + weightOffsets[top], rowLength)
    }
}

/// Sizes and buffers shared by the steps of one per-sample Jacobian: R = S·p rows of length
/// n, the adjoint workspace (Δ_l of layer l at R·prefix[l]), Δ_in at `inputOffset`, and the
/// top layer's activation derivative (nil for identity).
struct PerSampleRowPlan {
    let samples: Int, p: Int, rowCount: Int, top: Int, rowLength: Int
    let adjoints: UnsafeMutablePointer<Double>
    let prefix: [Int]
    let inputOffset: Int
    let topDerivative: UnsafePointer<Double>?
    let factorsPenultimate: Bool

    /// Where Δ_layer starts in the workspace.
    func offset(_ layer: Int) -> Int { rowCount * prefix[layer] }
}

extension PerceptronSweeps {
    /// Jacobians of at least this many doubles (4 MB) are streamed out row by row.
    static let streamingThreshold = 1 << 19

    /// The parameter rows of a Jacobian far larger than the caches, all written by one C kernel
    /// (`jb_streamed_parameter_rows`): each row r = (s, d) — outer products Δ_l(r) ⊗ H_{l−1}(s),
    /// biases Δ_l(r), the top layer's block zero except W[d, :] = g·H_{L−1}(s) and b[d] = g —
    /// is assembled in `rowBuffer` at the target's offset mod 64 bytes (AVX-512; 32 with AVX2) and leaves as aligned
    /// non-temporal stores, so the 33 MB of the scale case are written once, without being read.
    /// Requires Δ_l for l < top in `rowAdjoints`.
    func writeStreamedParameterRows(topDerivative: UnsafePointer<Double>?, into rows: UnsafeMutablePointer<Double>) {
        let samples = sampleCount, top = layerCount - 1
        let rowCount = samples * widths[layerCount]
        rowBuffer.reserve(parameterCount + 16)
        let buffer = rowBuffer.pointer
        let adjoints = UnsafePointer(rowAdjoints.pointer)
        withUnsafeTemporaryAllocation(of: UnsafePointer<Double>?.self, capacity: 2 * top + 1) { pointers in
            let deltas = pointers.baseAddress.map { UnsafeMutablePointer($0) }, layerInputs = deltas.map { $0 + top }
            guard let deltas, let layerInputs else { return }
            layerInputs[0] = UnsafePointer(inputs.pointer)
            for layer in 0..<top {
                deltas[layer] = adjoints + rowCount * adjointWidthPrefix[layer]
                layerInputs[layer + 1] = UnsafePointer(layerOutputs[layer].pointer)
            }
            widths.withUnsafeBufferPointer { widthPointer in
                jb_streamed_parameter_rows(
                    top, deltas, layerInputs, widthPointer.baseAddress, topDerivative, samples, buffer, rows)
            }
        }
    }
}

extension PerceptronSweeps {
    /// The penultimate layer's W and b blocks (contiguous in θ) of every row, from
    /// Δ_{L−1}(s, d) = g(s, d)·W_L[d, :] ⊙ D_{L−1}(s): the block of row (s, d) is
    /// g(s, d)·(B_d ⊙ A_s) with B_d = [W_L[d, u] repeated w_{L−2} times per unit u, W_L[d, :]]
    /// (once per call) and A_s = [vec(D_{L−1}(s) ⊗ H_{L−2}(s)), D_{L−1}(s)] (once per sample),
    /// so each of the S·p rows is one flat, vectorisable product instead of w_{L−1} short outer products.
    func writePenultimateBlocks(topDerivative: UnsafePointer<Double>?, into rows: UnsafeMutablePointer<Double>) {
        let samples = sampleCount, top = layerCount - 1, layer = top - 1
        let p = widths[layerCount]
        let rowLength = parameterCount
        let inWidth = widths[layer], outWidth = widths[layer + 1]
        let weightLength = outWidth * inWidth, blockLength = weightLength + outWidth
        penultimateFactors.reserve((p + samples) * blockLength)
        let outputFactors = penultimateFactors.pointer, sampleFactors = outputFactors + p * blockLength
        let topWeights = UnsafePointer(theta.pointer + weightOffsets[top])
        for output in 0..<p {
            let factor = outputFactors + output * blockLength, weights = topWeights + output * outWidth
            for unit in 0..<outWidth {
                let value = weights[unit]
                for index in 0..<inWidth { factor[unit * inWidth + index] = value }
                factor[weightLength + unit] = value
            }
        }
        let input = layer == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(layerOutputs[layer - 1].pointer)
        let derivative: UnsafePointer<Double>? =
            activations[layer] == .identity ? nil : UnsafePointer(layerDerivatives[layer].pointer)
        for sample in 0..<samples {
            let sampleInput = input + sample * inWidth
            let sampleFactor = sampleFactors + sample * blockLength
            if let derivative {
                let mask = derivative + sample * outWidth
                outerProduct(mask, count: outWidth, sampleInput, count: inWidth, into: sampleFactor)
                for unit in 0..<outWidth { sampleFactor[weightLength + unit] = mask[unit] }
            } else {
                for unit in 0..<outWidth {
                    for index in 0..<inWidth { sampleFactor[unit * inWidth + index] = sampleInput[index] }
                    sampleFactor[weightLength + unit] = 1
                }
            }
        }
        jb_factored_rows(sampleFactors, samples, outputFactors, p, blockLength, topDerivative, rows + weightOffsets[layer], rowLength)
    }
}

/// target[i] = gain·source[i]·mask[i] (mask 1 when nil).
@inline(__always)
private func scaledRow(
    _ source: UnsafePointer<Double>, gain: Double, mask: UnsafePointer<Double>?, count: Int,
    into target: UnsafeMutablePointer<Double>
) {
    if let mask {
        for index in 0..<count { target[index] = gain * source[index] * mask[index] }
    } else {
        for index in 0..<count { target[index] = gain * source[index] }
    }
}

/// target (rows × columns, row-major) = a ⊗ b (the C kernel, AVX2 where available).
@inline(__always)
private func outerProduct(
    _ a: UnsafePointer<Double>, count rows: Int, _ b: UnsafePointer<Double>, count columns: Int,
    into target: UnsafeMutablePointer<Double>
) {
    jb_outer_product(a, rows, b, columns, target)
}
