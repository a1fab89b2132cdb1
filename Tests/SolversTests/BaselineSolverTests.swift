import Foundation
import Jacobians
import LinearAlgebra
import Solvers
import Testing

@Suite struct BaselineSolverTests {
    @Test(arguments: mghProblems.filter { ["rosenbrock", "box-3d", "helical-valley", "brown-badly-scaled"].contains($0.name) })
    func gaussNewtonConverges(_ problem: MGHProblem) {
        let result = GaussNewton().fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start))
        #expect(result.status.isConverged, "\(problem.name): \(result.status) \(result.message)")
        #expect(result.cost <= 1e-14, "\(problem.name): \(result.cost)")
    }

    @Test func lbfgsSolvesRosenbrockWithOnlyGradientPullbacks() throws {
        let problem = mghProblems[0]
        var c = LBFGS.Configuration()
        c.gtol = 1e-9
        let result = LBFGS(configuration: c).fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start))
        #expect(result.status.isConverged, "\(result.status) \(result.message)")
        #expect(abs(result.parameters[0] - 1) < 1e-6 && abs(result.parameters[1] - 1) < 1e-6)
        #expect(result.jacobianEvaluations == 0)
        #expect(result.gradientEvaluations == result.residualEvaluations)
        #expect(result.jacobianCost.cotangentLanes == result.gradientEvaluations)
        #expect(result.jacobianCost.tangentLanes == 0)
    }

    @Test func adamAndGradientDescentReduceTheCostOfALinearFit() {
        let data = LineData(seed: 9)
        var adam = Adam.Configuration()
        adam.learningRate = 0.05
        adam.stopping.maximumIterations = 3000
        let a = Adam(configuration: adam).fit(LeastSquaresProblem(map: data.map, initialParameters: [0, 0]))
        var gd = GradientDescent.Configuration()
        gd.learningRate = 0.002
        gd.stopping.maximumIterations = 3000
        let g = GradientDescent(configuration: gd).fit(LeastSquaresProblem(map: data.map, initialParameters: [0, 0]))
        let exact = LevenbergMarquardt().fit(LeastSquaresProblem(map: data.map, initialParameters: [0, 0]))
        for result in [a, g] {
            #expect(result.cost < result.initialCost)
            #expect(result.cost <= exact.cost * 1.01, "\(result.solver): \(result.cost) vs \(exact.cost)")
            #expect(result.jacobianEvaluations == 0)
            #expect(result.trace.count == result.iterations)
        }
    }

    @Test func targetCostStopsEverySolverAtTheSameCost() {
        let problem = mghProblems[0]
        let target = 1e-3
        var lm = LevenbergMarquardt.Configuration(); lm.targetCost = target
        var gn = GaussNewton.Configuration(); gn.targetCost = target
        var lbfgs = LBFGS.Configuration(); lbfgs.targetCost = target
        var adam = Adam.Configuration(); adam.stopping.targetCost = target; adam.learningRate = 0.01; adam.stopping.maximumIterations = 50_000
        let results = [
            LevenbergMarquardt(configuration: lm).fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start)),
            GaussNewton(configuration: gn).fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start)),
            LBFGS(configuration: lbfgs).fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start)),
            Adam(configuration: adam).fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start)),
        ]
        for result in results {
            #expect(result.status == .targetCostReached, "\(result.solver): \(result.status) \(result.message)")
            #expect(result.cost <= target)
        }
    }

    @Test func divergingGradientDescentEndsWithANamedStatus() {
        var gd = GradientDescent.Configuration()
        gd.learningRate = 10
        gd.stopping.maximumIterations = 5000
        let problem = mghProblems[0]
        let result = GradientDescent(configuration: gd).fit(LeastSquaresProblem(map: problem.make(), initialParameters: problem.start))
        #expect(result.status == .nonFiniteResiduals, "\(result.status)")
    }

    @Test func configurationsDecodeManifestKeys() throws {
        let adam = try JSONDecoder().decode(Adam.Configuration.self, from: Data(#"{"learning-rate": 0.01, "beta2": 0.99, "max-iterations": 5}"#.utf8))
        #expect(adam.learningRate == 0.01 && adam.beta2 == 0.99 && adam.stopping.maximumIterations == 5 && adam.beta1 == 0.9)
        let lbfgs = try JSONDecoder().decode(LBFGS.Configuration.self, from: Data(#"{"memory": 3, "max-line-search": 7}"#.utf8))
        #expect(lbfgs.memory == 3 && lbfgs.maximumLineSearchEvaluations == 7)
        let gn = try JSONDecoder().decode(GaussNewton.Configuration.self, from: Data(#"{"linear-solver": "svd", "target-cost": 0.5}"#.utf8))
        #expect(gn.linearSolver == .svd && gn.targetCost == 0.5)
        let gd = try JSONDecoder().decode(GradientDescent.Configuration.self, from: JSONEncoder().encode(GradientDescent.Configuration()))
        #expect(gd == GradientDescent.Configuration())
        #expect(LeastSquaresSolverCatalog.kinds == ["levenberg-marquardt", "gauss-newton", "gradient-descent", "adam", "lbfgs"])
    }
}
