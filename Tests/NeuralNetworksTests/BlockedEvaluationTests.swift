import Jacobians
import LinearAlgebra
@testable import NeuralNetworks
import Testing

/// A wide network's residuals and outputs are evaluated block by block on the worker threads
/// without its hidden layers (`PerceptronSweeps.forwardOutputs()`): they equal the full forward
/// sweep's to rounding, have the same bits on 1, 2 and 3 threads, and a derivative sweep at the
/// same θ afterwards recomputes what the blocks did not keep. What an evaluation holds is
/// predicted from the widths alone (`MultilayerPerceptron.evaluationValues`).
@Suite struct BlockedEvaluationTests {
    /// 8,192 samples of 2 → 200 → 8 → 200 → 3 (16 blocks; two narrow layers, whose Wᵀ the
    /// blocks share).
    @Test func wideResidualsMatchTheFullSweepOnAnyThreadCount() throws {
        let widths = [2, 200, 8, 200, 3], samples = 8192
        #expect(samples * 200 >= PerceptronSweeps.blockedOutputValues && samples > PerceptronSweeps.outputBlockSamples)
        var generator = SeededGenerator(seed: 31)
        let network = TestNetworks.network(widths: widths, activations: [.tanh, .sigmoid, .tanh, .identity], generator: &generator)
        let inputs = TestNetworks.randomMatrix(rows: samples, columns: widths[0], generator: &generator)
        let targets = TestNetworks.randomMatrix(rows: samples, columns: widths[4], generator: &generator)
        let map = MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
        let point = network.parameters.map { $0 * 1.1 }
        // The full sweep: every layer over all samples at once.
        let sweeps = PerceptronSweeps(network: network)
        var full: [Double] = []
        inputs.elements.withBaseAddress { x in
            point.withBaseAddress { p in sweeps.forward(parameters: p, inputs: x, sampleCount: samples, derivatives: false) }
        }
        sweeps.copyOutputs(into: &full)
        var results: [[Double]] = [], outputs: [[Double]] = []
        for workers in [1, 2, 3] {
            var residuals: [Double] = []
            ThreadSettings.$workerOverride.withValue(workers) {
                map.evaluate(at: point, into: &residuals)
                outputs.append(network.outputs(for: inputs, parameters: point).elements)
            }
            results.append(residuals)
        }
        #expect(results.allSatisfy { zip($0, results[0]).allSatisfy { $0.bitPattern == $1.bitPattern } }, "the residuals differ between thread counts")
        let expected = zip(full, targets.elements).map { $0 - $1 }
        let error = zip(results[0], expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(results[0].count == expected.count && error <= 1e-13, "off the full sweep by \(error)")
        // The network's own outputs go through the same blocks: less the targets, they are the
        // residuals bit for bit, on every thread count.
        #expect(outputs.allSatisfy { own in
            own.count == targets.elements.count
                && zip(zip(own, targets.elements).map { $0 - $1 }, results[0]).allSatisfy { $0.bitPattern == $1.bitPattern }
        })

        // A pullback at θ after a blocked evaluation there (and after one at another θ) equals a
        // fresh map's: the hidden layers the blocks did not keep are recomputed.
        let cotangents = TestNetworks.randomMatrix(rows: 1, columns: map.outputCount, generator: &generator)
        var fresh = Matrix(rows: 0, columns: 0), afterEvaluation = Matrix(rows: 0, columns: 0)
        MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
            .pullback(at: point, cotangents: cotangents, into: &fresh)
        var residuals: [Double] = []
        map.pullback(at: network.parameters, cotangents: cotangents, into: &afterEvaluation)
        map.evaluate(at: point, into: &residuals)
        map.pullback(at: point, cotangents: cotangents, into: &afterEvaluation)
        #expect(fresh.elements.count == afterEvaluation.elements.count
            && zip(fresh.elements, afterEvaluation.elements).allSatisfy { $0.bitPattern == $1.bitPattern })
    }

    /// Few samples go through whole (the inputs' copy and every layer's outputs); many go in
    /// blocks (the inputs' copy, the outputs, two block buffers per worker, at most one worker
    /// per block, each min(S, block) × max(w)); a size too large to count saturates.
    @Test func anEvaluationsHeldValuesFollowTheBlockingRule() {
        let block = PerceptronSweeps.outputBlockSamples
        // 400 × 30 < 2²⁰: whole.
        #expect(MultilayerPerceptron.evaluationValues(layerWidths: [5, 30, 3], samples: 400, workers: 2) == 400 * 5 + 400 * (30 + 3))
        // 8,192 × 200 ≥ 2²⁰: 16 blocks over 2 workers.
        #expect(8192 * 200 >= PerceptronSweeps.blockedOutputValues)
        #expect(MultilayerPerceptron.evaluationValues(layerWidths: [2, 200, 8, 200, 3], samples: 8192, workers: 2)
            == 8192 * 2 + 8192 * 3 + 2 * 2 * block * 200)
        // 10⁶ samples of the scale network: the hidden layers never held whole.
        let million = MultilayerPerceptron.evaluationValues(layerWidths: [1, 30, 30, 1], samples: 1_000_000, workers: 4)
        #expect(million == 1_000_000 * 2 + 2 * 4 * block * 30 && million < 1_000_000 * 61)
        // One short block: one worker, 10 rows.
        #expect(MultilayerPerceptron.evaluationValues(layerWidths: [1, 200_000, 1], samples: 10, workers: 4) == 10 + 10 + 2 * 10 * 200_000)
        // Without hidden layers there is nothing to block.
        #expect(MultilayerPerceptron.evaluationValues(layerWidths: [3, 2], samples: 1 << 20, workers: 2) == (1 << 20) * 5)
        #expect(MultilayerPerceptron.evaluationValues(layerWidths: [1, 30, 1], samples: Int.max / 2, workers: 1) == Int.max)
    }
}
