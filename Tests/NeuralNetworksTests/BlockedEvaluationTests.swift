import Jacobians
import LinearAlgebra
@testable import NeuralNetworks
import Testing

/// A wide network's residuals are evaluated block by block on the worker threads without its
/// hidden layers (`PerceptronSweeps.forwardOutputs()`): they equal the full forward sweep's to
/// rounding, have the same bits on 1, 2 and 3 threads, and a derivative sweep at the same θ
/// afterwards recomputes what the blocks did not keep.
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
        let full = network.outputs(for: inputs, parameters: point)
        var results: [[Double]] = []
        for workers in [1, 2, 3] {
            var residuals: [Double] = []
            ThreadSettings.$workerOverride.withValue(workers) { map.evaluate(at: point, into: &residuals) }
            results.append(residuals)
        }
        #expect(results.allSatisfy { zip($0, results[0]).allSatisfy { $0.bitPattern == $1.bitPattern } }, "the residuals differ between thread counts")
        let expected = zip(full.elements, targets.elements).map { $0 - $1 }
        let error = zip(results[0], expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(results[0].count == expected.count && error <= 1e-13, "off the full sweep by \(error)")

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
}
