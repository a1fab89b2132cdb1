import ComplexModule
import Jacobians
import LinearAlgebra
import NeuralNetworks
import Testing

@Suite struct MultilayerPerceptronTests {
    /// An independent scalar evaluation following the documented layout.
    static func naiveOutputs(_ network: MultilayerPerceptron, _ x: [Double]) -> [Double] {
        var current = x
        var offset = 0
        for layer in 0..<network.layerCount {
            let inWidth = network.layerWidths[layer], outWidth = network.layerWidths[layer + 1]
            let weights = Array(network.parameters[offset..<(offset + outWidth * inWidth)])
            offset += outWidth * inWidth
            let biases = Array(network.parameters[offset..<(offset + outWidth)])
            offset += outWidth
            current = (0..<outWidth).map { o in
                var z = biases[o]
                for i in 0..<inWidth { z += weights[o * inWidth + i] * current[i] }
                return network.activations[layer].value(z)
            }
        }
        return current
    }

    @Test func parameterCountAndOffsetsFollowTheLayout() {
        let network = MultilayerPerceptron(layerWidths: [5, 9, 3], activation: .tanh)
        #expect(network.parameterCount == 84)
        #expect(network.weightOffsets == [0, 54])
        #expect(network.biasOffsets == [45, 81])
        #expect(network.activations == [.tanh, .identity])
        let wide = MultilayerPerceptron(layerWidths: [15, 32, 55], activation: .tanh)
        #expect(wide.parameterCount == 32 * 16 + 55 * 33)
    }

    @Test(arguments: Activation.allCases)
    func batchedOutputsMatchScalarEvaluation(_ activation: Activation) {
        var generator = SeededGenerator(seed: 11)
        let network = TestNetworks.network(widths: [3, 7, 4, 2], activations: [activation, activation, .sigmoid], generator: &generator)
        let inputs = TestNetworks.randomMatrix(rows: 9, columns: 3, generator: &generator)
        let outputs = network.outputs(for: inputs)
        #expect(outputs.rows == 9 && outputs.columns == 2)
        for sample in 0..<9 {
            let expected = Self.naiveOutputs(network, inputs.row(sample))
            for unit in 0..<2 { #expect(abs(outputs[sample, unit] - expected[unit]) <= 1e-14) }
        }
    }

    @Test func residualsAreOutputsMinusTargetsInSampleMajorOrder() {
        let (map, theta) = TestNetworks.forum5x9x3Tanh()
        let residualMap = map as! MultilayerPerceptronResidualMap
        #expect(map.inputCount == 84 && map.outputCount == 576)
        #expect(residualMap.sampleCount == 192 && residualMap.outputsPerSample == 3)
        var residuals: [Double] = []
        map.evaluate(at: theta, into: &residuals)
        let outputs = residualMap.network.outputs(for: residualMap.inputs, parameters: theta)
        for sample in [0, 100, 191] {
            for unit in 0..<3 {
                #expect(residuals[sample * 3 + unit] == outputs[sample, unit] - residualMap.targets[sample, unit])
            }
        }
    }

    @Test func complexEvaluationAtARealPointIsTheRealEvaluation() {
        let (map, theta) = TestNetworks.mixed3x4x5x4x2()
        let complexMap = map as! MultilayerPerceptronResidualMap
        var real: [Double] = [], complex: [Complex<Double>] = []
        map.evaluate(at: theta, into: &real)
        complexMap.evaluate(at: theta.map { Complex($0) }, into: &complex)
        for index in real.indices {
            #expect(abs(complex[index].real - real[index]) <= 1e-14)
            #expect(complex[index].imaginary == 0)
        }
    }

    @Test func swiftDifferentiableImplementationComputesTheSameResiduals() {
        let (map, theta) = TestNetworks.mixed3x4x5x4x2()
        let residualMap = map as! MultilayerPerceptronResidualMap
        var real: [Double] = []
        map.evaluate(at: theta, into: &real)
        let differentiable = residualMap.differentiableOutput(at: theta)
        #expect(differentiable.count == real.count)
        for index in real.indices { #expect(abs(differentiable[index] - real[index]) <= 1e-14) }
    }

    @Test func inputMapEvaluatesEveryPoint() {
        let (map, x) = TestNetworks.inputs4x6x3Points()
        let inputMap = map as! MultilayerPerceptronInputMap
        var y: [Double] = []
        map.evaluate(at: x, into: &y)
        #expect(y.count == 9)
        for point in 0..<3 {
            let expected = Self.naiveOutputs(inputMap.network, Array(x[(point * 4)..<(point * 4 + 4)]))
            for unit in 0..<3 { #expect(abs(y[point * 3 + unit] - expected[unit]) <= 1e-14) }
        }
    }

    @Test func initializationIsDeterministicAndWithinGlorotBounds() {
        let network = MultilayerPerceptron(layerWidths: [5, 9, 3], activation: .tanh)
        let a = network.initialized(.glorot, seed: 42), b = network.initialized(.glorot, seed: 42)
        let c = network.initialized(.glorot, seed: 43)
        #expect(a.parameters == b.parameters)
        #expect(a.parameters != c.parameters)
        let limit = (6.0 / 14.0).squareRoot()
        #expect(a.parameters[0..<45].allSatisfy { abs($0) <= limit })
        #expect(a.parameters[45..<54].allSatisfy { $0 == 0 })
        let he = network.initialized(.he, seed: 1)
        #expect(he.parameters[0..<45].contains { abs($0) > limit })
        let uniform = network.initialized(.uniform(scale: 0.1), seed: 1)
        #expect(uniform.parameters.allSatisfy { abs($0) <= 0.1 })
    }

    @Test func sweepsReuseTheirWorkspaceOnceWarm() throws {
        let (map, theta) = TestNetworks.forum5x9x3Tanh()
        let residualMap = map as! MultilayerPerceptronResidualMap
        var jacobian = Matrix(rows: 0, columns: 0)
        for name in ["forward-vectorized", "reverse-vectorized", "per-sample"] {
            _ = try JacobianStrategyCatalog.strategy(named: name).jacobian(of: map, at: theta, into: &jacobian)
        }
        let warm = residualMap.workspaceBytes
        for name in ["forward-vectorized", "reverse-vectorized", "per-sample", "forward-loop"] {
            _ = try JacobianStrategyCatalog.strategy(named: name).jacobian(of: map, at: theta, into: &jacobian)
        }
        #expect(residualMap.workspaceBytes == warm)
    }

    @Test func forwardCacheIsInvalidatedWhenTheParametersChange() throws {
        let (map, theta) = TestNetworks.mixed3x4x5x4x2()
        var moved = theta
        moved[0] += 0.25
        let before = try ForwardVectorized().jacobian(of: map, at: theta)
        let after = try ForwardVectorized().jacobian(of: map, at: moved)
        let (fresh, _) = TestNetworks.mixed3x4x5x4x2()
        let expected = try ReverseLoop().jacobian(of: fresh, at: moved)
        #expect(JacobianConformance.relativeDifference(after, expected) <= 1e-12)
        #expect(JacobianConformance.relativeDifference(before, after) > 1e-6)
    }
}
