import Jacobians
import LinearAlgebra
import Testing

/// A strategy written outside the Jacobians module, as a user would add one: pushforwards of
/// two tangent columns at a time. It conforms to ``CatalogedJacobianStrategy`` and nothing
/// else names it, so the cost model, the conformance kit and `advise`'s reason read it only
/// through its description.
struct ColumnPairs: CatalogedJacobianStrategy {
    /// Counts one sweep fewer than it makes when true (a deliberately wrong description).
    var miscounts = false

    static let entry = JacobianStrategyEntry(
        name: "column-pairs", summary: "two tangent columns per pushforward", cost: "⌈n/2⌉ forward-tangent", isExact: true)

    init(miscounts: Bool = false) { self.miscounts = miscounts }
    init(options: JacobianStrategyOptions) { self.init() }

    func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let n = shape.inputCount, sweeps = (n + 1) / 2 - (miscounts ? 1 : 0)
        return PredictedJacobianWork(
            cost: JacobianCost(pushforwards: sweeps, tangentLanes: n, workspaceBytes: JacobianShape.doubleBytes(2 * (shape.outputCount + n))),
            forwardPassUnits: Double(sweeps) * (1 + 2 * shape.laneWork), lanesPerSweep: 2, lanesOfWidestSweep: 2)
    }

    func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var block = Matrix(rows: m, columns: 2)
        var sweeps = 0
        for first in stride(from: 0, to: n, by: 2) {
            var seed = Matrix(rows: n, columns: 2)
            for lane in 0..<min(2, n - first) { seed[first + lane, lane] = 1 }
            map.pushforward(at: point, tangents: seed, into: &block)
            for lane in 0..<min(2, n - first) {
                for row in 0..<m { jacobian[row, first + lane] = block[row, lane] }
            }
            sweeps += 1
        }
        return JacobianCost(pushforwards: sweeps, tangentLanes: n, workspaceBytes: JacobianShape.doubleBytes(2 * (m + n)))
    }
}

/// The extension seam: a strategy is one type describing itself; everything that consumes
/// strategies reads the description.
@Suite struct StrategyExtensionTests {
    /// Passes the conformance kit on a network and an odd column count, held to the counters
    /// its own description predicts.
    @Test(arguments: [ConformanceModel.forum5x9x3Tanh, .inputs15x32x55Tanh, .mixed3x4x5x4x2])
    func aNewStrategyPassesTheKitAgainstItsOwnPrediction(model: ConformanceModel) throws {
        let (map, point) = model.make()
        let report = try JacobianConformance.check(ColumnPairs(), on: map, at: point)
        #expect(report.passed, "\(report)")
        #expect(report.expectedCost == JacobianCost(pushforwards: (map.inputCount + 1) / 2, tangentLanes: map.inputCount))
    }

    /// The kit fails a strategy whose description miscounts its sweeps.
    @Test func theKitCatchesAMiscountedDescription() throws {
        let (map, point) = ConformanceModel.forum5x9x3Tanh.make()
        let report = try JacobianConformance.check(ColumnPairs(miscounts: true), on: map, at: point)
        #expect(!report.passed)
        #expect(report.problems.contains { $0.contains("differ from the formula") }, "\(report)")
    }

    /// The cost model predicts it from its description: counters, units by the generic rule
    /// (no measured network constants for it), and peak bytes with two lanes of the map's
    /// per-lane buffers.
    @Test func theCostModelPredictsItFromItsDescription() {
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters)
        let prediction = JacobianCostModel.predict(ColumnPairs(), on: shape)
        #expect(prediction.strategy == "column-pairs")
        #expect(prediction.cost.pushforwards == 42 && prediction.cost.tangentLanes == 84)
        #expect(prediction.forwardPassUnits == 42 * (1 + 2 * 2))
        #expect(prediction.lanesPerSweep == 2 && !prediction.isUpperBound && prediction.isExact)
        let expectedPeak = 8 * 2 * (576 + 84) + shape.bytesPerLane * 2 + shape.fixedBytes + 8 * 576 * 84
        #expect(prediction.peakBytes == expectedPeak)
    }

    /// `advise`'s reason for it comes from its description's default wording.
    @Test func itsReasonInWordsComesFromTheDescription() {
        let shape = JacobianShape.multilayerPerceptron(layers: [5, 9, 3], samples: 192, variables: .parameters)
        let strategy = ColumnPairs()
        #expect(strategy.choiceReason(JacobianCostModel.predict(strategy, on: shape), on: shape) == "M = 576 > N = 84: column-pairs needs 42 sweeps")
    }

    /// Every registered strategy's catalog line agrees with the instance the catalog builds,
    /// and the catalog's names are the registered entries' names in order.
    @Test func theCatalogIsTheRegisteredDescriptions() throws {
        #expect(JacobianStrategyCatalog.registered.count == 11)
        #expect(JacobianStrategyCatalog.names == JacobianStrategyCatalog.registered.map { $0.entry.name })
        for type in JacobianStrategyCatalog.registered {
            let strategy = try JacobianStrategyCatalog.strategy(named: type.entry.name)
            #expect(strategy.name == type.entry.name)
            #expect(strategy.isExact == type.entry.isExact, "\(type.entry.name)")
        }
    }
}

/// `typical-scale`: the difference strategies' step at coordinates near zero.
@Suite struct TypicalScaleOptionTests {
    @Test func theOptionReachesTheStrategyAndAFitsStartDoesNotOverrideIt() throws {
        let strategy = try JacobianStrategyCatalog.strategy(named: "central-difference", options: JacobianStrategyOptions(typicalScale: [1e-3, 2]))
        #expect((strategy as? CentralDifference)?.typicalScale == [1e-3, 2])
        #expect((strategy.withTypicalScale([5, 5]) as? CentralDifference)?.typicalScale == [1e-3, 2])
        let unset = try JacobianStrategyCatalog.strategy(named: "forward-difference")
        #expect((unset.withTypicalScale([5, 5]) as? ForwardDifference)?.typicalScale == [5, 5])
        #expect(throws: JacobianStrategyCatalogError.self) {
            _ = try JacobianStrategyCatalog.strategy(named: "forward-difference", options: JacobianStrategyOptions(typicalScale: [1, 0]))
        }
    }

    /// At coordinates exactly zero the step is c·τ, never 0 (which would divide by zero): with
    /// τ = 1 or τ = 1e-6 a network's residual Jacobian at θ = 0 stays accurate.
    @Test func aCoordinateAtZeroStepsByItsTypicalScale() throws {
        let map = ConformanceModel.residuals(widths: [1, 1], activations: [.identity], samples: 1, seed: 1).map
        let point = [Double](repeating: 0, count: map.inputCount)
        let exact = try ForwardVectorized().jacobian(of: map, at: point)
        let coarse = try CentralDifference().jacobian(of: map, at: point)
        let fine = try CentralDifference(typicalScale: [Double](repeating: 1e-6, count: map.inputCount)).jacobian(of: map, at: point)
        #expect(JacobianConformance.relativeDifference(coarse, exact) < 1e-8)
        #expect(JacobianConformance.relativeDifference(fine, exact) < 1e-4)
    }
}
