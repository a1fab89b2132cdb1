import Synchronization
import Testing
@testable import Solvers

/// `shouldStop` ends every solver with `cancelled` at the iteration it first returns true.
@Suite struct CancellationTests {
    /// Returns true from its `limit`-th call on, counting calls.
    final class StopAfter: Sendable {
        let limit: Int
        let calls = Atomic<Int>(0)
        init(_ limit: Int) { self.limit = limit }
        func ask() -> Bool { calls.add(1, ordering: .relaxed).newValue >= limit }
    }

    static let solvers: [String] = ["levenberg-marquardt", "gauss-newton", "lbfgs", "adam", "gradient-descent"]

    func fit(_ name: String, _ problem: LeastSquaresProblem) -> FitResult {
        switch name {
        case "levenberg-marquardt": return LevenbergMarquardt().fit(problem)
        case "gauss-newton": return GaussNewton().fit(problem)
        case "lbfgs": return LBFGS().fit(problem)
        case "adam": return Adam().fit(problem)
        default: return GradientDescent().fit(problem)
        }
    }

    func rosenbrock(shouldStop: (@Sendable () -> Bool)?) throws -> LeastSquaresProblem {
        let problem = try #require(mghProblems.first { $0.name == "rosenbrock" })
        return LeastSquaresProblem(map: problem.make(), initialParameters: problem.start, shouldStop: shouldStop)
    }

    @Test(arguments: solvers) func stopsWithCancelledAtTheAskedIteration(_ name: String) throws {
        let uncancelled = fit(name, try rosenbrock(shouldStop: nil))
        #expect(uncancelled.status != .cancelled)
        #expect(uncancelled.iterations > 3, "the control must run longer than the cancelled fit")

        let stop = StopAfter(3)
        let result = fit(name, try rosenbrock(shouldStop: stop.ask))
        #expect(result.status == .cancelled, "\(result.status)")
        #expect(result.status.isConverged == false)
        #expect(result.iterations <= 3, "\(result.iterations)")
        #expect(stop.calls.load(ordering: .relaxed) == 3, "asked again after it said stop")
        #expect(result.parameters.allSatisfy { $0.isFinite })
        #expect(result.cost.isFinite && result.cost <= result.initialCost)
    }

    @Test(arguments: solvers) func alreadyCancelledStopsBeforeTheFirstStep(_ name: String) throws {
        let result = fit(name, try rosenbrock(shouldStop: { true }))
        #expect(result.status == .cancelled)
        #expect(result.iterations == 0)
        #expect(result.parameters == [-1.2, 1])
    }
}
