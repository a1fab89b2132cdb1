import Jacobians
import LinearAlgebra
import Testing
@testable import FormulaModels

/// The engine's strategy conformance kit, run on formula residual maps.
@Suite struct FormulaConformanceTests {
    static let strategies: [(String, JacobianStrategyOptions)] =
        JacobianStrategyCatalog.names.map { ($0, JacobianStrategyOptions()) } + [
            ("forward-vectorized", JacobianStrategyOptions(chunk: 2)),
            ("reverse-vectorized", JacobianStrategyOptions(chunk: 7)),
        ]

    @Test(arguments: derivativeCases)
    func everyStrategyConformsOnFormulaModels(_ testCase: DerivativeCase) throws {
        let map = try testCase.residualMap(samples: 90)
        for (name, options) in Self.strategies {
            let strategy = try JacobianStrategyCatalog.strategy(named: name, options: options)
            let report = try JacobianConformance.check(strategy, on: map, at: testCase.parameters)
            if let reason = report.notApplicable {
                // Only the Swift-autodiff strategy needs a capability formula models lack.
                #expect(name == "swift-autodiff", "\(name): \(reason)")
                continue
            }
            // Every strategy, the finite differences included, meets its own tolerance: their
            // steps scale with |b_j| (DifferenceStep), so parameters ≪ 1 such as Misra1a's
            // b2 = 5.5e-4 are differenced at their own scale.
            #expect(report.passed, "\(testCase.text) — \(report)")
        }
    }
}
