import Jacobians
import LinearAlgebra
import Testing
@testable import FormulaModels

/// The map conformance kit on formula residual maps (with respect to parameters) and formula
/// input maps (with respect to predictors at several points).
@Suite struct FormulaMapConformanceTests {
    @Test(arguments: derivativeCases)
    func residualMapsConform(_ testCase: DerivativeCase) throws {
        let map = try testCase.residualMap(samples: 40)
        let report = DifferentiableMapConformance.check(map, at: testCase.parameters)
        #expect(report.passed, "\(testCase.text) — \(report)")
        #expect(report.checks.contains(.perSampleStructure) && report.checks.contains(.complexStep))
    }

    @Test(arguments: derivativeCases)
    func inputMapsConform(_ testCase: DerivativeCase) throws {
        let points = 5
        var random = TestRandom(state: 11)
        var x: [Double] = []
        for _ in 0..<points { for domain in testCase.domains { x.append(random.uniform(domain)) } }
        let map = FormulaInputMap(model: try FormulaModel(testCase.text), parameters: testCase.parameters, pointCount: points)
        let report = DifferentiableMapConformance.check(map, at: x)
        #expect(report.passed, "\(testCase.text) — \(report)")
        #expect(report.checks.contains(.perSampleStructure) && report.checks.contains(.complexStep))
    }

    /// The data-driven tests above run on every formula case (never zero).
    @Test func theFormulaCasesAreAllThere() {
        #expect(derivativeCases.count == 8)
    }
}
