import Jacobians
import LinearAlgebra
import Testing
@testable import FormulaModels

/// `auto` on a formula (NIST) residual map: one output per observation, lane work 1, so the
/// cost model ranks per-sample (p·(1 + r) = 2 forward-pass units) ahead of forward-vectorized
/// (1 + n = 3) for two parameters, without evaluating the map.
@Suite struct FormulaAutoDecisionTests {
    func misra1a() throws -> FormulaResidualMap {
        let model = try FormulaModel("y = b1*(1-exp[-b2*x])  +  e")
        let x: [Double] = [77.6, 114.9, 141.1, 190.8, 239.9, 289.0, 332.8, 378.4, 434.8, 477.3, 536.8, 593.1, 689.1, 760.0]
        let y: [Double] = [10.07, 14.73, 17.94, 23.93, 29.61, 35.18, 40.02, 44.82, 50.76, 55.05, 61.01, 66.40, 75.47, 81.78]
        return try model.residualMap(inputs: Matrix(rows: x.count, columns: 1, elements: x), responses: y)
    }

    @Test func aNISTFormulaGetsPerSampleFromTheCostModel() throws {
        let map = try misra1a()
        let decision = try AutoStrategy().decide(for: map, at: [500, 1e-4])
        #expect(decision.chosen == "per-sample")
        #expect(decision.reason.hasPrefix("cost model: 2 forward-pass units vs forward-vectorized 3"), "\(decision.reason)")
        #expect(decision.reason.contains("n = 2, m = 14, S = 14, p = 1"), "\(decision.reason)")
        #expect(decision.calibration == nil, "the cost model's decision measures nothing")
        // Another instance, another point: the same decision (a function of the shape alone).
        let again = try AutoStrategy().decide(for: try misra1a(), at: [1, 1])
        #expect(again.chosen == decision.chosen && again.reason == decision.reason)
    }

    @Test func aCalibratedDecisionCarriesItsUnitCosts() throws {
        let map = try misra1a()
        let decision = try AutoStrategy(calibrates: true).decide(for: map, at: [500, 1e-4])
        let calibration = try #require(decision.calibration)
        #expect(calibration.evaluation.isFinite && calibration.pullbackFixed.isFinite)
        #expect(calibration.perSample != nil, "formula maps are per-sample structured")
        #expect(!decision.reason.hasPrefix("cost model"), "\(decision.reason)")
    }
}
