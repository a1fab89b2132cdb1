import Jacobians
import LinearAlgebra

/// A network residual map's J at one θ as a ``JacobianOperator``: single-lane products as
/// blocked matrix products over the batch (sample-major S × w blocks, one gemm per term, layer
/// and block), on a forward state of its own, so that evaluating trial points does not undo
/// the linearization.
///
/// - J·v: per layer T_l = (T_{l−1}·W_lᵀ + H_{l−1}·V_lᵀ + 1·v_bᵀ) ⊙ D_l, two gemms
///   S × w_l × w_{l−1} (one for the first layer).
/// - Jᵀu: Δ_L = u ⊙ D_L, then per layer ∇W_l = Δ_lᵀ·H_{l−1}, ∇b_l = 1ᵀΔ_l and
///   Δ_{l−1} = (Δ_l·W_l) ⊙ D_{l−1}, two gemms (one for the first layer).
/// - diag(JᵀW²J): per output o one backward sweep of the per-sample adjoints δ of that output
///   (weighted), then (δ_l²)ᵀ·(H_{l−1}²) for the weights and 1ᵀδ_l² for the biases, summed
///   over the outputs. A linearization's Jᵀr and diagonal with one output share one backward
///   sweep (``applyTransposedWithColumnSquaredNorms(_:rowWeights:into:squaredNorms:)``).
///
/// D_l is taken from the layer's outputs where the activation allows it (tanh: 1 − H_l², sigmoid:
/// H_l(1 − H_l), relu: H_l > 0, identity: 1), rounded as the forward sweep rounds its stored D_l,
/// so that the products read H_l, often just read by the next gemm, instead of a second S × w_l
/// array, and the operator holds no D_l for them (softplus and gelu keep a stored D_l).
///
/// Work is split into a fixed partition that depends only on the shape, run by
/// ``ParallelTasks`` on ``ThreadSettings/workerCount`` threads, so the bits do not depend on the
/// thread count: everything per sample (the forward sweep, T_l, Δ_{l−1}) in blocks of
/// ``sampleBlock`` samples, each block through every layer; the sums over samples (∇W_l) in
/// chunks of ``unitChunk`` units of layer l times ``sumParts(samples:)`` consecutive parts of
/// the samples, one gemm each, the parts' products added in part order (the bias sums from
/// per-block partial sums added in block order). Each gemm packs its slice of H_{l−1} anew, so
/// the unit chunks are wide (H is packed once per chunk) and the parts give the threads their
/// share.
final class PerceptronJacobianOperator: JacobianOperator {
    /// Samples per task of the per-sample work.
    static let sampleBlock = 512
    /// Units (rows of W_l) per task of the sums over samples.
    static let unitChunk = 256
    /// At most this many parts of the samples per sum over samples (each part's product but the
    /// first is held apart until the parts are added, so the parts bound that memory).
    static let largestSumParts = 4
    /// The fewest samples of a part.
    static let smallestSumPart = 1024
    private let sweeps: PerceptronSweeps
    private let outputWidth: Int
    /// Per layer, whether D_l is stored (activations whose derivative is not a function of their output).
    private let storesDerivatives: [Bool]
    private let blockA = ScratchBuffer()
    private let blockB = ScratchBuffer()
    private let squaredInputs = ScratchBuffer()
    /// Per sample block, the sums of its rows of Δ_l (the bias adjoints' partial sums).
    private let blockSums = ScratchBuffer()
    /// The products ∆ᵀH_{l−1} of every sample part but the first, added in part order.
    private let partProducts = ScratchBuffer()
    private var linearizedPoint: [Double] = []

    init(map: MultilayerPerceptronResidualMap) {
        sweeps = PerceptronSweeps(network: map.network)
        outputWidth = map.network.outputWidth
        let stores = map.network.activations.map { !$0.hasDerivativeFromOutput }
        storesDerivatives = stores
        map.inputs.elements.withBaseAddress { sweeps.setInputs($0, sampleCount: map.inputs.rows) }
        // The linearization fills H_l (and D_l where it is stored) block by block, in place.
        sweeps.reserveLayerBuffers(derivatives: false)
        for layer in 0..<sweeps.layerCount where stores[layer] {
            sweeps.layerDerivatives[layer].reserve(sweeps.sampleCount * sweeps.widths[layer + 1])
        }
        let block = sweeps.sampleCount * sweeps.maximumWidth
        blockA.reserve(block)
        blockB.reserve(block)
        squaredInputs.reserve(block)
        blockSums.reserve(((sweeps.sampleCount + Self.sampleBlock - 1) / Self.sampleBlock) * sweeps.maximumWidth)
        let largestLayer = (0..<sweeps.layerCount).map { sweeps.widths[$0] * sweeps.widths[$0 + 1] }.max() ?? 0
        partProducts.reserve((Self.sumParts(samples: sweeps.sampleCount) - 1) * largestLayer)
    }

    /// The parts of `samples` samples in the sums over samples: one per ``smallestSumPart``
    /// samples, at least 1 and at most ``largestSumParts``.
    static func sumParts(samples: Int) -> Int { min(largestSumParts, max(1, samples / smallestSumPart)) }

    /// Part `part` of the samples in `parts` consecutive parts of nearly equal size.
    static func samples(ofPart part: Int, parts: Int, samples: Int) -> Range<Int> {
        (part * samples / parts)..<((part + 1) * samples / parts)
    }

    var rowCount: Int { sweeps.sampleCount * outputWidth }
    var columnCount: Int { sweeps.parameterCount }

    /// The sample blocks' count and the samples of block `block`.
    private var sampleBlockCount: Int { (sweeps.sampleCount + Self.sampleBlock - 1) / Self.sampleBlock }
    private func samples(of block: Int) -> Range<Int> {
        (block * Self.sampleBlock)..<min(sweeps.sampleCount, (block + 1) * Self.sampleBlock)
    }

    /// The forward sweep with derivatives at θ, per sample block (skipped when θ is unchanged).
    func linearize(at point: [Double]) {
        precondition(point.count == columnCount, "θ has \(point.count) values, the network has \(columnCount) parameters")
        if point == linearizedPoint { return }
        // Copied into the kept buffer (sharing the caller's storage would copy it on their next write).
        if linearizedPoint.count != point.count { linearizedPoint = Array(repeating: 0, count: point.count) }
        for index in point.indices { linearizedPoint[index] = point[index] }
        point.withBaseAddress { sweeps.theta.pointer.update(from: $0, count: columnCount) }
        let theta = UnsafePointer(sweeps.theta.pointer)
        ParallelTasks.run(count: sampleBlockCount) { block, _ in
            let rows = samples(of: block)
            for layer in 0..<sweeps.layerCount {
                let outWidth = sweeps.widths[layer + 1]
                let output = sweeps.layerOutputs[layer].pointer + rows.lowerBound * outWidth
                affine(layer: layer, rows: rows, parameters: theta, into: output)
                sweeps.activations[layer].apply(
                    to: output, count: rows.count * outWidth,
                    derivatives: storesDerivatives[layer] ? sweeps.layerDerivatives[layer].pointer + rows.lowerBound * outWidth : nil)
            }
        }
    }

    /// 1·bᵀ + H_{l−1}·Wᵀ of `layer` over the samples `rows`, with W and b read from `parameters`
    /// laid out as θ (θ itself in the forward sweep, a tangent v in J·v), into `output`
    /// (rows × w_l, contiguous).
    private func affine(layer: Int, rows: Range<Int>, parameters: UnsafePointer<Double>, into output: UnsafeMutablePointer<Double>) {
        let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
        let bias = parameters + sweeps.biasOffsets[layer]
        for row in 0..<rows.count { (output + row * outWidth).update(from: bias, count: outWidth) }
        gemm(
            transposeA: false, transposeB: true, m: rows.count, n: outWidth, k: inWidth,
            a: layerInput(layer) + rows.lowerBound * inWidth, lda: inWidth, b: parameters + sweeps.weightOffsets[layer], ldb: inWidth,
            beta: 1, c: output, ldc: outWidth)
    }

    /// The layer input H_{l−1} (the data for the first layer).
    private func layerInput(_ layer: Int) -> UnsafePointer<Double> {
        layer == 0 ? UnsafePointer(sweeps.inputs.pointer) : UnsafePointer(sweeps.layerOutputs[layer - 1].pointer)
    }

    /// Multiplies `values`, the rows `rows` of a block of layer `layer`'s width stored
    /// contiguously, by those rows of D_l: from H_l where the activation allows it, else the
    /// stored D_l (nothing for an identity activation).
    private func scaleByDerivatives(_ values: UnsafeMutablePointer<Double>, layer: Int, rows: Range<Int>) {
        let width = sweeps.widths[layer + 1], count = rows.count * width, start = rows.lowerBound * width
        guard storesDerivatives[layer] else {
            sweeps.activations[layer].scaleByDerivative(values, outputs: sweeps.layerOutputs[layer].pointer + start, count: count)
            return
        }
        let derivatives = sweeps.layerDerivatives[layer].pointer + start
        for index in 0..<count { values[index] *= derivatives[index] }
    }

    func apply(_ vector: [Double], into result: inout [Double]) {
        precondition(vector.count == columnCount, "v has \(vector.count) values, expected \(columnCount)")
        let count = rowCount, p = outputWidth
        if result.count != count { result = Array(repeating: 0, count: count) }
        // Layer l writes block A for even l, B for odd l; a sample block owns the region from
        // its first sample × max(w) in both, whatever the layer's width, so no block's rows of
        // one layer overlap another block's rows of another layer.
        let blocks = [blockA.pointer, blockB.pointer]
        let theta = UnsafePointer(sweeps.theta.pointer)
        let stride = sweeps.maximumWidth
        vector.withBaseAddress { v in result.withMutableBaseAddress { image in
            ParallelTasks.run(count: sampleBlockCount) { block, _ in
                let rows = samples(of: block)
                for layer in 0..<sweeps.layerCount {
                    let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
                    let next = blocks[layer % 2] + rows.lowerBound * stride
                    affine(layer: layer, rows: rows, parameters: v, into: next)
                    if layer > 0 {
                        gemm(
                            transposeA: false, transposeB: true, m: rows.count, n: outWidth, k: inWidth,
                            a: blocks[(layer - 1) % 2] + rows.lowerBound * stride, lda: inWidth,
                            b: theta + sweeps.weightOffsets[layer], ldb: inWidth,
                            beta: 1, c: next, ldc: outWidth)
                    }
                    scaleByDerivatives(next, layer: layer, rows: rows)
                }
                let output = blocks[(sweeps.layerCount - 1) % 2] + rows.lowerBound * stride
                (image + rows.lowerBound * p).update(from: output, count: rows.count * p)
            }
        } }
    }

    func applyTransposed(_ vector: [Double], into result: inout [Double]) {
        precondition(vector.count == rowCount, "u has \(vector.count) values, expected \(rowCount)")
        if result.count != columnCount { result = Array(repeating: 0, count: columnCount) }
        let delta = blockA.pointer
        vector.withBaseAddress { delta.update(from: $0, count: rowCount) }
        result.withMutableBaseAddress { backward(squared: false, into: $0, accumulate: false) }
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
                backward(squared: true, into: target, accumulate: output > 0)
            }
        }
    }

    /// Jᵀu and diag(JᵀW²J) with one output per sample from one backward sweep: the per-sample
    /// adjoints δ of the output (the unit cotangent) are propagated once, Δ_{l−1} = (δ_l·W_l) ⊙
    /// D_{l−1}, and each layer's two sums over samples read them, Jᵀu's as δ_lᵀ·(u ⊙ H_{l−1}) and
    /// 1ᵀ(u ⊙ δ_l), the diagonal's as (δ_l²)ᵀ·(w² ⊙ H_{l−1}²) and 1ᵀ(w² ⊙ δ_l²): one Δ·W gemm per
    /// layer instead of the two of separate sweeps. With several outputs each sweep stands alone.
    func applyTransposedWithColumnSquaredNorms(
        _ vector: [Double], rowWeights: [Double]?, into transposedImage: inout [Double], squaredNorms: inout [Double]
    ) {
        guard outputWidth == 1 else {
            applyTransposed(vector, into: &transposedImage)
            columnSquaredNorms(rowWeights: rowWeights, into: &squaredNorms)
            return
        }
        precondition(vector.count == rowCount, "u has \(vector.count) values, expected \(rowCount)")
        if let rowWeights { precondition(rowWeights.count == rowCount, "\(rowWeights.count) row weights, expected \(rowCount)") }
        if transposedImage.count != columnCount { transposedImage = Array(repeating: 0, count: columnCount) }
        if squaredNorms.count != columnCount { squaredNorms = Array(repeating: 0, count: columnCount) }
        blockA.pointer.update(repeating: 1, count: rowCount)
        let scaled = squaredInputs.pointer, partialSums = blockSums.pointer
        vector.withBaseAddress { u in withOptionalBaseAddress(rowWeights) { w in
            transposedImage.withMutableBaseAddress { gradient in squaredNorms.withMutableBaseAddress { diagonal in
                var current = blockA.pointer, next = blockB.pointer
                for layer in stride(from: sweeps.layerCount - 1, through: 0, by: -1) {
                    let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
                    let input = layerInput(layer), (delta, previous) = (current, next)
                    ParallelTasks.run(count: sampleBlockCount) { block, _ in
                        let rows = samples(of: block)
                        propagate(delta, into: previous, layer: layer, rows: rows)
                        let sums = partialSums + block * outWidth
                        sums.update(repeating: 0, count: outWidth)
                        for sample in rows {
                            let weight = u[sample], row = delta + sample * outWidth
                            for unit in 0..<outWidth { sums[unit] += weight * row[unit] }
                            let from = input + sample * inWidth, into = scaled + sample * inWidth
                            for index in 0..<inWidth { into[index] = weight * from[index] }
                        }
                    }
                    sumOverSamples(layer: layer, delta: delta, input: scaled, into: gradient, accumulate: false)
                    ParallelTasks.run(count: sampleBlockCount) { block, _ in
                        let rows = samples(of: block)
                        let sums = partialSums + block * outWidth
                        sums.update(repeating: 0, count: outWidth)
                        for sample in rows {
                            let weight = w.map { $0[sample] * $0[sample] } ?? 1, row = delta + sample * outWidth
                            for unit in 0..<outWidth {
                                row[unit] *= row[unit]
                                sums[unit] += weight * row[unit]
                            }
                            let from = input + sample * inWidth, into = scaled + sample * inWidth
                            for index in 0..<inWidth { into[index] = weight * from[index] * from[index] }
                        }
                    }
                    sumOverSamples(layer: layer, delta: delta, input: scaled, into: diagonal, accumulate: false)
                    swap(&current, &next)
                }
            } }
        } }
    }

    /// The adjoint sweep from Δ = (block A) ⊙ D_L (S × p): the parameter adjoints (Jᵀu) or,
    /// `squared`, their per-sample squares summed (diag(JᵀUᵀUJ) for one cotangent per
    /// sample), written into `target` or added to it (`accumulate`). Per layer: the per-sample
    /// work in sample blocks (Δ_l ⊙ D_l, then Δ_{l−1} before D_{l−1}, the squares, and the
    /// block's sums of Δ_l for the biases), then the sums over samples
    /// (``sumOverSamples(layer:delta:input:into:accumulate:)``).
    private func backward(squared: Bool, into target: UnsafeMutablePointer<Double>, accumulate: Bool) {
        var current = blockA.pointer, next = blockB.pointer
        for layer in stride(from: sweeps.layerCount - 1, through: 0, by: -1) {
            let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
            let input = layerInput(layer), squares = squaredInputs.pointer, partialSums = blockSums.pointer
            let (delta, previous) = (current, next)
            ParallelTasks.run(count: sampleBlockCount) { block, _ in
                let rows = samples(of: block)
                propagate(delta, into: previous, layer: layer, rows: rows)
                if squared {
                    for index in (rows.lowerBound * outWidth)..<(rows.upperBound * outWidth) { delta[index] *= delta[index] }
                    for index in (rows.lowerBound * inWidth)..<(rows.upperBound * inWidth) { squares[index] = input[index] * input[index] }
                }
                // This block's part of the bias adjoints, its rows summed in order.
                let sums = partialSums + block * outWidth
                sums.update(repeating: 0, count: outWidth)
                for sample in rows {
                    let row = delta + sample * outWidth
                    for unit in 0..<outWidth { sums[unit] += row[unit] }
                }
            }
            sumOverSamples(layer: layer, delta: delta, input: squared ? UnsafePointer(squares) : input, into: target, accumulate: accumulate)
            swap(&current, &next)
        }
    }

    /// The rows `rows` of layer `layer`'s adjoints `delta` (S × w_l) times D_l in place, then,
    /// below the first layer, Δ_{l−1} before D_{l−1} = Δ_l·W_l into those rows of `previous`
    /// (S × w_{l−1}).
    private func propagate(_ delta: UnsafeMutablePointer<Double>, into previous: UnsafeMutablePointer<Double>, layer: Int, rows: Range<Int>) {
        let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
        scaleByDerivatives(delta + rows.lowerBound * outWidth, layer: layer, rows: rows)
        guard layer > 0 else { return }
        gemm(
            transposeA: false, transposeB: false, m: rows.count, n: inWidth, k: outWidth,
            a: delta + rows.lowerBound * outWidth, lda: outWidth, b: UnsafePointer(sweeps.theta.pointer) + sweeps.weightOffsets[layer], ldb: inWidth,
            beta: 0, c: previous + rows.lowerBound * inWidth, ldc: inWidth)
    }

    /// Layer `layer`'s sums over samples: ∇W_l = Δ_lᵀ·`input` (`delta` S × w_l, `input`
    /// S × w_{l−1}) in unit chunks × sample parts, the parts' products added in part order, and
    /// the biases from the sample blocks' partial sums of Δ_l (in ``blockSums``) added in block
    /// order; written into `target` (laid out as θ) or added to it (`accumulate`).
    private func sumOverSamples(
        layer: Int, delta: UnsafePointer<Double>, input: UnsafePointer<Double>, into target: UnsafeMutablePointer<Double>, accumulate: Bool
    ) {
        let sampleCount = sweeps.sampleCount, blockCount = sampleBlockCount
        let inWidth = sweeps.widths[layer], outWidth = sweeps.widths[layer + 1]
        let partialSums = UnsafePointer(blockSums.pointer)
        let beta: Double = accumulate ? 1 : 0
        let chunks = (outWidth + Self.unitChunk - 1) / Self.unitChunk
        let parts = Self.sumParts(samples: sampleCount), layerWeights = outWidth * inWidth
        let weights = target + sweeps.weightOffsets[layer], products = partProducts.pointer
        // Part 0 into the target (after its old value when accumulating), the others apart.
        ParallelTasks.run(count: chunks * parts) { task, _ in
            let chunk = task % chunks, part = task / chunks
            let units = (chunk * Self.unitChunk)..<min(outWidth, (chunk + 1) * Self.unitChunk)
            let rows = Self.samples(ofPart: part, parts: parts, samples: sampleCount)
            let into = part == 0 ? weights : products + (part - 1) * layerWeights
            gemm(
                transposeA: true, transposeB: false, m: units.count, n: inWidth, k: rows.count,
                a: delta + rows.lowerBound * outWidth + units.lowerBound, lda: outWidth,
                b: input + rows.lowerBound * inWidth, ldb: inWidth,
                beta: part == 0 ? beta : 0, c: into + units.lowerBound * inWidth, ldc: inWidth)
        }
        ParallelTasks.run(count: chunks) { chunk, _ in
            let units = (chunk * Self.unitChunk)..<min(outWidth, (chunk + 1) * Self.unitChunk)
            // The other parts' products, added in part order.
            let values = units.lowerBound * inWidth..<units.upperBound * inWidth
            for part in 1..<parts {
                let product = products + (part - 1) * layerWeights
                for index in values { weights[index] += product[index] }
            }
            // The bias adjoints: the blocks' partial sums, added in block order.
            let biases = target + sweeps.biasOffsets[layer]
            if !accumulate { for unit in units { biases[unit] = 0 } }
            for block in 0..<blockCount {
                let sums = partialSums + block * outWidth
                for unit in units { biases[unit] += sums[unit] }
            }
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

    var workspaceBytes: Int {
        sweeps.workspaceBytes + blockA.byteCount + blockB.byteCount + squaredInputs.byteCount + blockSums.byteCount
            + partProducts.byteCount
    }
}

extension MultilayerPerceptronResidualMap: JacobianOperatorProviding {
    /// A ``PerceptronJacobianOperator`` over this map's network and data (its own forward state
    /// and three S × max(w) blocks).
    public func makeJacobianOperator() -> (any JacobianOperator)? { PerceptronJacobianOperator(map: self) }
}
