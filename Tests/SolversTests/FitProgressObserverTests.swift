import Jacobians
import Synchronization
import Testing
@testable import Solvers

/// Solvers report every accepted iteration to the problem's observer, with the trace's cost.
@Suite struct FitProgressObserverTests {
    func observed(_ solver: any LeastSquaresSolver) throws -> (reports: [FitProgress], result: FitResult) {
        let rosenbrock = try #require(mghProblems.first { $0.name == "rosenbrock" })
        let reports = Mutex<[FitProgress]>([])
        let result = solver.fit(LeastSquaresProblem(
            map: rosenbrock.make(), initialParameters: rosenbrock.start, jacobianStrategy: ForwardVectorized(),
            iterationObserver: { report in reports.withLock { $0.append(report) } }))
        return (reports.withLock { $0 }, result)
    }

    @Test(arguments: LeastSquaresSolverCatalog.kinds)
    func oneReportPerAcceptedIterationWithItsCost(solverName: String) throws {
        let solver = try #require(LeastSquaresSolverCatalog.registeredType(kind: solverName)).limited()
        let (reports, result) = try observed(solver)
        let accepted = result.trace.filter(\.accepted)
        #expect(result.iterations > 1)
        #expect(reports.count == accepted.count)
        #expect(reports.map(\.iteration) == accepted.map(\.iteration))
        #expect(reports.map(\.cost) == accepted.map(\.cost))
        #expect(reports.map(\.elapsedSeconds) == accepted.map(\.elapsedSeconds))
        #expect(reports.last?.cost == result.cost)
    }
}
