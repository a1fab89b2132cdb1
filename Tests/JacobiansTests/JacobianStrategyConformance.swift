import Jacobians
import LinearAlgebra
import NeuralNetworks
import Testing

/// The compatibility kit: every strategy × every model (see `JacobianConformance`
/// for what one check covers: agreement with forward-vectorized to the strategy's
/// tolerance, counters equal to the design's formulas, warm-buffer repeatability).
@Suite struct JacobianStrategyConformance {
    @Test(arguments: StrategyCase.all, ConformanceModel.allCases)
    func strategyConformsOnModel(_ strategyCase: StrategyCase, _ model: ConformanceModel) throws {
        let (map, point) = model.make(for: strategyCase.name)
        let strategy = try strategyCase.make()
        // Ridders assumes smoothness over its initial step; on relu its accuracy is
        // not promised (its error estimate flags it: see the Ridders test below).
        let tolerance: Double? = strategy.name == "ridders" && !model.isSmooth ? .infinity : nil
        let report = try JacobianConformance.check(strategy, on: map, at: point, tolerance: tolerance)
        // The MLP maps adopt every capability, so every strategy must run.
        #expect(report.notApplicable == nil, "\(report)")
        #expect(report.passed, "\(report)")
        if strategyCase.options.chunk == nil, report.expectedCost == nil {
            #expect(["ridders", "auto"].contains(strategy.name), "no cost formula checked for \(strategy.name)")
        }
    }

    @Test(arguments: ConformanceModel.allCases)
    func chunkedEqualsUnchunked(_ model: ConformanceModel) throws {
        let (map, point) = model.make()
        let forward = try ForwardVectorized().jacobian(of: map, at: point)
        let backward = try ReverseVectorized().jacobian(of: map, at: point)
        for chunk in [1, 2, 3, 16, 10_000] {
            let forwardChunked = try ForwardVectorized(chunk: chunk).jacobian(of: map, at: point)
            let backwardChunked = try ReverseVectorized(chunk: chunk).jacobian(of: map, at: point)
            #expect(JacobianConformance.relativeDifference(forwardChunked, forward) <= 1e-14, "forward chunk \(chunk)")
            #expect(JacobianConformance.relativeDifference(backwardChunked, backward) <= 1e-14, "reverse chunk \(chunk)")
        }
    }

    @Test(arguments: ConformanceModel.allCases)
    func riddersErrorEstimateBoundsTheActualError(_ model: ConformanceModel) throws {
        let (map, point) = model.make()
        let exact = try ForwardVectorized().jacobian(of: map, at: point)
        var jacobian = Matrix(rows: 0, columns: 0)
        let (_, errors) = RiddersExtrapolation().jacobianWithErrorEstimate(of: map, at: point, into: &jacobian)
        for column in 0..<map.inputCount {
            var actual = 0.0
            for row in 0..<map.outputCount { actual = max(actual, abs(jacobian[row, column] - exact[row, column])) }
            // The estimate is a heuristic; it must be within an order of magnitude or rounding level.
            #expect(actual <= 10 * errors[column] + 1e-13, "column \(column): actual \(actual), estimate \(errors[column])")
        }
    }

    @Test func perSampleGradientsAreTheRowsOfTheJacobian() throws {
        let (map, point) = ConformanceModel.forum5x9x3Tanh.make()
        let structured = try #require(map as? any PerSampleStructured)
        let jacobian = try ForwardVectorized().jacobian(of: map, at: point)
        var gradients = Matrix(rows: 0, columns: 0)
        for output in 0..<structured.outputsPerSample {
            structured.perSampleGradients(at: point, outputIndex: output, into: &gradients)
            #expect(gradients.rows == structured.sampleCount && gradients.columns == map.inputCount)
            for sample in [0, 17, structured.sampleCount - 1] {
                let row = jacobian.row(sample * structured.outputsPerSample + output)
                let difference = zip(row, gradients.row(sample)).map { abs($0 - $1) }.max() ?? 0
                #expect(difference <= 1e-14)
            }
        }
    }

    /// The default `perSampleJacobian` (used by models that only provide
    /// per-sample gradients) agrees with the MLP's in-place override.
    @Test func defaultPerSampleJacobianMatchesOverride() throws {
        let (map, point) = ConformanceModel.mixed3x4x5x4x2.make()
        let wrapped = PerSampleOnly(map as! MultilayerPerceptronResidualMap)
        var viaDefault = Matrix(rows: 0, columns: 0)
        _ = try PerSampleGradients().jacobian(of: wrapped, at: point, into: &viaDefault)
        let direct = try PerSampleGradients().jacobian(of: map, at: point)
        #expect(JacobianConformance.relativeDifference(viaDefault, direct) <= 1e-15)
    }
}

/// Forwards everything but `perSampleJacobian`, to exercise the protocol default.
final class PerSampleOnly: PerSampleStructured {
    let base: MultilayerPerceptronResidualMap
    init(_ base: MultilayerPerceptronResidualMap) { self.base = base }
    var inputCount: Int { base.inputCount }
    var outputCount: Int { base.outputCount }
    var sampleCount: Int { base.sampleCount }
    var outputsPerSample: Int { base.outputsPerSample }
    func evaluate(at point: [Double], into output: inout [Double]) { base.evaluate(at: point, into: &output) }
    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        base.pushforward(at: point, tangents: tangents, into: &result)
    }
    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        base.pullback(at: point, cotangents: cotangents, into: &result)
    }
    func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        base.perSampleGradients(at: point, outputIndex: outputIndex, into: &result)
    }
}
