import Jacobians
import Testing
@testable import Datasets

/// The map conformance kit on every NIST problem's residual map, at both starting points and
/// at the certified values.
@Suite struct NISTMapConformanceTests {
    @Test(arguments: nistFixtureNames)
    func residualMapsConform(_ name: String) throws {
        let problem = try NISTProblem.load(contentsOf: nistFixture(name))
        let map = try problem.residualMap()
        for start in NISTStartingPoint.allCases {
            let report = DifferentiableMapConformance.check(map, at: problem.startingPoint(start))
            #expect(report.passed, "\(name) at \(start): \(report)")
            #expect(report.checks.contains(.complexStep))
        }
    }

    /// The data-driven test above runs on every fixture (never zero).
    @Test func everyFixtureIsChecked() {
        #expect(nistFixtureNames.count >= 24)
    }
}
