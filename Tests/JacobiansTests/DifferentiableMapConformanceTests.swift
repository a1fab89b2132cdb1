import Jacobians
import LinearAlgebra
import Testing

/// The map conformance kit on every network map the strategies are checked on: MLP
/// residuals with respect to parameters and MLP outputs with respect to inputs.
@Suite struct DifferentiableMapConformanceTests {
    @Test(arguments: ConformanceModel.allCases)
    func everyNetworkMapConforms(_ model: ConformanceModel) {
        let (map, point) = model.make()
        let report = DifferentiableMapConformance.check(map, at: point)
        #expect(report.passed, "\(model): \(report)")
        // Every network map is per-sample structured and complex-evaluable: all checks but
        // possibly Swift's differentiable output ran.
        let expected = Set(DifferentiableMapConformanceCheck.allCases).subtracting([.differentiableOutput])
        #expect(expected.isSubset(of: Set(report.checks)), "\(report.checks)")
    }

    /// Both map kinds are among the cases, and the data-driven test above cannot run zero cases.
    @Test func theNetworkCasesCoverBothMapKinds() {
        #expect(ConformanceModel.allCases.count == 5)
        let kinds = Set(ConformanceModel.allCases.map { String(describing: type(of: $0.make().map)) })
        #expect(kinds == ["MultilayerPerceptronResidualMap", "MultilayerPerceptronInputMap"])
    }

    /// Different seeds draw different directions; the verdict does not depend on them.
    @Test(arguments: [UInt64(2), 99, .max])
    func theVerdictHoldsForOtherSeeds(_ seed: UInt64) {
        let (map, point) = ConformanceModel.mixed3x4x5x4x2.make()
        let report = DifferentiableMapConformance.check(map, at: point, seed: seed)
        #expect(report.passed, "\(report)")
    }

    @Test func aPointOfTheWrongLengthIsReportedNotTrapped() {
        let (map, point) = ConformanceModel.relu2x6x1.make()
        let report = DifferentiableMapConformance.check(map, at: point + [0])
        #expect(report.failedChecks == [.evaluation])
        #expect(report.problems.count == 1 && report.problems[0].contains("\(point.count + 1) values"))
    }
}
