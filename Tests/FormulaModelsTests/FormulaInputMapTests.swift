import Foundation
import Jacobians
import LinearAlgebra
import Testing
@testable import FormulaModels

@Suite struct FormulaInputMapTests {
    @Test func derivativeWithRespectToThePredictorMatchesTheClosedForm() throws {
        let model = try FormulaModel("y = b1*(1-exp[-b2*x])")
        let b = [238.9, 5.5e-4]
        let x: [Double] = [77.6, 114.9, 760.0]
        let map = FormulaInputMap(model: model, parameters: b, pointCount: 3)
        var values: [Double] = []
        map.evaluate(at: x, into: &values)
        var jacobian = Matrix(rows: 0, columns: 0)
        map.perSampleGradients(at: x, outputIndex: 0, into: &jacobian)
        #expect(jacobian.rows == 3 && jacobian.columns == 3)
        for s in 0..<3 {
            #expect(Swift.abs(values[s] - b[0] * (1 - Foundation.exp(-b[1] * x[s]))) < 1e-12)
            for t in 0..<3 {
                let expected = s == t ? b[0] * b[1] * Foundation.exp(-b[1] * x[s]) : 0
                #expect(Swift.abs(jacobian[s, t] - expected) < 1e-15)
            }
        }
    }

    @Test(arguments: derivativeCases)
    func exactStrategiesConformWithRespectToInputs(_ testCase: DerivativeCase) throws {
        let model = try FormulaModel(testCase.text)
        let points = 7
        var random = TestRandom(state: 5)
        var x: [Double] = []
        for _ in 0..<points { for domain in testCase.domains { x.append(random.uniform(domain)) } }
        let map = FormulaInputMap(model: model, parameters: testCase.parameters, pointCount: points)
        #expect(map.inputCount == points * testCase.domains.count && map.outputCount == points)
        for strategy in JacobianStrategyCatalog.allStrategies() where strategy.isExact && strategy.name != "swift-autodiff" {
            let report = try JacobianConformance.check(strategy, on: map, at: x)
            #expect(report.passed, "\(testCase.text) — \(report)")
        }
    }
}
