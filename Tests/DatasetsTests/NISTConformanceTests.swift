import Jacobians
import Testing
@testable import Datasets

/// Every exact strategy of the engine's conformance kit on every NIST problem, at both
/// starting points and at the certified values.
@Suite struct NISTConformanceTests {
    @Test(arguments: nistFixtureNames)
    func exactStrategiesConform(_ name: String) throws {
        let problem = try NISTProblem.load(contentsOf: nistFixture(name))
        let map = try problem.residualMap()
        let exact = JacobianStrategyCatalog.allStrategies().filter { $0.isExact && $0.name != "swift-autodiff" }
        #expect(exact.count >= 6)
        for start in NISTStartingPoint.allCases {
            for strategy in exact {
                let report = try JacobianConformance.check(strategy, on: map, at: problem.startingPoint(start))
                #expect(report.passed, "\(name) at \(start): \(report)")
            }
        }
    }
}
