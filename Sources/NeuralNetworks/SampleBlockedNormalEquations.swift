import Jacobians
import LinearAlgebra

/// JᵀJ and Jᵀr of a network's residual map of any depth, accumulated block by block from
/// per-sample Jacobian rows: J (M × N) is never held, only one block of rows.
///
/// The samples are cut into a fixed partition that depends only on the network's shape, never
/// on the thread count:
/// - blocks of ``blockSamples(outputs:parameters:)`` samples (about 4 MB of rows each), whose
///   rows J_b are formed and then added as J_bᵀJ_b and J_bᵀr_b, block after block, by
///   ``TiledGram`` (one task per Gram tile);
/// - within a block, sub-blocks of ``SampleTaskSweeps/taskSamples`` samples, one task each: a forward sweep
///   with derivatives over the sub-block's inputs and its rows written by the fused per-sample
///   Jacobian, on the worker's own sweeps (``SampleTaskSweeps``).
/// Every entry of JᵀJ is therefore the same sum in the same order on any number of threads.
///
/// Memory: one block of rows (≤ 4 MB beyond one sample's row) and one small sweep workspace per
/// worker, whatever the sample count — so a million samples of the 1 → 30 → 30 → 1 network
/// (J would be 8 GB) fit in a few tens of MB besides the N × N Gram matrix.
final class SampleBlockedNormalEquationsAssembler: NormalEquationsAssembler {
    /// Doubles of rows per block, about: 2¹⁹ (4 MB).
    static let blockValues = 1 << 19

    /// Samples per block for p outputs and N parameters: 2¹⁹ / (p·N) rounded down to whole
    /// sub-blocks, at least one sub-block.
    static func blockSamples(outputs p: Int, parameters n: Int) -> Int {
        let rowsValues = max(1, p * n)
        return max(1, blockValues / rowsValues / SampleTaskSweeps.taskSamples) * SampleTaskSweeps.taskSamples
    }

    let map: MultilayerPerceptronResidualMap
    let parameterCount: Int
    let blockSampleCount: Int
    private let taskSweeps: SampleTaskSweeps
    private let workers: Int
    private let blockRows = ScratchBuffer()
    private var point: [Double]
    private let clock = ContinuousClock()
    /// Seconds of ``assemble(residuals:gram:gradient:)`` spent forming rows (Jacobian work).
    private(set) var rowSeconds = 0.0

    /// An assembler for `map` with sweeps for `workers` threads.
    init(map: MultilayerPerceptronResidualMap, workers: Int) {
        self.map = map
        parameterCount = map.inputCount
        let p = map.outputsPerSample
        blockSampleCount = min(max(map.sampleCount, 1), Self.blockSamples(outputs: p, parameters: parameterCount))
        self.workers = max(workers, 1)
        taskSweeps = SampleTaskSweeps(network: map.network, workers: workers)
        blockRows.reserve(blockSampleCount * p * parameterCount)
        point = Array(repeating: 0, count: parameterCount)
    }

    func formFactors(at point: [Double]) {
        for index in 0..<parameterCount { self.point[index] = point[index] }
    }

    func assemble(residuals: [Double], gram: inout Matrix, gradient: inout [Double]) {
        let n = parameterCount, p = map.outputsPerSample, samples = map.sampleCount
        precondition(residuals.count == samples * p, "\(residuals.count) residuals, expected \(samples * p)")
        if gram.rows != n || gram.columns != n { gram.reshape(rows: n, columns: n) }
        if gradient.count != n { gradient = Array(repeating: 0, count: n) }
        let rows = blockRows.pointer
        let blocks = (samples + blockSampleCount - 1) / blockSampleCount
        point.withBaseAddress { theta in
            map.inputs.elements.withBaseAddress { x in
                residuals.withBaseAddress { r in
                    gram.elements.withMutableBaseAddress { c in
                        gradient.withMutableBaseAddress { g in
                            for block in 0..<max(blocks, 1) {
                                let first = block * blockSampleCount, count = min(blockSampleCount, samples - first)
                                let begin = clock.now
                                taskSweeps.writeRows(first: first, count: count, theta: theta, inputs: x, into: rows, workers: workers)
                                let parts = (clock.now - begin).components
                                rowSeconds += Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
                                TiledGram.accumulate(
                                    rows: rows, rowCount: count * p, columns: n, rowStride: n, residuals: r + first * p,
                                    overwrite: block == 0, gram: c, gradient: g, workers: workers)
                            }
                            TiledGram.mirror(gram: c, columns: n, workers: workers)
                        }
                    }
                }
            }
        }
    }
}
