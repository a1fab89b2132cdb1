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
        var variables: JacobianVariables
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

    /// seed-input (one point of 15-32-55): per-sample (55 single-sample pullbacks, measured
    /// 2.1 µs) just ahead of forward-vectorized (one sweep of 15 lanes, 2.6 µs), far ahead of
    /// the reverse strategies.
    @Test func inputsCaseWithOnePointRanksAsMeasured() {
        let shape = JacobianShape.multilayerPerceptron(layers: [15, 32, 55], samples: 1, variables: .inputs)
        let units = Dictionary(uniqueKeysWithValues: JacobianCostModel.predictions(on: shape).map { ($0.strategy, $0.forwardPassUnits) })
        #expect(JacobianCostModel.cheapestExact(on: shape).strategy == "per-sample")
        #expect((units["forward-vectorized"] ?? 0) < 2 * (units["per-sample"] ?? .infinity))
        #expect((units["reverse-vectorized"] ?? 0) > 2 * (units["forward-vectorized"] ?? .infinity))
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

    /// Forward-pass units of the forum network (5-9-3, 192 samples, parameters) and of
    /// seed-input (15-32-55 at one point, inputs) from the shipped AVX-512 constants, pinned:
    /// a change of the constants or of the terms shows here (refit with `make cost-model-check`).
    @Test func networkUnitsFromTheShippedConstantsArePinned() {
        let table = NetworkCostTable.shipped(for: .avx512)
        func units(_ layers: [Int], _ samples: Int, _ variables: JacobianVariables) -> [String: Double] {
            let shape = JacobianShape.multilayerPerceptron(layers: layers, samples: samples, variables: variables)
            return Dictionary(uniqueKeysWithValues: JacobianStrategyCatalog.allStrategies().filter { $0.name != "auto" }.map {
                ($0.name, JacobianCostModel.predict($0, on: shape, table: table).forwardPassUnits)
            })
        }
        let forum = units([5, 9, 3], 192, .parameters)
        let seedInput = units([15, 32, 55], 1, .inputs)
        let expectedForum: [String: Double] = [
            "central-difference": 193.7411,
            "complex-step": 2867.68,
            "forward-difference": 108.5175,
            "forward-loop": 123.6085,
            "forward-vectorized": 26.48356,
            "per-sample": 5.022632,
            "reverse-loop": 2818.329,
            "reverse-vectorized": 544.1415,
            "ridders": 1821.536,
            "swift-autodiff": 178.9323,
        ]
        let expectedSeedInput: [String: Double] = [
            "central-difference": 31.23686,
            "complex-step": 101.5893,
            "forward-difference": 17.88293,
            "forward-loop": 19.58054,
            "forward-vectorized": 4.119039,
            "per-sample": 3.660494,
            "reverse-loop": 44.57779,
            "reverse-vectorized": 13.28836,
            "ridders": 305.6282,
            "swift-autodiff": 103.3753,
        ]
        for (name, value) in expectedForum { #expect(abs((forum[name] ?? 0) - value) <= 1e-6 * value, "\(name)") }
        for (name, value) in expectedSeedInput { #expect(abs((seedInput[name] ?? 0) - value) <= 1e-6 * value, "\(name)") }
        #expect(expectedForum.count == 10 && expectedSeedInput.count == 10)
        // auto: its choice (per-sample) plus its per-call overhead.
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters)
        let auto = JacobianCostModel.predict(AutoStrategy(), on: shape, table: table).forwardPassUnits
        #expect(auto > (forum["per-sample"] ?? .infinity) && auto < 1.1 * (forum["per-sample"] ?? 0))
    }

    /// Only the AVX-512 table is measured; the others say they are extrapolated from it.
    @Test func unmeasuredVariantsAreMarkedExtrapolated() {
        #expect(NetworkCostTable.shipped(for: .avx512).provenance.hasPrefix("measured"))
        #expect(NetworkCostTable.shipped(for: .avx2).provenance.hasPrefix("extrapolated"))
        #expect(NetworkCostTable.shipped(for: .baseline).provenance.hasPrefix("extrapolated"))
        #expect(KernelVariant.allCases.contains(KernelVariant.current))
    }

    /// A map that is not a network keeps the counting model: reverse-loop m·(1 + r), forward-
    /// vectorized 1 + r·n, complex-step 4n.
    @Test func mapsWithoutWidthsKeepTheCountingModel() {
        let shape = JacobianShape(inputCount: 3, outputCount: 10, hasComplexEvaluation: true)
        #expect(JacobianCostModel.predict(ReverseLoop(), on: shape).forwardPassUnits == 20)
        #expect(JacobianCostModel.predict(ForwardVectorized(), on: shape).forwardPassUnits == 4)
        #expect(JacobianCostModel.predict(ComplexStep(), on: shape).forwardPassUnits == 12)
    }

    /// A chunked vectorized sweep is predicted dearer than the whole one on a small network
    /// (more sweeps, each paying its overhead).
    @Test func chunkingCostsSweeps() {
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters)
        let whole = JacobianCostModel.predict(ForwardVectorized(), on: shape).forwardPassUnits
        let chunked = JacobianCostModel.predict(ForwardVectorized(chunk: 4), on: shape).forwardPassUnits
        #expect(chunked > whole)
    }
}
