import Jacobians
import LinearAlgebra
import Testing
@testable import NeuralNetworks

/// Rows formed in sample tasks on per-worker sweeps have the same bits on any number of workers
/// and equal the rows of one sweep over all samples to rounding — the ground for splitting the
/// Jacobian and the normal equations over threads.
@Suite struct SampleTaskSweepsTests {
    static let cases: [(widths: [Int], activations: [Activation], samples: Int)] = [
        ([5, 9, 3], [.tanh, .identity], 1_100),              // two layers: the fused C kernel
        ([1, 30, 30, 1], [.tanh, .tanh, .identity], 1_100),   // the scale network
        ([3, 4, 5, 4, 2], [.sigmoid, .gelu, .softplus, .tanh], 300),
        ([2, 20, 17], [.relu, .sigmoid], 130),                // wide output layer, gemm forward
    ]

    func wholeJacobian(_ map: MultilayerPerceptronResidualMap, at point: [Double]) -> Matrix {
        var jacobian = Matrix(rows: 0, columns: 0)
        map.sweepPerSampleJacobian(at: point, into: &jacobian)
        return jacobian
    }

    @Test(arguments: 0..<cases.count)
    func taskRowsHaveTheSameBitsOnAnyWorkerCount(index: Int) {
        let spec = Self.cases[index]
        let (any, point) = TestNetworks.residuals(widths: spec.widths, activations: spec.activations, samples: spec.samples, seed: UInt64(index + 20))
        let map = any as! MultilayerPerceptronResidualMap
        let reference = wholeJacobian(map, at: point)
        let scale = reference.elements.map { abs($0) }.max() ?? 1
        // Per writer (the streamed one may round a product differently), the rows of one worker.
        var firstRows: [Bool: [Double]] = [:]
        for workers in [1, 2, 3] {
            for streaming in [false, true] {
                let sweeps = SampleTaskSweeps(network: map.network, workers: workers)
                var rows = Array(repeating: Double.nan, count: map.outputCount * map.inputCount)
                let n = map.inputCount, p = map.outputsPerSample, step = SampleTaskSweeps.taskSamples
                point.withUnsafeBufferPointer { theta in
                    map.inputs.elements.withUnsafeBufferPointer { x in
                        rows.withUnsafeMutableBufferPointer { target in
                            ParallelTasks.run(count: SampleTaskSweeps.taskCount(samples: spec.samples), workers: workers) { task, worker in
                                let first = task * step
                                sweeps.writeRows(
                                    worker: worker, theta: theta.baseAddress!, inputs: x.baseAddress!, first: first,
                                    count: min(step, spec.samples - first), into: target.baseAddress! + first * p * n, streaming: streaming)
                            }
                        }
                    }
                }
                if firstRows[streaming] == nil { firstRows[streaming] = rows }
                let differing = zip(rows, firstRows[streaming] ?? []).filter { $0.0.bitPattern != $0.1.bitPattern }.count
                #expect(differing == 0, "\(spec.widths), \(workers) workers, streaming \(streaming): \(differing) values differ")
                let deviation = zip(rows, reference.elements).map { abs($0 - $1) }.max() ?? .nan
                #expect(deviation <= 1e-14 * scale, "\(spec.widths): \(deviation) from one sweep")
            }
        }
    }

    @Test func theMapsTaskJacobianHasTheSameBitsOnOneAndTwoWorkers() {
        let (any, point) = TestNetworks.residuals(widths: [1, 30, 30, 1], activations: [.tanh, .tanh, .identity], samples: 1_100, seed: 31)
        let map = any as! MultilayerPerceptronResidualMap
        #expect(map.outputCount * map.inputCount >= MultilayerPerceptronResidualMap.parallelJacobianValues)
        func jacobian(workers: Int) -> Matrix {
            ThreadSettings.$workerOverride.withValue(workers) { () -> Matrix in
                var jacobian = Matrix(rows: 0, columns: 0)
                map.perSampleJacobian(at: point, into: &jacobian)
                return jacobian
            }
        }
        let one = jacobian(workers: 1), two = jacobian(workers: 2)
        #expect(map.sampleTaskSweeps != nil, "the task path was taken")
        #expect(one.rows == map.outputCount && one.columns == map.inputCount)
        #expect(zip(one.elements, two.elements).allSatisfy { $0.bitPattern == $1.bitPattern })
        let reference = wholeJacobian(map, at: point)
        let scale = reference.elements.map { abs($0) }.max() ?? 1
        #expect((zip(one.elements, reference.elements).map { abs($0 - $1) }.max() ?? .nan) <= 1e-14 * scale)
    }
}
