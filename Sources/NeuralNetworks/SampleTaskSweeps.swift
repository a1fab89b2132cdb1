import Jacobians
import LinearAlgebra

/// One ``PerceptronSweeps`` per worker thread, for Jacobian rows formed in sample tasks: a
/// task runs the forward sweep with derivatives over its ``taskSamples`` samples and writes
/// their rows with the fused per-sample Jacobian, on the sweeps of the worker that took it.
///
/// Each sample's row depends on that sample alone, and every task runs the same kernels on the
/// same values whichever worker takes it, so rows formed this way have the same bits on any
/// number of workers. They equal the rows of one sweep over all samples to rounding, not
/// always bitwise: BLAS may take another kernel for a task's small gemm than for one over all
/// samples.
final class SampleTaskSweeps {
    /// Samples per task.
    static let taskSamples = 64

    private let network: MultilayerPerceptron
    private var workerSweeps: [PerceptronSweeps] = []

    /// Sweeps for `workers` workers (more are added when a later call asks for them).
    init(network: MultilayerPerceptron, workers: Int) {
        self.network = network
        reserve(workers: workers)
    }

    /// Makes sure there are sweeps for `workers` workers (allocates only when there are fewer).
    func reserve(workers: Int) {
        while workerSweeps.count < max(workers, 1) { workerSweeps.append(PerceptronSweeps(network: network)) }
    }

    /// The number of tasks for `samples` samples.
    static func taskCount(samples: Int) -> Int { (samples + taskSamples - 1) / taskSamples }

    /// The rows of samples `first ..< first + count` of the inputs at `x` (d values per sample)
    /// at θ = `theta` into `rows` (p rows of N values per sample, sample `first` first), one
    /// task per ``taskSamples`` samples on up to `workers` workers.
    func writeRows(
        first: Int, count: Int, theta: UnsafePointer<Double>, inputs x: UnsafePointer<Double>,
        into rows: UnsafeMutablePointer<Double>, workers: Int, streaming: Bool = false
    ) {
        reserve(workers: workers)
        let sampleValues = network.outputWidth * network.parameterCount
        ParallelTasks.run(count: Self.taskCount(samples: count), workers: workers) { task, worker in
            let start = task * Self.taskSamples
            writeRows(
                worker: worker, theta: theta, inputs: x, first: first + start, count: min(Self.taskSamples, count - start),
                into: rows + start * sampleValues, streaming: streaming)
        }
    }

    /// On `worker`'s sweeps: the rows of samples `first ..< first + count` of the inputs at `x`
    /// (d values per sample) at θ = `theta`, p rows per sample of N values, into `rows`.
    func writeRows(
        worker: Int, theta: UnsafePointer<Double>, inputs x: UnsafePointer<Double>, first: Int, count: Int,
        into rows: UnsafeMutablePointer<Double>, streaming: Bool = false
    ) {
        let sweeps = workerSweeps[worker]
        sweeps.setParameters(theta)
        sweeps.setInputs(x + first * network.inputWidth, sampleCount: count)
        sweeps.forward(derivatives: true)
        sweeps.perSampleJacobian(with: .parameters, into: rows, streaming: streaming)
    }
}
