import CNumericKernels
import Jacobians
import LinearAlgebra

/// The batched forward, tangent and adjoint sweeps of a ``MultilayerPerceptron``
/// over S samples, with every buffer owned and reused (no allocation once warm).
///
/// Layouts (all row-major):
/// - activations H_l and derivatives D_l = φ_l′(Z_l): S × w_l, sample-major;
/// - tangent and adjoint blocks with k lanes: w × S × k (unit, sample, lane), so
///   that W·T over all samples and lanes is one gemm, the parameter-tangent term is
///   one gemm per unit, and the weight adjoint of all lanes is one gemm per unit
///   written straight into the k × n result.
///
/// The forward state is cached: a pushforward or pullback at the same point and
/// inputs as the previous sweep reuses H_l and D_l (as JAX's `linearize` does).
@usableFromInline
final class PerceptronSweeps {
    /// Which variables the derivative sweeps differentiate with respect to.

    let widths: [Int]
    let activations: [Activation]
    let weightOffsets: [Int]
    let biasOffsets: [Int]
    let parameterCount: Int
    let layerCount: Int
    let maximumWidth: Int
    /// Σ_{j<l} w_{j+1} for l = 0…L: where Δ_l starts in `rowAdjoints`, in units of R = S·p.
    let adjointWidthPrefix: [Int]

    private(set) var sampleCount = 0
    /// θ as last set.
    let theta = ScratchBuffer()
    /// H_0, S × d.
    let inputs = ScratchBuffer()
    /// H_l, S × w_l, for l = 1…L (index l − 1).
    let layerOutputs: [ScratchBuffer]
    /// D_l = φ_l′(Z_l), S × w_l, for l = 1…L (index l − 1); valid after `forward(derivatives: true)`.
    let layerDerivatives: [ScratchBuffer]
    private let laneBlockA = ScratchBuffer()
    private let laneBlockB = ScratchBuffer()
    private let laneSums = ScratchBuffer()
    /// Per-row adjoints Δ_l of the fused per-sample Jacobian (see `PerceptronSweeps+PerSampleJacobian.swift`).
    let rowAdjoints = ScratchBuffer()
    /// The per-output and per-sample factors of the penultimate layer's blocks (p ≥ 2).
    let penultimateFactors = ScratchBuffer()
    /// W_lᵀ of a narrow layer, for the forward product.
    let transposedWeights = ScratchBuffer()
    /// One Jacobian row, assembled before it is streamed out (large Jacobians).
    let rowBuffer = ScratchBuffer()
    /// Two block-sized buffers per worker for ``forwardOutputs()``, and their addresses.
    private var outputBlocks: [ScratchBuffer] = []
    private var outputBlockPointers: [UnsafeMutablePointer<Double>] = []
    /// Where each narrow layer's Wᵀ starts in `transposedWeights` for ``forwardOutputs()`` (−1
    /// for a layer computed by BLAS), and how many values they take together.
    private let narrowOffsets: [Int]
    private let narrowValues: Int
    private var forwardIsCurrent = false
    private var derivativesAreCurrent = false

    init(network: MultilayerPerceptron) {
        widths = network.layerWidths
        activations = network.activations
        weightOffsets = network.weightOffsets
        biasOffsets = network.biasOffsets
        parameterCount = network.parameterCount
        layerCount = network.layerCount
        maximumWidth = network.layerWidths.max() ?? 1
        var prefix = [0]
        for layer in 0..<network.layerCount { prefix.append(prefix[layer] + network.layerWidths[layer + 1]) }
        adjointWidthPrefix = prefix
        var offsets = Array(repeating: -1, count: network.layerCount), values = 0
        for layer in 0..<network.layerCount where Self.isNarrow(network.layerWidths[layer + 1]) {
            offsets[layer] = values
            values += network.layerWidths[layer] * network.layerWidths[layer + 1]
        }
        narrowOffsets = offsets
        narrowValues = values
        layerOutputs = (0..<network.layerCount).map { _ in ScratchBuffer() }
        layerDerivatives = (0..<network.layerCount).map { _ in ScratchBuffer() }
        theta.reserve(parameterCount)
    }

    /// Bytes of workspace currently held.
    var workspaceBytes: Int {
        (layerOutputs + layerDerivatives
            + [theta, inputs, laneBlockA, laneBlockB, laneSums, rowAdjoints, penultimateFactors, rowBuffer, transposedWeights]
            + outputBlocks)
            .reduce(0) { $0 + $1.byteCount }
    }

    /// The network outputs H_L (S × p) of the last forward sweep.
    var outputs: UnsafeMutablePointer<Double> { layerOutputs[layerCount - 1].pointer }

    // MARK: State

    /// Copies θ in; invalidates the forward cache when it changed.
    func setParameters(_ values: UnsafePointer<Double>) {
        if !sameValues(theta.pointer, values, count: parameterCount) {
            theta.pointer.update(from: values, count: parameterCount)
            forwardIsCurrent = false
        }
    }

    /// Copies S × d inputs in; invalidates the forward cache when they changed. The layers'
    /// buffers over all samples are reserved by the sweeps that fill them (``forward(derivatives:reuse:)``),
    /// so that an evaluation in sample blocks never reserves S × w per layer
    /// (``reserveLayerBuffers(derivatives:)``).
    func setInputs(_ values: UnsafePointer<Double>, sampleCount newCount: Int) {
        let count = newCount * widths[0]
        if newCount != sampleCount {
            sampleCount = newCount
            inputs.reserve(count)
            inputs.pointer.update(from: values, count: count)
            forwardIsCurrent = false
        } else if !sameValues(inputs.pointer, values, count: count) {
            inputs.pointer.update(from: values, count: count)
            forwardIsCurrent = false
        }
    }

    private func sameValues(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Bool {
        for index in 0..<count where a[index] != b[index] { return false }
        return true
    }

    // MARK: Forward

    /// H_l = φ_l(H_{l−1}·W_lᵀ + 1·b_lᵀ) for every layer, one gemm each; also
    /// D_l = φ_l′ when `derivatives`. Derivative sweeps skip it when the cache is
    /// current (`reuse`); plain evaluations always run it, so that "one forward
    /// pass" is measured as one.
    func forward(derivatives: Bool, reuse: Bool = true) {
        if reuse && forwardIsCurrent && (derivativesAreCurrent || !derivatives) { return }
        reserveLayerBuffers(derivatives: derivatives)
        for layer in 0..<layerCount {
            let input = layer == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(layerOutputs[layer - 1].pointer)
            layerValues(
                layer: layer, input: input, samples: sampleCount, into: layerOutputs[layer].pointer,
                derivatives: derivatives ? layerDerivatives[layer].pointer : nil)
        }
        forwardIsCurrent = true
        derivativesAreCurrent = derivatives
    }

    /// Makes room for H_l, and D_l when `derivatives`, of every layer over all S samples (their
    /// contents are kept unless a buffer grows). Sweeps over every sample at once call it;
    /// an evaluation in sample blocks never does.
    func reserveLayerBuffers(derivatives: Bool) {
        for layer in 0..<layerCount {
            layerOutputs[layer].reserve(sampleCount * widths[layer + 1])
            if derivatives { layerDerivatives[layer].reserve(sampleCount * widths[layer + 1]) }
        }
    }

    /// H_l = φ_l(H_{l−1}·W_lᵀ + 1·b_lᵀ) of one layer for `samples` rows of `input` into `output`
    /// (and D_l into `derivatives` when given): one gemm, or for a narrow layer each output row
    /// in registers.
    private func layerValues(
        layer: Int, input: UnsafePointer<Double>, samples: Int, into output: UnsafeMutablePointer<Double>,
        derivatives: UnsafeMutablePointer<Double>?, narrowTransposed: UnsafePointer<Double>? = nil
    ) {
        let inWidth = widths[layer], outWidth = widths[layer + 1]
        let bias = theta.pointer + biasOffsets[layer]
        let weights = theta.pointer + weightOffsets[layer]
        if Self.isNarrow(outWidth) {
            // Narrow layers: H·Wᵀ + 1·bᵀ with each output row in registers (BLAS's packing would
            // cost more than the arithmetic), from Wᵀ given or copied here (w_l·w_{l−1} values).
            let transposed = narrowTransposed ?? transposeWeights(layer: layer, into: transposedWeights)
            jb_matmul(input, samples, inWidth, transposed, outWidth, bias, output)
        } else {
            for sample in 0..<samples { (output + sample * outWidth).update(from: bias, count: outWidth) }
            gemm(
                transposeA: false, transposeB: true, m: samples, n: outWidth, k: inWidth,
                a: input, lda: inWidth, b: weights, ldb: inWidth,
                beta: 1, c: output, ldc: outWidth)
        }
        activations[layer].apply(to: output, count: samples * outWidth, derivatives: derivatives)
    }

    /// Whether a layer of `width` units is computed by the register kernel instead of BLAS.
    private static func isNarrow(_ width: Int) -> Bool { width <= 16 }

    /// W_lᵀ of `layer` (w_{l−1} × w_l) into `buffer` (grown to fit, from its start).
    private func transposeWeights(layer: Int, into buffer: ScratchBuffer, at offset: Int = 0) -> UnsafePointer<Double> {
        let inWidth = widths[layer], outWidth = widths[layer + 1]
        buffer.reserve(offset + inWidth * outWidth)
        let weights = theta.pointer + weightOffsets[layer], transposed = buffer.pointer + offset
        for unit in 0..<outWidth {
            for index in 0..<inWidth { transposed[index * outWidth + unit] = weights[unit * inWidth + index] }
        }
        return UnsafePointer(transposed)
    }

    /// Samples per block of ``forwardOutputs()``.
    static let outputBlockSamples = 512
    /// The fewest hidden values (S × max w) for which ``forwardOutputs()`` goes block by block.
    static let blockedOutputValues = 1 << 20

    /// How ``forwardOutputs()`` evaluates `samples` samples of a network with `widths`: nil when
    /// they go through whole (few values, or no hidden layer), else the workers that take blocks
    /// (`workers`, at most one per block) and the rows of each of their two buffers.
    static func outputBlocking(samples: Int, widths: [Int], workers: Int) -> (workers: Int, rows: Int)? {
        let widest = widths.max() ?? 0
        guard widths.count > 2, JacobianShape.saturatingProduct(samples, widest) >= blockedOutputValues else { return nil }
        let blocks = (samples + outputBlockSamples - 1) / outputBlockSamples
        return (min(max(1, workers), blocks), min(outputBlockSamples, samples))
    }

    /// The outputs H_L (S × p, in ``outputs``) at θ without keeping the hidden layers: when the
    /// S × max(w) activations reach ``blockedOutputValues``, each block of
    /// ``outputBlockSamples`` samples goes through every layer in two block-sized buffers of the
    /// worker that takes it (``ThreadSettings/workerCount`` workers, at most one per block, each
    /// buffer min(S, block) × max(w); a block's values do not depend on which), so an
    /// evaluation touches O(workers × block × w) memory instead of S × w per layer, and the
    /// forward cache is no longer current; otherwise one full ``forward(derivatives:reuse:)``.
    func forwardOutputs() {
        guard let (workers, blockRows) = Self.outputBlocking(samples: sampleCount, widths: widths, workers: ThreadSettings.workerCount) else {
            forward(derivatives: false, reuse: false)
            return
        }
        forwardIsCurrent = false
        let block = Self.outputBlockSamples, blocks = (sampleCount + block - 1) / block
        while outputBlocks.count < 2 * workers { outputBlocks.append(ScratchBuffer()) }
        if outputBlockPointers.count != outputBlocks.count {
            outputBlockPointers = Array(repeating: outputBlocks[0].pointer, count: outputBlocks.count)
        }
        for (index, buffer) in outputBlocks.enumerated() {
            if index < 2 * workers { buffer.reserve(blockRows * maximumWidth) }
            outputBlockPointers[index] = buffer.pointer
        }
        // The narrow layers' Wᵀ, once, before the blocks share them.
        transposedWeights.reserve(narrowValues)
        for layer in 0..<layerCount where narrowOffsets[layer] >= 0 {
            _ = transposeWeights(layer: layer, into: transposedWeights, at: narrowOffsets[layer])
        }
        let transposed = UnsafePointer(transposedWeights.pointer), offsets = narrowOffsets
        let last = layerCount - 1, d = widths[0], p = widths[layerCount], samples = sampleCount
        layerOutputs[last].reserve(samples * p)
        let buffers = outputBlockPointers, outputs = layerOutputs[last].pointer, data = UnsafePointer(inputs.pointer)
        ParallelTasks.run(count: blocks, workers: workers) { task, worker in
            let start = task * block, rows = min(block, samples - start)
            let even = buffers[2 * worker], odd = buffers[2 * worker + 1]
            for layer in 0..<layerCount {
                let input = layer == 0 ? data + start * d : UnsafePointer(layer % 2 == 1 ? even : odd)
                let output = layer == last ? outputs + start * p : (layer % 2 == 0 ? even : odd)
                layerValues(
                    layer: layer, input: input, samples: rows, into: output, derivatives: nil,
                    narrowTransposed: offsets[layer] >= 0 ? transposed + offsets[layer] : nil)
            }
        }
    }

    /// Convenience for callers that set parameters and inputs from arrays.
    func forward(parameters: UnsafePointer<Double>, inputs values: UnsafePointer<Double>, sampleCount: Int, derivatives: Bool) {
        setParameters(parameters)
        setInputs(values, sampleCount: sampleCount)
        forward(derivatives: derivatives)
    }

    /// Copies H_L (S × p) into `target` (resized).
    func copyOutputs(into target: inout [Double]) {
        let count = sampleCount * widths[layerCount]
        if target.count != count { target = Array(repeating: 0, count: count) }
        target.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { base.update(from: outputs, count: count) }
        }
    }

    // MARK: Tangent sweep

    /// Pushes k tangent lanes forward. `tangents` is n × k row-major, with n = N
    /// (parameters) or S·d (inputs, sample-major). Writes the m × k result
    /// (m = S·p, row s·p + o) to `result`. Requires `forward(derivatives: true)`.
    ///
    /// - Complexity: per layer one gemm w_l × w_{l−1} × S·k, plus for parameters
    ///   w_l gemms S × w_{l−1} × k.
    func pushforward(
        tangents: UnsafePointer<Double>, laneCount k: Int, with variables: JacobianVariables,
        into result: UnsafeMutablePointer<Double>
    ) {
        let samples = sampleCount
        let blockSize = maximumWidth * samples * k
        laneBlockA.reserve(blockSize)
        laneBlockB.reserve(blockSize)
        var current = laneBlockA.pointer, next = laneBlockB.pointer
        // Lanes that may be non-zero in the current tangent block (all lanes for
        // input tangents; grown layer by layer for parameter tangents).
        var activeLanes = variables == .inputs ? 0..<k : 0..<0
        if variables == .inputs {
            let inWidth = widths[0]
            for input in 0..<inWidth {
                for sample in 0..<samples {
                    (current + (input * samples + sample) * k).update(from: tangents + (sample * inWidth + input) * k, count: k)
                }
            }
        }
        for layer in 0..<layerCount {
            let inWidth = widths[layer], outWidth = widths[layer + 1]
            // A tangent block that is still entirely zero contributes nothing.
            let hasInputTangent = (layer > 0 || variables == .inputs) && !activeLanes.isEmpty
            if hasInputTangent {
                gemm(
                    transposeA: false, transposeB: false, m: outWidth, n: samples * k, k: inWidth,
                    a: theta.pointer + weightOffsets[layer], lda: inWidth, b: current, ldb: samples * k,
                    beta: 0, c: next, ldc: samples * k)
            }
            if variables == .parameters {
                let input = layer == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(layerOutputs[layer - 1].pointer)
                if !hasInputTangent { next.update(repeating: 0, count: outWidth * samples * k) }
                for unit in 0..<outWidth {
                    let block = next + unit * samples * k
                    // Only the lanes where this unit's seed rows are non-zero contribute
                    // (exact: skipped lanes add zero); identity seeds touch w_{l−1} lanes.
                    let firstRow = weightOffsets[layer] + unit * inWidth
                    let weightLanes = nonzeroLanes(tangents, rows: firstRow..<(firstRow + inWidth), laneCount: k)
                    if !weightLanes.isEmpty {
                        gemm(
                            transposeA: false, transposeB: false, m: samples, n: weightLanes.count, k: inWidth,
                            a: input, lda: inWidth, b: tangents + firstRow * k + weightLanes.lowerBound, ldb: k,
                            beta: 1, c: block + weightLanes.lowerBound, ldc: k)
                        activeLanes = hull(activeLanes, weightLanes)
                    }
                    let biasRow = biasOffsets[layer] + unit
                    let biasLanes = nonzeroLanes(tangents, rows: biasRow..<(biasRow + 1), laneCount: k)
                    if !biasLanes.isEmpty {
                        let biasTangent = tangents + biasRow * k
                        for sample in 0..<samples {
                            let row = block + sample * k
                            for lane in biasLanes { row[lane] += biasTangent[lane] }
                        }
                        activeLanes = hull(activeLanes, biasLanes)
                    }
                }
            }
            if activations[layer] != .identity && !activeLanes.isEmpty {
                let derivative = layerDerivatives[layer].pointer
                let first = activeLanes.lowerBound, width = activeLanes.count
                for unit in 0..<outWidth {
                    for sample in 0..<samples {
                        let scale = derivative[sample * outWidth + unit]
                        let row = next + (unit * samples + sample) * k + first
                        for lane in 0..<width { row[lane] *= scale }
                    }
                }
            }
            swap(&current, &next)
        }
        let outWidth = widths[layerCount]
        for unit in 0..<outWidth {
            for sample in 0..<samples {
                (result + (sample * outWidth + unit) * k).update(from: current + (unit * samples + sample) * k, count: k)
            }
        }
    }

    /// The smallest lane range holding every non-zero of `rows` of the n × k seed.
    private func nonzeroLanes(_ tangents: UnsafePointer<Double>, rows: Range<Int>, laneCount k: Int) -> Range<Int> {
        var first = k, last = -1
        for row in rows {
            let values = tangents + row * k
            var lane = 0
            while lane < first {
                if values[lane] != 0 { first = lane; break }
                lane += 1
            }
            lane = k - 1
            while lane > last {
                if values[lane] != 0 { last = lane; break }
                lane -= 1
            }
        }
        return first <= last ? first..<(last + 1) : 0..<0
    }

    private func hull(_ a: Range<Int>, _ b: Range<Int>) -> Range<Int> {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return min(a.lowerBound, b.lowerBound)..<max(a.upperBound, b.upperBound)
    }

    // MARK: Adjoint sweep

    /// Pulls k cotangent lanes back. `cotangents` is k × m row-major (m = S·p);
    /// writes the k × n result (n = N or S·d) with row stride n.
    /// Requires `forward(derivatives: true)`.
    ///
    /// - Complexity: per layer one gemm w_{l−1} × w_l × S·k, plus for parameters
    ///   w_l gemms k × S × w_{l−1} written straight into the result rows.
    func pullback(
        cotangents: UnsafePointer<Double>, laneCount k: Int, with variables: JacobianVariables,
        into result: UnsafeMutablePointer<Double>
    ) {
        let samples = sampleCount
        let outputWidth = widths[layerCount]
        let outputCount = samples * outputWidth
        let resultWidth = variables == .parameters ? parameterCount : samples * widths[0]
        let blockSize = maximumWidth * samples * k
        laneBlockA.reserve(blockSize)
        laneBlockB.reserve(blockSize)
        laneSums.reserve(k)
        var current = laneBlockA.pointer, next = laneBlockB.pointer
        for unit in 0..<outputWidth {
            for sample in 0..<samples {
                let row = current + (unit * samples + sample) * k
                let column = cotangents + sample * outputWidth + unit
                for lane in 0..<k { row[lane] = column[lane * outputCount] }
            }
        }
        for layer in stride(from: layerCount - 1, through: 0, by: -1) {
            let inWidth = widths[layer], outWidth = widths[layer + 1]
            if activations[layer] != .identity {
                let derivative = layerDerivatives[layer].pointer
                for unit in 0..<outWidth {
                    for sample in 0..<samples {
                        let scale = derivative[sample * outWidth + unit]
                        let row = current + (unit * samples + sample) * k
                        for lane in 0..<k { row[lane] *= scale }
                    }
                }
            }
            if variables == .parameters {
                let input = layer == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(layerOutputs[layer - 1].pointer)
                let sums = laneSums.pointer
                for unit in 0..<outWidth {
                    let block = current + unit * samples * k
                    gemm(
                        transposeA: true, transposeB: false, m: k, n: inWidth, k: samples,
                        a: block, lda: k, b: input, ldb: inWidth,
                        beta: 0, c: result + weightOffsets[layer] + unit * inWidth, ldc: resultWidth)
                    sums.update(repeating: 0, count: k)
                    for sample in 0..<samples {
                        let row = block + sample * k
                        for lane in 0..<k { sums[lane] += row[lane] }
                    }
                    let biasColumn = result + biasOffsets[layer] + unit
                    for lane in 0..<k { biasColumn[lane * resultWidth] = sums[lane] }
                }
            }
            if layer > 0 || variables == .inputs {
                gemm(
                    transposeA: true, transposeB: false, m: inWidth, n: samples * k, k: outWidth,
                    a: theta.pointer + weightOffsets[layer], lda: inWidth, b: current, ldb: samples * k,
                    beta: 0, c: next, ldc: samples * k)
                swap(&current, &next)
            }
        }
        if variables == .inputs {
            let inWidth = widths[0]
            for input in 0..<inWidth {
                for sample in 0..<samples {
                    let row = current + (input * samples + sample) * k
                    let column = result + sample * inWidth + input
                    for lane in 0..<k { column[lane * resultWidth] = row[lane] }
                }
            }
        }
    }

    // MARK: Per-sample sweep

    /// One batched backward sweep for output unit d with one lane per sample:
    /// writes ∂y(s, d)/∂(variables) into row `firstRow + s·rowStep` of `rows`
    /// (row length n = N or S·d). Requires `forward(derivatives: true)`.
    ///
    /// For parameters, row entries are outer products δ_l(s) ⊗ H_{l−1}(s) written
    /// directly; for inputs, the row is zero except the block of sample s.
    /// - Complexity: per layer one gemm S × w_l × w_{l−1}, plus n writes per row.
    func perSampleSweep(
        outputIndex: Int, with variables: JacobianVariables,
        rows: UnsafeMutablePointer<Double>, firstRow: Int, rowStep: Int
    ) {
        let samples = sampleCount
        let rowLength = variables == .parameters ? parameterCount : samples * widths[0]
        laneBlockA.reserve(maximumWidth * samples)
        laneBlockB.reserve(maximumWidth * samples)
        var delta = laneBlockA.pointer, previous = laneBlockB.pointer
        let outputWidth = widths[layerCount]
        let outputDerivative = layerDerivatives[layerCount - 1].pointer
        delta.update(repeating: 0, count: samples * outputWidth)
        for sample in 0..<samples {
            let index = sample * outputWidth + outputIndex
            delta[index] = activations[layerCount - 1] == .identity ? 1 : outputDerivative[index]
        }
        if variables == .inputs {
            for sample in 0..<samples {
                (rows + (firstRow + sample * rowStep) * rowLength).update(repeating: 0, count: rowLength)
            }
        }
        for layer in stride(from: layerCount - 1, through: 0, by: -1) {
            let inWidth = widths[layer], outWidth = widths[layer + 1]
            if variables == .parameters {
                let input = layer == 0 ? UnsafePointer(inputs.pointer) : UnsafePointer(layerOutputs[layer - 1].pointer)
                let weightOffset = weightOffsets[layer], biasOffset = biasOffsets[layer]
                for sample in 0..<samples {
                    let row = rows + (firstRow + sample * rowStep) * rowLength
                    let sampleInput = input + sample * inWidth
                    let sampleDelta = delta + sample * outWidth
                    for unit in 0..<outWidth {
                        let scale = sampleDelta[unit]
                        let target = row + weightOffset + unit * inWidth
                        for index in 0..<inWidth { target[index] = scale * sampleInput[index] }
                    }
                    (row + biasOffset).update(from: sampleDelta, count: outWidth)
                }
            }
            if layer > 0 || variables == .inputs {
                // δ_{l−1} = (δ_l · W_l) ⊙ D_{l−1}
                gemm(
                    transposeA: false, transposeB: false, m: samples, n: inWidth, k: outWidth,
                    a: delta, lda: outWidth, b: theta.pointer + weightOffsets[layer], ldb: inWidth,
                    beta: 0, c: previous, ldc: inWidth)
                if layer > 0 && activations[layer - 1] != .identity {
                    let derivative = layerDerivatives[layer - 1].pointer
                    for index in 0..<(samples * inWidth) { previous[index] *= derivative[index] }
                }
                swap(&delta, &previous)
            }
        }
        if variables == .inputs {
            let inWidth = widths[0]
            for sample in 0..<samples {
                let row = rows + (firstRow + sample * rowStep) * rowLength
                (row + sample * inWidth).update(from: delta + sample * inWidth, count: inWidth)
            }
        }
    }
}
