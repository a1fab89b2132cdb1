import Jacobians
import Testing
import Solvers

/// Every registered solver passes the solver conformance kit; the list comes from the
/// catalog, so a new solver is checked by registering it.
@Suite struct SolverConformanceTests {
    static let kinds = LeastSquaresSolverCatalog.kinds
    static let problems = ["rosenbrock", "helical-valley"]

    @Test func theCatalogHasEverySolver() {
        #expect(Self.kinds == ["levenberg-marquardt", "gauss-newton", "gradient-descent", "adam", "lbfgs"])
    }

    @Test(arguments: kinds, problems) func passesTheKit(kind: String, problemName: String) throws {
        let type = try #require(LeastSquaresSolverCatalog.registered.first { $0.kind == kind })
        let problem = try #require(mghProblems.first { $0.name == problemName })
        let report = LeastSquaresSolverConformance.check(type, on: problem.make(), from: problem.start)
        #expect(report.passed, "\(report)")
        #expect(report.control != nil)
    }
}

/// A solver that calls every fit converged: the kit must catch it.
struct AlwaysConverged: LeastSquaresSolver {
    static let kind = "always-converged"
    var configuration: LevenbergMarquardt.Configuration
    init(configuration: LevenbergMarquardt.Configuration) { self.configuration = configuration }
    func fit(_ problem: LeastSquaresProblem) -> FitResult {
        var result = LevenbergMarquardt(configuration: configuration).fit(problem)
        result.status = .gradientBelowTolerance
        return result
    }
}

/// A solver that never asks whether to stop and ignores its iteration limit.
struct IgnoresItsLimits: LeastSquaresSolver {
    static let kind = "ignores-its-limits"
    var configuration: LevenbergMarquardt.Configuration
    init(configuration: LevenbergMarquardt.Configuration) { self.configuration = configuration }
    func fit(_ problem: LeastSquaresProblem) -> FitResult {
        var problem = problem
        problem.shouldStop = nil
        var configuration = LevenbergMarquardt.Configuration()
        configuration.maximumEvaluations = self.configuration.maximumEvaluations
        configuration.targetCost = self.configuration.targetCost
        return LevenbergMarquardt(configuration: configuration).fit(problem)
    }
}

/// The kit can fail: broken solvers are reported with the rules they break.
@Suite struct SolverConformanceKitTests {
    func report(_ type: any LeastSquaresSolver.Type) throws -> SolverConformanceReport {
        let problem = try #require(mghProblems.first { $0.name == "rosenbrock" })
        return LeastSquaresSolverConformance.check(type, on: problem.make(), from: problem.start)
    }

    @Test func aSolverThatAlwaysClaimsConvergenceFails() throws {
        let report = try report(AlwaysConverged.self)
        #expect(!report.passed)
        #expect(report.problems.contains { $0.hasPrefix("max-iterations 0:") }, "\(report)")
        #expect(report.problems.contains { $0.hasPrefix("max-iterations 2:") }, "\(report)")
        #expect(report.problems.contains { $0.hasPrefix("cancel on the 3rd question:") }, "\(report)")
        #expect(report.problems.contains { $0.contains("reported converged") }, "\(report)")
    }

    @Test func aSolverThatIgnoresItsLimitsAndCancellationFails() throws {
        let report = try report(IgnoresItsLimits.self)
        #expect(report.problems.contains { $0.hasPrefix("max-iterations 0:") }, "\(report)")
        #expect(report.problems.contains { $0.hasPrefix("max-iterations 2:") }, "\(report)")
        #expect(report.problems.contains { $0.hasPrefix("cancel on the 3rd question:") }, "\(report)")
        #expect(report.problems.contains { $0.hasPrefix("cancelled before the start:") }, "\(report)")
        #expect(!report.problems.contains { $0.hasPrefix("max-evaluations 3:") }, "\(report)")
    }
}
