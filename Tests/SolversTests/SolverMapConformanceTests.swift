import Foundation
import FormulaModels
import Jacobians
import LinearAlgebra
import Testing
@testable import Solvers

/// The map conformance kit on the maps the solvers differentiate: the weighted free-parameter
/// map (W·r(E z + x_fixed)) over a formula model, and the closed-form test problems.
@Suite struct SolverMapConformanceTests {
    static func formulaMap() throws -> FormulaResidualMap {
        let model = try FormulaModel("y = b1*(1-exp[-b2*x]) + b3*x")
        var random = SplitMix64(seed: 9)
        let x = (0..<30).map { _ in 50 + 700 * random.uniform() }
        let y = x.map { 240 * (1 - Foundation.exp(-5.5e-4 * $0)) + 0.01 * $0 + random.uniform() }
        return try model.residualMap(inputs: Matrix(rows: 30, columns: 1, elements: x), responses: y)
    }

    @Test(arguments: [
        ([0, 1, 2], false), ([0, 1, 2], true), ([0, 2], false), ([1], true),
    ])
    func weightedFreeMapsConform(free: [Int], weighted: Bool) throws {
        let base = try Self.formulaMap()
        let full = [230.0, 6e-4, 0.02]
        let sigmas = weighted ? (0..<base.outputCount).map { 0.5 + Double($0 % 7) } : nil
        let map = WeightedFreeResidualMap(base: base, fullInitial: full, freeIndices: free, standardDeviations: sigmas)
        let report = DifferentiableMapConformance.check(map, at: free.map { full[$0] })
        #expect(report.passed, "free \(free), weighted \(weighted): \(report)")
    }

    @Test(arguments: mghProblems)
    func closedFormTestProblemsConform(_ problem: MGHProblem) {
        let report = DifferentiableMapConformance.check(problem.make(), at: problem.start)
        #expect(report.passed, "\(problem): \(report)")
    }

    /// The data-driven tests above cannot run zero cases.
    @Test func theClosedFormProblemsAreThere() {
        #expect(mghProblems.count >= 5)
    }
}
