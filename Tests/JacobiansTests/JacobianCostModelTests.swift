import Jacobians
import LinearAlgebra
import NeuralNetworks
import Testing

/// The cost model's counts are the counters the strategies report when they run.
@Suite struct JacobianCostModelTests {
    /// A network shape, built both as a real map and as a ``JacobianShape`` from its widths.
    struct Case: Sendable, CustomTestStringConvertible {
        var widths: [Int]
        var samples: Int
        var variables: JacobianShape.Variables
        var testDescription: String { "\(widths.map(String.init).joined(separator: "-")) S=\(samples) \(variables.rawValue)" }

        func make() -> (map: any DifferentiableMap, point: [Double]) {
            let activations = Array(repeating: Activation.tanh, count: widths.count - 2) + [.identity]
            switch variables {
            case .parameters: return ConformanceModel.residuals(widths: widths, activations: activations, samples: samples, seed: 11)
            case .inputs: return ConformanceModel.inputs(widths: widths, activations: activations, points: samples, seed: 12)
            }
        }

        var shape: JacobianShape { .multilayerPerceptron(layers: widths, samples: samples, variables: variables) }
    }

    static let cases = [
        Case(widths: [5, 9, 3], samples: 20, variables: .parameters),
        Case(widths: [3, 4, 5, 2], samples: 7, variables: .parameters),
        Case(widths: [15, 32, 55], samples: 1, variables: .inputs),
        Case(widths: [4, 6, 3], samples: 3, variables: .inputs),
    ]

    /// Every strategy with default options, plus the vectorized ones chunked.
    static func strategies() -> [any JacobianStrategy] {
        JacobianStrategyCatalog.allStrategies().filter { $0.name != "auto" }
            + [ForwardVectorized(chunk: 7), ReverseVectorized(chunk: 7), ForwardVectorized(chunk: 1000), ReverseVectorized(chunk: 2)]
    }

    @Test(arguments: cases) func shapeFromWidthsMatchesTheBuiltMap(_ item: Case) {
        let (map, _) = item.make()
        let fromMap = JacobianShape(map: map)
        #expect(item.shape.inputCount == fromMap.inputCount)
        #expect(item.shape.outputCount == fromMap.outputCount)
        #expect(item.shape.sampleCount == fromMap.sampleCount)
        #expect(item.shape.outputsPerSample == fromMap.outputsPerSample)
        #expect(item.shape.hasComplexEvaluation == fromMap.hasComplexEvaluation)
    }

    @Test(arguments: cases) func predictedCountsEqualReportedCounters(_ item: Case) throws {
        let (map, point) = item.make()
        for strategy in Self.strategies() where strategy.inapplicabilityReason(for: map) == nil {
            var jacobian = Matrix(rows: 0, columns: 0)
            let reported = try strategy.jacobian(of: map, at: point, into: &jacobian)
            let predicted = JacobianCostModel.predict(strategy, on: item.shape)
            if predicted.isUpperBound {
                #expect(reported.forwardEvaluations <= predicted.cost.forwardEvaluations, "\(strategy.name)")
                #expect(reported.forwardEvaluations >= 2 * map.inputCount, "\(strategy.name)")
            } else {
                #expect(reported == predicted.cost, "\(strategy.name) chunk \(predicted.lanesPerSweep.map(String.init) ?? "-")")
            }
            #expect(predicted.peakBytes >= reported.workspaceBytes + 8 * map.outputCount * map.inputCount)
        }
    }

    @Test func forumCaseRanksPerSampleFirstAndReverseLoopBehindForwardLoop() {
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters)
        #expect(shape.inputCount == 84 && shape.outputCount == 576)
        let best = JacobianCostModel.cheapestExact(on: shape)
        #expect(best.strategy == "per-sample")
        #expect(best.cost.pullbacks == 3)
        let units = Dictionary(uniqueKeysWithValues: JacobianCostModel.predictions(on: shape).map { ($0.strategy, $0.forwardPassUnits) })
        #expect((units["reverse-loop"] ?? 0) > (units["forward-loop"] ?? .infinity))
        #expect((units["reverse-vectorized"] ?? 0) > (units["forward-vectorized"] ?? .infinity))
    }

    @Test func inputsCaseWithOnePointRanksForwardVectorizedFirst() {
        let shape = JacobianShape.multilayerPerceptron(layers: [15, 32, 55], samples: 1, variables: .inputs)
        #expect(JacobianCostModel.cheapestExact(on: shape).strategy == "forward-vectorized")
    }

    @Test func chunkKeepsThePredictedPeakWithinTheBudgetAndIsTheLargestThatDoes() throws {
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 200, 3], samples: 1000, variables: .parameters)
        let budget = 64 << 20
        for forward in [true, false] {
            let chunk = try #require(JacobianCostModel.chunk(forward: forward, on: shape, budgetBytes: budget))
            func peak(_ lanes: Int) -> Int {
                JacobianCostModel.predict(forward ? ForwardVectorized(chunk: lanes) : ReverseVectorized(chunk: lanes), on: shape).peakBytes
            }
            #expect(peak(chunk) <= budget)
            #expect(peak(chunk + 1) > budget)
        }
        let small = JacobianShape.multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters)
        #expect(JacobianCostModel.chunk(forward: true, on: small, budgetBytes: budget) == nil)
    }

    @Test func pinnedAutoIsPredictedAsItsStrategy() throws {
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters)
        let auto = try AutoStrategy(pinned: "forward-loop")
        let predicted = JacobianCostModel.predict(auto, on: shape)
        #expect(predicted.strategy == "auto")
        #expect(predicted.cost == JacobianCostModel.predict(ForwardLoop(), on: shape).cost)
    }
}
