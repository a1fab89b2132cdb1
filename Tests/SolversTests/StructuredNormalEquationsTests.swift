import Foundation
import Jacobians
import LinearAlgebra
import NeuralNetworks
@testable import Solvers
import Testing

/// One network shape for the structured normal equations: d → h → p with `activation`
/// hidden, over S samples.
struct TwoLayerShape: Sendable, CustomTestStringConvertible {
    var d: Int, h: Int, p: Int, samples: Int
    var activation: Activation
    var testDescription: String { "\(d)→\(h)→\(p) \(activation.rawValue), S = \(samples)" }
}

/// A d → h → p residual map with Glorot weights, non-zero biases, inputs in [−1.5, 1.5] and
/// targets in [−1, 1].
func twoLayerMap(_ shape: TwoLayerShape, seed: UInt64) -> (map: MultilayerPerceptronResidualMap, point: [Double]) {
    var network = MultilayerPerceptron(layerWidths: [shape.d, shape.h, shape.p], activation: shape.activation)
        .initialized(.glorot, seed: seed)
    var generator = SplitMix64(seed: seed + 100)
    for layer in 0..<2 {
        for index in network.biasOffsets[layer]..<(network.biasOffsets[layer] + network.layerWidths[layer + 1]) {
            network.parameters[index] = generator.uniform() - 0.5
        }
    }
    let inputs = Matrix(rows: shape.samples, columns: shape.d, elements: (0..<shape.samples * shape.d).map { _ in 3 * generator.uniform() - 1.5 })
    let targets = Matrix(rows: shape.samples, columns: shape.p, elements: (0..<shape.samples * shape.p).map { _ in 2 * generator.uniform() - 1 })
    return (MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets), network.parameters)
}

@Suite struct StructuredNormalEquationsTests {
    static let shapes: [TwoLayerShape] = [
        TwoLayerShape(d: 1, h: 1, p: 1, samples: 1, activation: .tanh),
        TwoLayerShape(d: 5, h: 9, p: 3, samples: 192, activation: .tanh),
        TwoLayerShape(d: 7, h: 13, p: 5, samples: 200, activation: .sigmoid),
        TwoLayerShape(d: 2, h: 4, p: 2, samples: 17, activation: .identity),
        TwoLayerShape(d: 3, h: 1, p: 4, samples: 50, activation: .tanh),
        TwoLayerShape(d: 1, h: 13, p: 1, samples: 3, activation: .sigmoid),
        TwoLayerShape(d: 6, h: 7, p: 5, samples: 1, activation: .identity),
        TwoLayerShape(d: 4, h: 10, p: 2, samples: 120, activation: .tanh),
    ]

    /// JᵀJ and Jᵀr from the factors equal dsyrk(J) and gemv(Jᵀ, r) of the per-sample Jacobian,
    /// entry by entry to 1e-12 of the bound |(JᵀJ)ₖₗ| ≤ ‖Jₖ‖‖Jₗ‖ (|(Jᵀr)ₖ| ≤ ‖Jₖ‖‖r‖).
    @Test(arguments: shapes)
    func assemblyEqualsTheNormalEquationsOfTheJacobian(_ shape: TwoLayerShape) throws {
        let (map, point) = twoLayerMap(shape, seed: UInt64(shape.d * 100 + shape.h * 10 + shape.p))
        let n = map.inputCount
        let jacobian = try PerSampleGradients().jacobian(of: map, at: point)
        var residual: [Double] = []
        map.evaluate(at: point, into: &residual)
        let dense = gram(jacobian)
        var denseGradient = [Double](repeating: 0, count: n)
        multiply(jacobian, residual, transposeA: .transposed, into: &denseGradient)

        let workspace = try #require(map.makeNormalEquationsWorkspace())
        #expect(workspace.parameterCount == n)
        // Another point first: the factors must follow θ, not a stale forward sweep.
        map.formNormalEquationFactors(at: point.map { $0 * 0.5 }, in: workspace)
        map.formNormalEquationFactors(at: point, in: workspace)
        var structured = Matrix(rows: 1, columns: 1)
        var gradient: [Double] = []
        map.assembleNormalEquations(residuals: residual, in: workspace, gram: &structured, gradient: &gradient)
        #expect(structured.rows == n && structured.columns == n && gradient.count == n)

        let residualNorm = euclideanNorm(residual)
        var worstGram = 0.0, worstGradient = 0.0
        for k in 0..<n {
            for l in 0..<n {
                let bound = (dense[k, k] * dense[l, l]).squareRoot()
                let difference = abs(structured[k, l] - dense[k, l])
                if difference > 0 { worstGram = max(worstGram, bound > 0 ? difference / bound : .infinity) }
                #expect(structured[k, l] == structured[l, k], "symmetric at (\(k), \(l))")
            }
            let bound = dense[k, k].squareRoot() * residualNorm
            let difference = abs(gradient[k] - denseGradient[k])
            if difference > 0 { worstGradient = max(worstGradient, bound > 0 ? difference / bound : .infinity) }
        }
        #expect(worstGram <= 1e-12, "JᵀJ: worst relative difference \(worstGram)")
        #expect(worstGradient <= 1e-12, "Jᵀr: worst relative difference \(worstGradient)")
        // The assembly is not trivially zero: the Gram diagonal carries every column's norm.
        #expect((0..<n).allSatisfy { structured[$0, $0] == 0 || structured[$0, $0] > 0 })
        #expect(structured.frobeniusNorm > 0)
    }

    @Test func threeLayerNetworksAndNonIdentityOutputsAreNotOffered() {
        let inputs = Matrix(rows: 4, columns: 2, elements: [0, 1, 1, 0, 0.5, 0.5, -1, 2])
        let threeLayer = MultilayerPerceptron(layerWidths: [2, 3, 3, 1], activation: .tanh)
        let deep = MultilayerPerceptronResidualMap(network: threeLayer, inputs: inputs, targets: Matrix(rows: 4, columns: 1))
        #expect(!deep.admitsFactoredNormalEquations && deep.makeNormalEquationsWorkspace() == nil)
        let squashed = MultilayerPerceptron(layerWidths: [2, 3, 1], activation: .tanh, outputActivation: .sigmoid)
        let bounded = MultilayerPerceptronResidualMap(network: squashed, inputs: inputs, targets: Matrix(rows: 4, columns: 1))
        #expect(!bounded.admitsFactoredNormalEquations && bounded.makeNormalEquationsWorkspace() == nil)
        let plain = MultilayerPerceptronResidualMap(
            network: MultilayerPerceptron(layerWidths: [2, 3, 1], activation: .relu), inputs: inputs, targets: Matrix(rows: 4, columns: 1))
        #expect(plain.admitsFactoredNormalEquations && plain.makeNormalEquationsWorkspace() != nil)
    }

    func shortFit(_ problem: LeastSquaresProblem, _ setting: LevenbergMarquardt.NormalEquations = .auto,
                  damping: LevenbergMarquardt.DampingUpdate? = nil, geodesic: Bool = false) -> FitResult {
        var c = LevenbergMarquardt.Configuration()
        c.maximumIterations = 8
        c.covariance = false
        c.normalEquations = setting
        c.damping = damping
        c.geodesicAcceleration = geodesic
        return LevenbergMarquardt(configuration: c).fit(problem)
    }

    /// Weights, fixed parameters, fewer residuals than parameters (m < n), geodesic acceleration,
    /// `from-jacobian` and a map that is not a network (even when `structured` is asked for) all
    /// keep the Jacobian path; `auto` and `structured` assemble under either damping rule.
    @Test func theSolverFallsBackToTheJacobianWhereverTheStructureDoesNotApply() throws {
        let problem = try forumNetworkProblem()
        let structured = shortFit(problem)
        #expect(structured.normalEquations.keys.sorted() == ["structured"], "\(structured.normalEquations)")
        #expect(structured.jacobianEvaluations == 0 && structured.linearizations >= structured.iterations && structured.iterations > 0)
        #expect(structured.normalEquationsDescription == "structured")

        var weighted = problem
        weighted.standardDeviations = (0..<problem.map.outputCount).map { 1 + Double($0 % 3) }
        var fixed = problem
        fixed.fixedParameters = [0, 60]
        let inputs = Matrix(rows: 12, columns: 2, elements: (0..<24).map { sin(Double($0)) })
        let deepNetwork = MultilayerPerceptron(layerWidths: [2, 4, 3, 1], activation: .tanh).initialized(.glorot, seed: 3)
        let deep = LeastSquaresProblem(
            map: MultilayerPerceptronResidualMap(network: deepNetwork, inputs: inputs, targets: Matrix(rows: 12, columns: 1, elements: (0..<12).map { cos(Double($0)) })),
            initialParameters: deepNetwork.parameters, jacobianStrategy: PerSampleGradients())
        let cases: [(String, FitResult)] = [
            ("weights", shortFit(weighted)), ("fixed", shortFit(fixed)), ("m < n", shortFit(deep)),
            ("geodesic", shortFit(problem, geodesic: true)),
            ("from-jacobian", shortFit(problem, .fromJacobian)),
            ("formula", shortFit(LeastSquaresProblem(map: mghProblems[0].make(), initialParameters: mghProblems[0].start,
                                                     jacobianStrategy: ForwardVectorized()), .structured)),
        ]
        for (name, result) in cases {
            #expect(result.normalEquations == ["from-jacobian": result.jacobianEvaluations], "\(name): \(result.normalEquations)")
            #expect(result.jacobianEvaluations > 0, "\(name)")
        }
        // `auto` and `structured` take it under either damping rule, to the cost of the Jacobian path.
        for damping in [LevenbergMarquardt.DampingUpdate.trustRegion, .nielsen] {
            let fromJacobian = shortFit(problem, .fromJacobian, damping: damping)
            for choice in [LevenbergMarquardt.NormalEquations.auto, .structured] {
                let assembled = shortFit(problem, choice, damping: damping)
                #expect(assembled.normalEquations.keys.sorted() == ["structured"] && assembled.jacobianEvaluations == 0,
                        "\(damping) \(choice): \(assembled.normalEquations)")
                #expect(abs(assembled.cost - fromJacobian.cost) <= 1e-8 * fromJacobian.cost, "\(damping) \(choice)")
            }
        }
    }

    /// A three-layer network (1 → 8 → 8 → 1, N = 97) over 700 samples: m ≥ n, so the normal
    /// equations are summed over sample blocks without J, to the cost of the Jacobian path.
    static func deepProblem() -> LeastSquaresProblem {
        let network = MultilayerPerceptron(layerWidths: [1, 8, 8, 1], activation: .tanh).initialized(.glorot, seed: 5)
        let inputs = Matrix(rows: 700, columns: 1, elements: (0..<700).map { -2 + 4 * Double($0) / 699 })
        let targets = Matrix(rows: 700, columns: 1, elements: (0..<700).map { sin(3 * (-2 + 4 * Double($0) / 699)) })
        return LeastSquaresProblem(
            map: MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets),
            initialParameters: network.parameters, jacobianStrategy: PerSampleGradients())
    }

    @Test func aDeeperNetworkSumsItsNormalEquationsOverSampleBlocks() {
        let blocked = shortFit(Self.deepProblem()), fromJacobian = shortFit(Self.deepProblem(), .fromJacobian)
        #expect(blocked.normalEquations.keys.sorted() == ["structured"] && blocked.jacobianEvaluations == 0, "\(blocked.normalEquations)")
        #expect(fromJacobian.normalEquations.keys.sorted() == ["from-jacobian"])
        #expect(blocked.iterations == fromJacobian.iterations)
        #expect(abs(blocked.cost - fromJacobian.cost) <= 1e-10 * fromJacobian.cost, "\(blocked.cost) vs \(fromJacobian.cost)")
        #expect(blocked.cost < 0.5 * blocked.initialCost)
    }

    /// A network's J larger than `largestCovarianceJacobian` is never formed: the covariance comes
    /// from JᵀJ summed over sample blocks (no Jacobian evaluation at all). An over-parameterized
    /// network's J (κ ≈ 10¹¹ and more) has singular values the Gram matrix cannot tell from
    /// rounding (below √(ε·n)·σ₁): they count as rank deficiency, so the Gram's rank is below the
    /// SVD's and the fit is not called converged. (Agreement where the Gram resolves J's spectrum:
    /// `GramCovarianceTests`.)
    @Test func aNetworkJacobianTooLargeToFormGivesItsCovarianceFromTheGram() throws {
        func fit(largest: Int) -> FitResult {
            var problem = Self.deepProblem()
            problem.largestCovarianceJacobian = largest
            var c = LevenbergMarquardt.Configuration()
            c.maximumIterations = 40
            return LevenbergMarquardt(configuration: c).fit(problem)
        }
        let fromJacobian = fit(largest: 1 << 26), fromGram = fit(largest: 1_000)
        #expect(fromJacobian.jacobianEvaluations == 1, "the one J at the solution")
        #expect(fromGram.jacobianEvaluations == 0, "no J at all")
        #expect(fromGram.cost == fromJacobian.cost)
        let gramRank = try #require(fromGram.covariance?.rank), svdRank = try #require(fromJacobian.covariance?.rank)
        #expect(gramRank < svdRank && svdRank < 97, "\(gramRank) from the Gram, \(svdRank) from the SVD")
        #expect(fromGram.covariance?.isSingular == true && fromGram.convergence?.converged == false)
        #expect(fromGram.convergence?.rank == gramRank)
    }

    /// Finite residuals whose JᵀJ overflows (hidden outputs ~1e200 under an output weight of
    /// 1e-200): the assembly is refused and that iteration takes J after all, whose Gram
    /// overflows too, so `auto` solves it by QR as before.
    @Test func anOverflowingAssemblyFallsBackToTheJacobian() {
        var network = MultilayerPerceptron(layerWidths: [1, 1, 1], activation: .identity)
        network.parameters = [1, 0, 1e-200, 0]
        let inputs = Matrix(rows: 4, columns: 1, elements: [1e200, 2e200, 3e200, 4e200])
        let targets = Matrix(rows: 4, columns: 1, elements: [0.5, 1, 2, 3])
        let problem = LeastSquaresProblem(
            map: MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets),
            initialParameters: network.parameters, jacobianStrategy: PerSampleGradients())
        var c = LevenbergMarquardt.Configuration()
        c.maximumIterations = 1
        c.covariance = false
        let result = LevenbergMarquardt(configuration: c).fit(problem)
        #expect(result.initialCost.isFinite)
        #expect(result.normalEquations["from-jacobian", default: 0] >= 1, "\(result.normalEquations)")
        #expect(result.normalEquations["structured", default: 0] == 0)
        #expect(result.jacobianEvaluations >= 1)
        #expect(result.linearSolverUse["qr", default: 0] >= 1, "\(result.linearSolverUse)")
    }

    /// A memory budget between the Gram (2n² doubles) and J (m·n): the fit that assembles its
    /// normal equations says it forms no J and forms none, its covariance included. With σ
    /// weights the assembly does not apply: `auto` counts J among the dense systems and goes
    /// matrix-free, and `cholesky`, pinned, ends at its first linearization with the budget as
    /// the reason instead of allocating J.
    @Test func aBudgetBelowJButAboveTheGramKeepsTheAssembledFitAndRefusesJ() throws {
        var problem = Self.deepProblem()
        let m = problem.map.outputCount, n = problem.map.inputCount
        let gramBytes = 8 * 2 * n * n, jacobianBytes = 8 * m * n
        try #require(gramBytes < jacobianBytes)
        problem.memoryBudgetBytes = (gramBytes + jacobianBytes) / 2
        var c = LevenbergMarquardt.Configuration()
        c.maximumIterations = 5
        let solver = LevenbergMarquardt(configuration: c)
        #expect(solver.derivativeUse(on: problem) == .sampleBlocks)
        let assembled = solver.fit(problem)
        #expect(assembled.matrixFree == nil && assembled.normalEquations.keys.sorted() == ["structured"], "\(assembled.normalEquations)")
        #expect(assembled.jacobianEvaluations == 0, "no J, not even for the covariance")
        #expect(assembled.covariance != nil && assembled.iterations == 5)
        var unbudgeted = problem
        unbudgeted.memoryBudgetBytes = nil
        #expect(solver.derivativeUse(on: unbudgeted) == .jacobian, "J at the solution gives the covariance when it may be formed")

        var weighted = problem
        weighted.standardDeviations = Array(repeating: 0.5, count: m)
        #expect(!c.assemblesNormalEquations(of: weighted))
        #expect(solver.derivativeUse(on: weighted) == .wholeBatchSweeps)
        #expect(solver.fit(weighted).matrixFree != nil)
        var cholesky = c
        cholesky.linearSolver = .cholesky
        #expect(LevenbergMarquardt(configuration: cholesky).derivativeUse(on: weighted) == .jacobian)
        let refused = LevenbergMarquardt(configuration: cholesky).fit(weighted)
        #expect(refused.status == .jacobianFailed && refused.jacobianEvaluations == 0, "\(refused.status)")
        #expect(refused.message.contains("J (\(m) × \(n) doubles) would need 0.5 MB, over the memory budget of 0.3 MB"), "\(refused.message)")
        var fixed = problem
        fixed.fixedParameters = [0]
        #expect(!c.assemblesNormalEquations(of: fixed) && c.assemblesNormalEquations(of: problem))
    }

    /// The forum fit (5 → 9 → 3 tanh, N = 84, M = 576) to seed-lm's ftol 1e-6 (
    /// 141 iterations) both ways: the same cost to 1e-10 in nearly the same number of iterations, and the covariance (from the one
    /// Jacobian the structured fit takes, at the solution) agrees.
    @Test func seedLMFitReachesTheSameCostWithAndWithoutTheJacobian() throws {
        func fit(_ setting: LevenbergMarquardt.NormalEquations) throws -> FitResult {
            var c = LevenbergMarquardt.Configuration()
            c.maximumIterations = 300
            c.ftol = 1e-6
            c.xtol = 1e-8
            c.normalEquations = setting
            return LevenbergMarquardt(configuration: c).fit(try forumNetworkProblem())
        }
        let fromJacobian = try fit(.fromJacobian), structured = try fit(.auto)
        // seed-lm's ftol 1e-6 stops while the scaled gradient is still ~5e-4: the end is honestly
        // reported as not stationary, the same both ways.
        #expect(structured.status == .notStationary && fromJacobian.status == .notStationary,
                "\(structured.status) \(structured.message) | \(fromJacobian.status) \(fromJacobian.message)")
        #expect((structured.convergence?.scaledGradient ?? 0) > FitConvergence.gradientTolerance)
        #expect(structured.normalEquations.keys.sorted() == ["structured"])
        #expect(fromJacobian.normalEquations.keys.sorted() == ["from-jacobian"])
        #expect(structured.jacobianEvaluations == 1, "only the covariance's Jacobian")
        #expect(abs(structured.cost - fromJacobian.cost) <= 1e-10 * fromJacobian.cost, "\(structured.cost) vs \(fromJacobian.cost)")
        #expect(abs(structured.iterations - fromJacobian.iterations) <= max(3, fromJacobian.iterations / 50),
                "\(structured.iterations) vs \(fromJacobian.iterations) iterations")
        let a = try #require(structured.standardErrors), b = try #require(fromJacobian.standardErrors)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-4 * y, "\(x) vs \(y)") }
        // ‖Jᵀr‖∞ at the end comes from that Jacobian too.
        #expect(abs(structured.gradientNorm - fromJacobian.gradientNorm) <= 1e-6 * fromJacobian.gradientNorm)
    }

    @Test func configurationDecodesNormalEquations() throws {
        for setting in LevenbergMarquardt.NormalEquations.allCases {
            let json = #"{"normal-equations": "\#(setting.rawValue)"}"#
            let c = try JSONDecoder().decode(LevenbergMarquardt.Configuration.self, from: Data(json.utf8))
            #expect(c.normalEquations == setting)
        }
        #expect(LevenbergMarquardt.Configuration().normalEquations == .auto)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(LevenbergMarquardt.Configuration.self, from: Data(#"{"normal-equations": "fast"}"#.utf8))
        }
    }
}
