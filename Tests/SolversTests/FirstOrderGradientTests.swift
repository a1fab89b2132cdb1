import Foundation
import Jacobians
import LinearAlgebra
import NeuralNetworks
@testable import Solvers
import Testing

/// Where the first-order solvers' gradient J̃ᵀr̃ comes from: the map's own Jacobian operator
/// when it has one (a network's matrix products over the batch), else its single-lane pullback.
@Suite struct FirstOrderGradientTests {
    /// A 1-6-5-1 network with σ weights and one fixed parameter.
    static func networkProblem() -> LeastSquaresProblem {
        var generator = SeededGenerator(seed: 5)
        var network = MultilayerPerceptron(layerWidths: [1, 6, 5, 1], activations: [.tanh, .tanh, .identity])
        network.initialize(.glorot, using: &generator)
        let inputs = Matrix(rows: 40, columns: 1, elements: (0..<40).map { _ in generator.nextUniform(in: -2, 2) })
        let targets = Matrix(rows: 40, columns: 1, elements: inputs.elements.map { sin(2 * $0) })
        var problem = LeastSquaresProblem(
            map: MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets), initialParameters: network.parameters)
        problem.standardDeviations = (0..<40).map { 0.5 + Double($0 % 3) * 0.25 }
        problem.fixedParameters = [3]
        return problem
    }

    /// The pullback's J̃ᵀr̃ at the start, as the solvers took it before the operator.
    static func pullbackGradient(_ run: FitRun, _ point: [Double], _ residual: [Double]) -> [Double] {
        var cotangent = Matrix(rows: 1, columns: residual.count)
        for i in 0..<residual.count { cotangent.elements[i] = residual[i] }
        var row = Matrix(rows: 1, columns: point.count)
        run.map.pullback(at: point, cotangents: cotangent, into: &row)
        return row.elements
    }

    @Test func aNetworksGradientComesFromItsOperatorAndEqualsThePullbacks() {
        let problem = Self.networkProblem()
        let run = FitRun(problem: problem)
        let point = run.initialFreeParameters
        var residual: [Double] = []
        var gradient: [Double] = []
        guard run.costAndGradient(at: point, residual: &residual, gradient: &gradient) != nil else {
            Issue.record("no finite cost at the start")
            return
        }
        #expect(gradient.count == 6 + 6 + 30 + 5 + 5 + 1 - 1)
        // The operator path is the one taken (one Jᵀu), and its bits are the operator's.
        #expect(run.gradientOperator?.transposedProducts == 1)
        let reference = WeightedFreeJacobianOperator(map: run.map)
        #expect(reference.isMapOwn)
        reference.linearize(at: point)
        var viaOperator: [Double] = []
        reference.applyTransposed(residual, into: &viaOperator)
        #expect(gradient == viaOperator)
        // And the pullback's gradient to rounding.
        let viaPullback = Self.pullbackGradient(run, point, residual)
        let scale = viaPullback.map(abs).max() ?? 0
        #expect(scale > 0)
        for j in 0..<gradient.count {
            #expect(abs(gradient[j] - viaPullback[j]) <= 1e-13 * scale, "parameter \(j): \(gradient[j]) vs \(viaPullback[j])")
        }
        #expect(run.gradientEvaluations == 1)
        #expect(run.jacobianCost.cotangentLanes == 1)
    }

    @Test func aMapWithoutAnOperatorKeepsItsPullback() {
        let a = randomMatrix(rows: 12, columns: 4, seed: 8)
        let b = (0..<12).map { Double($0 % 5) / 5 }
        var problem = LeastSquaresProblem(map: linearMap(a, b), initialParameters: [0.5, -0.3, 0.2, 1])
        problem.standardDeviations = (0..<12).map { 1 + Double($0 % 2) }
        problem.fixedParameters = [1]
        let run = FitRun(problem: problem)
        let point = run.initialFreeParameters
        var residual: [Double] = []
        var gradient: [Double] = []
        #expect(run.costAndGradient(at: point, residual: &residual, gradient: &gradient) != nil)
        #expect(!WeightedFreeJacobianOperator(map: run.map).isMapOwn)
        #expect(run.gradientOperator == nil)
        #expect(gradient == Self.pullbackGradient(run, point, residual))
    }

    @Test func lbfgsFitsANetworkOnOperatorGradients() {
        var configuration = LBFGS.Configuration()
        configuration.maximumIterations = 200
        let result = LBFGS(configuration: configuration).fit(Self.networkProblem())
        #expect(result.cost < 0.2 * result.initialCost, "\(result.cost) from \(result.initialCost)")
        #expect(result.jacobianEvaluations == 0)
        #expect(result.gradientEvaluations == result.residualEvaluations)
    }
}
