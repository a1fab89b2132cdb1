import Jacobians
import LinearAlgebra
import NeuralNetworks
import PropertyBased
import Testing

/// Property-based: random architectures, activations, sample counts and points
/// drawn by swift-property-based generators from a fixed seed, so every run
/// checks the same 40 cases (a failure names the case in its message).
@Suite struct RandomArchitectureProperties {
    static let architectures = Gen.int(in: 1...6).array(of: 2...4)
    static let activations = Gen.int(in: 0...(Activation.allCases.count - 1))

    @Test func exactStrategiesAgreeOnRandomNetworks() throws {
        var random = Xoshiro(seed: (0x5eed, 0xfeed, 0xbeef, 0xcafe))
        for _ in 0..<40 {
            let widths = Self.architectures.run(using: &random)
            let activationIndex = Self.activations.run(using: &random)
            let samples = Gen.int(in: 1...9).run(using: &random)
            let seed = Gen.int(in: 0...1_000_000).run(using: &random)
            var generator = SeededGenerator(seed: UInt64(seed))
            let hidden = Activation.allCases[activationIndex]
            let activations = (0..<(widths.count - 1)).map { $0 == widths.count - 2 ? Activation.tanh : hidden }
            let network = ConformanceModel.network(widths: widths, activations: activations, generator: &generator)
            let inputs = ConformanceModel.randomMatrix(rows: samples, columns: widths[0], generator: &generator)
            let targets = ConformanceModel.randomMatrix(rows: samples, columns: widths[widths.count - 1], generator: &generator)
            let residuals = MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
            let inputMap = MultilayerPerceptronInputMap(network: network, pointCount: samples)
            let x = inputs.elements
            for (map, point) in [(residuals as any DifferentiableMap, network.parameters), (inputMap, x)] {
                let reference = try? ForwardVectorized().jacobian(of: map, at: point)
                // A failed reference is recorded and the property goes on with the other draws.
                guard let reference else { Issue.record("reference failed: \(widths) \(hidden) S=\(samples)"); continue }
                let chunk = 1 + seed % 5
                let strategies: [any JacobianStrategy] = [
                    ReverseLoop(), ForwardLoop(), ReverseVectorized(), PerSampleGradients(),
                    ReverseVectorized(chunk: chunk), ComplexStep(),
                ]
                for strategy in strategies where strategy.inapplicabilityReason(for: map) == nil {
                    let report = try? JacobianConformance.check(strategy, on: map, at: point, reference: reference)
                    #expect(report?.passed == true, "\(widths) \(hidden) S=\(samples): \(String(describing: report))")
                }
                let chunked = try? ForwardVectorized(chunk: chunk).jacobian(of: map, at: point)
                #expect(chunked.map { JacobianConformance.relativeDifference($0, reference) <= 1e-14 } == true)
            }
        }
    }
}
