import LinearAlgebra
import NeuralNetworks
import Synchronization
import Testing
@testable import Jacobians

/// `auto`'s default decision: the cost model's cheapest exact strategy for the map's shape,
/// a pure function of the shape (no evaluation, no clock).
@Suite struct AutoCostModelDecisionTests {
    /// Forwards to a map and counts every call that evaluates it.
    final class CountingMap: DifferentiableMap, @unchecked Sendable {
        let base: any DifferentiableMap
        let calls = Mutex(0)
        init(_ base: any DifferentiableMap) { self.base = base }
        var inputCount: Int { base.inputCount }
        var outputCount: Int { base.outputCount }
        func evaluate(at point: [Double], into output: inout [Double]) {
            calls.withLock { $0 += 1 }
            base.evaluate(at: point, into: &output)
        }
        func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
            calls.withLock { $0 += 1 }
            base.pushforward(at: point, tangents: tangents, into: &result)
        }
        func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
            calls.withLock { $0 += 1 }
            base.pullback(at: point, cotangents: cotangents, into: &result)
        }
    }

    @Test func theForumNetworkGetsPerSampleFromTheCostModel() throws {
        let (map, theta) = ConformanceModel.forum5x9x3Tanh.make()
        let decision = try AutoStrategy().decide(for: map, at: theta)
        #expect(decision.chosen == "per-sample")
        #expect(decision.reason.hasPrefix("cost model: 5 forward-pass units vs forward-vectorized 26.5"), "\(decision.reason)")
        #expect(decision.reason.contains("n = 84, m = 576, S = 192, p = 3"))
        #expect(decision.excluded["forward-difference"] == "inexact (allow-inexact is off)")
        #expect(decision.excluded["swift-autodiff"] != nil)
        #expect(!decision.pinned)
        #expect(AutoStrategy().mode == "cost-model")
        #expect(AutoStrategy(calibrates: true).mode == "calibrated")
    }

    @Test func theNetworkDescribesItsOwnShape() throws {
        let (map, _) = ConformanceModel.forum5x9x3Tanh.make()
        let shape = JacobianShape.described(by: map)
        #expect(shape == .multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters))
        #expect(shape.laneWork == 2)
    }

    /// One coupled point: few inputs and many outputs → forward mode; the reverse → reverse mode.
    @Test(arguments: [([2, 32, 256], true), ([64, 8, 2], false)])
    func inputMapsGoForwardOrReverseByShape(widths: [Int], forward: Bool) throws {
        let (map, x) = ConformanceModel.inputs(widths: widths, activations: [.tanh, .identity], points: 1, seed: 5)
        let chosen = try AutoStrategy().decide(for: map, at: x).chosen
        if forward {
            #expect(["forward-vectorized", "forward-loop"].contains(chosen), "\(chosen)")
        } else {
            #expect(["reverse-vectorized", "reverse-loop", "per-sample"].contains(chosen), "\(chosen)")
        }
    }

    @Test func theDefaultDecisionNeverEvaluatesTheMap() throws {
        let (base, theta) = ConformanceModel.forum5x9x3Tanh.make()
        let counting = CountingMap(base)
        let decision = try AutoStrategy().decide(for: counting, at: theta)
        #expect(counting.calls.withLock { $0 } == 0)
        // Seen through a wrapper without per-sample structure: an exact vectorized sweep.
        #expect(decision.chosen == "forward-vectorized", "\(decision.chosen)")
        _ = try AutoStrategy(calibrates: true).decide(for: counting, at: theta)
        #expect(counting.calls.withLock { $0 } > 0, "calibration times the map")
    }

    @Test func twoInstancesDecideIdentically() throws {
        let (map, theta) = ConformanceModel.residuals(widths: [3, 17, 2], activations: [.tanh, .identity], samples: 50, seed: 11)
        let first = try AutoStrategy().decide(for: map, at: theta)
        let second = try AutoStrategy().decide(for: map, at: theta)
        #expect(first.chosen == second.chosen)
        #expect(first.reason == second.reason)
    }

    @Test func aGivenShapeOverridesTheMapsOwn() throws {
        let (map, theta) = ConformanceModel.forum5x9x3Tanh.make()
        // A shape claiming no per-sample structure and one column: forward mode is cheapest.
        let shape = JacobianShape(inputCount: 1, outputCount: 576)
        let chosen = try AutoStrategy().decide(for: map, at: theta, shape: shape).chosen
        #expect(["forward-loop", "forward-vectorized"].contains(chosen), "\(chosen)")
    }

    @Test func inexactStrategiesOnlyWhenAllowed() throws {
        let (map, theta) = ConformanceModel.inputs(widths: [1, 4, 1], activations: [.tanh, .identity], points: 1, seed: 3)
        #expect(try AutoStrategy().decide(for: map, at: theta).strategy.isExact)
        let inexact = try AutoStrategy(allowInexact: true).decide(for: map, at: theta)
        #expect(inexact.excluded["forward-difference"] == nil)
    }
}
