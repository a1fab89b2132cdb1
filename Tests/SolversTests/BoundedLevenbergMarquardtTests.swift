import Foundation
import LinearAlgebra
import Testing
@testable import Solvers

/// Levenberg-Marquardt with bounds, checked by what a bounded optimum must satisfy: exactly
/// known constrained minimisers, and the KKT conditions of convex problems (which make the
/// optimum unique, so no reference solver is needed).
@Suite struct BoundedLevenbergMarquardtTests {
    /// Rosenbrock r = (10(y − x²), 1 − x), minimiser (1, 1). With x ≤ 0.5 the constrained
    /// minimiser is (0.5, 0.25): on the bound, y = x² there.
    static func rosenbrock() -> AnalyticResidualMap {
        AnalyticResidualMap(
            parameters: 2, residuals: 2, { p in [10 * (p[1] - p[0] * p[0]), 1 - p[0]] },
            jacobian: { p in [[-20 * p[0], 10], [-1, 0]] })
    }

    static let configurations: [(String, LevenbergMarquardt.Configuration)] = {
        var result: [(String, LevenbergMarquardt.Configuration)] = []
        for solver in LevenbergMarquardt.LinearSolver.dense {
            for damping in [LevenbergMarquardt.DampingUpdate.trustRegion, .nielsen] {
                var configuration = LevenbergMarquardt.Configuration()
                configuration.linearSolver = solver
                configuration.damping = damping
                result.append(("\(solver.rawValue)/\(damping.rawValue)", configuration))
            }
        }
        return result
    }()

    @Test(arguments: configurations.indices) func rosenbrockWithAnUpperBoundEndsOnIt(_ index: Int) {
        let (name, configuration) = Self.configurations[index]
        var problem = LeastSquaresProblem(map: Self.rosenbrock(), initialParameters: [-1.2, 1])
        problem.bounds = ParameterBounds(lower: [-.infinity, -.infinity], upper: [0.5, .infinity])
        let result = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(result.parameters[0] == 0.5, "\(name): \(result.parameters)")
        #expect(abs(result.parameters[1] - 0.25) < 1e-10, "\(name): \(result.parameters)")
        #expect(abs(result.cost - 0.125) < 1e-12, "\(name): \(result.cost)")
        #expect(result.status.isConverged && result.convergence?.converged == true, "\(name): \(result.status) \(result.message)")
        #expect(result.boundsActive == [.upper, nil])
        #expect(result.standardErrors?[0] == 0, "held on its bound for the covariance")
    }

    /// No iterate ever leaves the box: every trial point's parameters are inside, checked by a
    /// map that records where it is evaluated.
    @Test func everyEvaluationIsInsideTheBox() {
        var visited: [[Double]] = []
        let base = Self.rosenbrock()
        let map = AnalyticResidualMap(parameters: 2, residuals: 2, { p in
            visited.append(p)
            return base.residuals(p)
        }, jacobian: base.jacobianRows)
        var problem = LeastSquaresProblem(map: map, initialParameters: [-1.2, 1])
        problem.bounds = ParameterBounds(lower: [-1.5, 0.9], upper: [0.5, 3])
        let result = LevenbergMarquardt().fit(problem)
        #expect(!visited.isEmpty && visited.allSatisfy { $0[0] >= -1.5 && $0[0] <= 0.5 && $0[1] >= 0.9 && $0[1] <= 3 })
        // y ≥ 0.9 > x² for |x| < 0.948: y ends on its lower bound, and x at a stationary point of
        // 100(0.9 − x²)² + (1 − x)² (the one near −0.95 from this start; on x's side no bound binds).
        #expect(result.parameters[1] == 0.9 && result.boundsActive == [nil, .lower], "\(result.parameters)")
        let x = result.parameters[0]
        #expect(abs(-400 * x * (0.9 - x * x) - 2 * (1 - x)) < 1e-7, "\(x)")
        #expect(result.convergence?.converged == true, "\(result.message)")
    }

    /// Random box-constrained linear least squares (convex): the end satisfies the KKT
    /// conditions — zero gradient inside, gradient pointing out of the box on a bound — so it is
    /// the unique minimiser; several bounds are active.
    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64]) func boxConstrainedLinearLeastSquaresMeetsKKT(_ seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let m = 30, n = 8
        var a = Matrix(rows: m, columns: n)
        for i in 0..<m { for j in 0..<n { a[i, j] = 2 * random.uniform() - 1 } }
        let b = (0..<m).map { _ in 4 * random.uniform() - 2 }
        let lower = (0..<n).map { _ in -0.3 * random.uniform() }, upper = (0..<n).map { _ in 0.3 * random.uniform() }
        var problem = LeastSquaresProblem(map: linearMap(a, b), initialParameters: Array(repeating: 0, count: n))
        problem.bounds = ParameterBounds(lower: lower, upper: upper)
        let result = LevenbergMarquardt().fit(problem)
        let x = result.parameters
        #expect(zip(x, lower).allSatisfy { $0 >= $1 } && zip(x, upper).allSatisfy { $0 <= $1 })
        var ax: [Double] = []
        multiply(a, x, into: &ax)
        let r = zip(ax, b).map { $0 - $1 }
        var g = Array(repeating: 0.0, count: n)
        multiply(a, r, transposeA: .transposed, into: &g)
        let scale = r.reduce(0) { $0 + $1 * $1 }.squareRoot() * 6
        var active = 0
        for j in 0..<n {
            if x[j] == lower[j] { active += 1; #expect(g[j] >= -1e-9 * scale, "seed \(seed) j \(j): g \(g[j]) at lower") }
            else if x[j] == upper[j] { active += 1; #expect(g[j] <= 1e-9 * scale, "seed \(seed) j \(j): g \(g[j]) at upper") }
            else { #expect(abs(g[j]) <= 1e-8 * scale, "seed \(seed) j \(j): g \(g[j]) inside") }
        }
        #expect(active >= 2, "seed \(seed): the boxes are tight enough that several bounds bind (\(active))")
        #expect(result.status.isConverged, "seed \(seed): \(result.status) \(result.message)")
    }

    /// Starting on a bound whose gradient points inside: the parameter leaves the bound.
    @Test func aParameterStartingOnABoundLeavesItWhenTheGradientSaysSo() {
        var problem = LeastSquaresProblem(map: Self.rosenbrock(), initialParameters: [0, 0])
        problem.bounds = ParameterBounds(lower: [0, 0], upper: [2, 2])
        let result = LevenbergMarquardt().fit(problem)
        #expect(abs(result.parameters[0] - 1) < 1e-9 && abs(result.parameters[1] - 1) < 1e-9, "\(result.parameters)")
        #expect(result.boundsActive == [nil, nil])
    }

    @Test func fixedAndBoundedParametersTogether() {
        // r = (x − 3, y − 2, z + 1) with y fixed at 5 and z ≥ 0: the end is (3, 5, 0).
        let map = AnalyticResidualMap(parameters: 3, residuals: 3, { p in [p[0] - 3, p[1] - 2, p[2] + 1] },
                                      jacobian: { _ in [[1, 0, 0], [0, 1, 0], [0, 0, 1]] })
        var problem = LeastSquaresProblem(map: map, initialParameters: [0, 5, 1], fixedParameters: [1])
        problem.bounds = ParameterBounds(lower: [-.infinity, -.infinity, 0], upper: [.infinity, .infinity, .infinity])
        let result = LevenbergMarquardt().fit(problem)
        #expect(abs(result.parameters[0] - 3) < 1e-12 && result.parameters[1] == 5 && result.parameters[2] == 0, "\(result.parameters)")
        #expect(result.boundsActive == [nil, nil, .lower])
    }

    @Test func invalidBoundsAreAnInvalidProblem() {
        for (bounds, expected) in [
            (ParameterBounds(lower: [0, 0], upper: [1]), "bounds for"),
            (ParameterBounds(lower: [2, -1], upper: [1, 1]), "min 2.0 ≥ max 1.0"),
            (ParameterBounds(lower: [-.nan, -1], upper: [1, 1]), "must be numbers"),
            (ParameterBounds(lower: [0, 2], upper: [1, 3]), "outside its bounds"),
        ] {
            var problem = LeastSquaresProblem(map: Self.rosenbrock(), initialParameters: [0.5, 0.5])
            problem.bounds = bounds
            let result = LevenbergMarquardt().fit(problem)
            #expect(result.status == .invalidProblem && result.message.contains(expected), "\(result.message)")
        }
    }

    @Test func geodesicAccelerationRefusesBoundsAndLosses() {
        var configuration = LevenbergMarquardt.Configuration()
        configuration.geodesicAcceleration = true
        var problem = LeastSquaresProblem(map: Self.rosenbrock(), initialParameters: [0.5, 0.5])
        problem.loss = RobustLoss(kind: .cauchy)
        #expect(LevenbergMarquardt(configuration: configuration).fit(problem).status == .invalidProblem)
        problem.loss = .linear
        #expect(LevenbergMarquardt(configuration: configuration).fit(problem).status.isConverged)
    }

    /// ρ and its derivatives as SciPy's `least_squares` documents them, and ρ′, ρ″ agree with
    /// central differences of ρ.
    @Test(arguments: RobustLoss.Kind.allCases) func lossDerivativesAgreeWithDifferences(_ kind: RobustLoss.Kind) {
        let loss = RobustLoss(kind: kind)
        for z in [0.01, 0.5, 0.9, 1.7, 4, 30] where !(kind == .huber && abs(z - 1) < 0.2) {
            let h = 1e-5 * z
            let first = (loss.rho(z + h).value - loss.rho(z - h).value) / (2 * h)
            let second = (loss.rho(z + h).first - loss.rho(z - h).first) / (2 * h)
            #expect(abs(first - loss.rho(z).first) <= 1e-8 * max(1, abs(first)), "\(kind) z \(z)")
            #expect(abs(second - loss.rho(z).second) <= 1e-6 * max(1, abs(second)), "\(kind) z \(z)")
        }
        // Near zero every loss is least squares: ρ(z) ≈ z.
        #expect(abs(loss.rho(1e-8).value - 1e-8) < 1e-15)
    }
}

/// A failed fit's result encodes to JSON (NaN cost and gradient as the bundles' strings) and
/// decodes back to the same values.
@Suite struct FitResultCodingTests {
    @Test func aFitWithNonFiniteNumbersRoundTripsThroughJSON() throws {
        let map = AnalyticResidualMap(parameters: 1, residuals: 1, { p in [p[0] > 2 ? .nan : p[0] - 5] }, jacobian: { _ in [[1]] })
        var problem = LeastSquaresProblem(map: map, initialParameters: [3], parameterNames: ["a"])
        problem.bounds = ParameterBounds(lower: [0], upper: [10])
        let result = LevenbergMarquardt().fit(problem)
        #expect(result.status == .nonFiniteResiduals && result.cost.isNaN)
        let data = try JSONEncoder().encode(result)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"cost\":\"NaN\""), "\(text)")
        let back = try JSONDecoder().decode(FitResult.self, from: data)
        #expect(back.cost.isNaN && back.status == result.status && back.parameters == result.parameters)
        #expect(back.boundsActive == result.boundsActive && back.parameterNames == ["a"])

        var robust = LeastSquaresProblem(map: Self.line, initialParameters: [0])
        robust.loss = RobustLoss(kind: .huber, scale: 0.5)
        let fitted = LevenbergMarquardt().fit(robust)
        let again = try JSONDecoder().decode(FitResult.self, from: try JSONEncoder().encode(fitted))
        #expect(again.loss == robust.loss && again.parameters == fitted.parameters && again.trace == fitted.trace)
    }

    static var line: AnalyticResidualMap { AnalyticResidualMap(parameters: 1, residuals: 3, { p in [p[0] - 1, p[0] - 1.2, p[0] - 9] }, jacobian: { _ in [[1], [1], [1]] }) }
}

/// The covariance at the end is booked apart from the iterations' parts.
@Suite struct CovarianceTimingTests {
    @Test func theCovarianceIsItsOwnPartOfTheTime() {
        let problem = LeastSquaresProblem(map: BoundedLevenbergMarquardtTests.rosenbrock(), initialParameters: [-1.2, 1])
        let with = LevenbergMarquardt().fit(problem)
        var configuration = LevenbergMarquardt.Configuration()
        configuration.covariance = false
        let without = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(with.timings.covarianceSeconds > 0 && without.timings.covarianceSeconds == 0)
        let t = with.timings
        let parts = t.residualSeconds + t.jacobianSeconds + t.linearSolveSeconds + t.covarianceSeconds + t.calibrationSeconds
        #expect(parts <= t.totalSeconds, "\(t)")
        #expect(t.otherSeconds >= 0 && (t.timeOverKernels ?? 0) > 0)
    }
}
