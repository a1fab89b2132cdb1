import Datasets
import Foundation
import Jacobians
import LinearAlgebra
import NeuralNetworks
@testable import Solvers
import Testing

/// A random m < n damped least-squares system: J, positive D over about 1.3 decades, b.
struct DualCase: CustomStringConvertible, Sendable {
    let m: Int, n: Int, seed: UInt64
    var description: String { "\(m)×\(n) seed \(seed)" }

    func make() -> (jacobian: Matrix, diagonal: [Double], residual: [Double], gradient: [Double]) {
        let j = randomMatrix(rows: m, columns: n, seed: seed)
        var generator = SplitMix64(seed: seed + 100)
        let d = (0..<n).map { _ in exp(3 * generator.uniform() - 1.5) }
        let b = (0..<m).map { _ in generator.uniform() * 2 - 1 }
        var g = [Double](repeating: 0, count: n)
        multiply(j, b, transposeA: .transposed, into: &g)
        return (j, d, b, g)
    }
}

/// Oracle independent of the dual form: the thin SVD Ĵ = J D⁻¹ = UΣVᵀ, so that
/// p(λ) = −D⁻¹ Σₖ vₖ σₖ(uₖᵀb)/(σₖ² + λ) and
/// vᵀ(JᵀJ + λD²)⁻¹v = Σₖ cₖ²/(σₖ² + λ) + ‖x − Vc‖²/λ with x = D⁻¹v, c = Vᵀx.
/// Both are free of cancellation for every λ > 0 (‖x − Vc‖² has absolute error O(ε²‖x‖²)).
struct SVDOracle {
    let svd: SingularValueDecomposition
    let diagonal: [Double]

    init(jacobian: Matrix, diagonal: [Double]) throws {
        var scaled = jacobian
        for i in 0..<jacobian.rows { for j in 0..<jacobian.columns { scaled[i, j] /= diagonal[j] } }
        svd = try SingularValueDecomposition(scaled)
        self.diagonal = diagonal
    }

    func step(damping: Double, rightHandSide b: [Double]) -> [Double] {
        let n = diagonal.count
        var p = [Double](repeating: 0, count: n)
        for (k, sigma) in svd.singularValues.enumerated() {
            var projection = 0.0
            for i in 0..<b.count { projection += svd.u[i, k] * b[i] }
            let factor = sigma * projection / (sigma * sigma + damping)
            for j in 0..<n { p[j] -= factor * svd.vTransposed[k, j] }
        }
        return (0..<n).map { p[$0] / diagonal[$0] }
    }

    func inverseFactorNormSquared(_ v: [Double], damping: Double) -> Double {
        let n = diagonal.count
        var x = (0..<n).map { v[$0] / diagonal[$0] }
        var total = 0.0
        for (k, sigma) in svd.singularValues.enumerated() {
            var c = 0.0
            for j in 0..<n { c += svd.vTransposed[k, j] * x[j] }
            total += c * c / (sigma * sigma + damping)
            for j in 0..<n { x[j] -= c * svd.vTransposed[k, j] }
        }
        return total + x.reduce(0) { $0 + $1 * $1 } / damping
    }
}

func relativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    let difference = zip(a, b).map { $0 - $1 }
    return euclideanNorm(difference) / max(euclideanNorm(b), .leastNormalMagnitude)
}

@Suite struct DualCholeskyDampedSystemTests {
    static let cases = [DualCase(m: 1, n: 4, seed: 1), DualCase(m: 5, n: 12, seed: 2), DualCase(m: 20, n: 61, seed: 3),
                        DualCase(m: 30, n: 31, seed: 4)]
    static let dampings: [Double] = [1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2, 1e4]

    @Test(arguments: cases)
    func stepsAndInverseFactorNormsMatchTheDenseSystem(_ problem: DualCase) throws {
        let (j, d, b, g) = problem.make()
        let system = DualCholeskyDampedSystem()
        #expect(system.factor(jacobian: j, residual: b, gradient: g, diagonal: d))
        #expect(!system.isFullRank)
        let oracle = try SVDOracle(jacobian: j, diagonal: d)
        let jtj = gram(j)
        var step = [Double](repeating: 0, count: problem.n)
        for lambda in Self.dampings {
            system.solve(damping: lambda, diagonal: d, into: &step)
            // Dense n × n normal equations (JᵀJ + λD²) p = −Jᵀb; their own error is about
            // ε/rcond, so the tolerance widens where they lose digits (λ ≪ ‖J‖²).
            var a = jtj
            for k in 0..<problem.n { a[k, k] += lambda * d[k] * d[k] }
            let dense = try CholeskyFactorization(a)
            let denseBound = 1e-10 + 1e3 * Double.ulpOfOne / dense.reciprocalConditionEstimate()
            let denseStep = dense.solve(g.map { -$0 })
            #expect(relativeDifference(step, denseStep) <= denseBound, "λ = \(lambda)")
            #expect(relativeDifference(step, oracle.step(damping: lambda, rightHandSide: b)) <= 1e-10, "λ = \(lambda)")

            // A random v, and Moré's v = D²p/‖Dp‖ (in Ĵ's row space, where Woodbury cancels).
            var generator = SplitMix64(seed: problem.seed &* 31 &+ UInt64(lambda.exponent + 100))
            let random = (0..<problem.n).map { _ in generator.uniform() - 0.5 }
            let dp = scaledNorm(step, d)
            let more = (0..<problem.n).map { d[$0] * d[$0] * step[$0] / dp }
            for v in [random, more] {
                let norm = system.inverseFactorNorm(v, diagonal: d)
                let squared = norm * norm
                let expected = oracle.inverseFactorNormSquared(v, damping: lambda)
                #expect(abs(squared - expected) <= 1e-10 * expected, "λ = \(lambda): \(squared) vs \(expected)")
                let denseSquared = zip(v, dense.solve(v)).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(squared - denseSquared) <= denseBound * expected, "λ = \(lambda)")
            }
        }
    }

    @Test(arguments: cases)
    func undampedStepIsTheScaledMinimumNormGaussNewtonStep(_ problem: DualCase) throws {
        let (j, d, b, g) = problem.make()
        let system = DualCholeskyDampedSystem()
        #expect(system.factor(jacobian: j, residual: b, gradient: g, diagonal: d))
        var step = [Double](repeating: 0, count: problem.n)
        system.solve(damping: 0, diagonal: d, into: &step)
        var jp = [Double](repeating: 0, count: problem.m)
        multiply(j, step, into: &jp)
        // J p = −b exactly (m < n, J of full row rank) …
        #expect(relativeDifference(jp, b.map { -$0 }) <= 1e-10)
        // … and p = −D⁻¹ Ĵ⁺ b, the solution of least ‖Dp‖.
        let oracle = try SVDOracle(jacobian: j, diagonal: d)
        #expect(relativeDifference(step, oracle.step(damping: 0, rightHandSide: b)) <= 1e-10)
    }

    /// Rows 0 and 1 equal: rank(J) = m − 1, K = ĴĴᵀ singular, so λ = 0 is regularised.
    /// Consistent b (b₀ = b₁): the step is the pseudo-inverse step −D⁻¹Ĵ⁺b. Inconsistent b:
    /// the regularised step's null-direction rounding (≈ ε‖Ĵ‖/λ) no longer cancels, but the
    /// linearised residual ‖Jp + b‖ stays at its least-squares minimum.
    @Test(arguments: [true, false])
    func singularKernelGivesThePseudoInverseStep(_ consistent: Bool) throws {
        var j = randomMatrix(rows: 6, columns: 15, seed: 9)
        for k in 0..<15 { j[1, k] = j[0, k] }
        let d = (0..<15).map { 0.5 + Double($0) / 10 }
        var b = (0..<6).map { Double($0) - 2.5 }
        b[1] = consistent ? b[0] : b[0] + 1
        var g = [Double](repeating: 0, count: 15)
        multiply(j, b, transposeA: .transposed, into: &g)
        let system = DualCholeskyDampedSystem()
        #expect(system.factor(jacobian: j, residual: b, gradient: g, diagonal: d))
        var step = [Double](repeating: 0, count: 15)
        system.solve(damping: 0, diagonal: d, into: &step)
        #expect(step.allSatisfy { $0.isFinite })
        let oracle = try SVDOracle(jacobian: j, diagonal: d)
        let pseudo = oracle.svd.solveLeastSquares(b, relativeTolerance: 1e-10)
        let expected = (0..<15).map { -pseudo[$0] / d[$0] }
        func linearisedResidual(_ p: [Double]) -> Double {
            var jp = [Double](repeating: 0, count: 6)
            multiply(j, p, into: &jp)
            return euclideanNorm(zip(jp, b).map { $0 + $1 })
        }
        if consistent {
            #expect(relativeDifference(step, expected) <= 1e-6)
        } else {
            let optimal = linearisedResidual(expected)
            #expect(optimal > 0.5)
            #expect(linearisedResidual(step) <= optimal * (1 + 1e-4))  // the error enters to second order
        }
        let norm = system.inverseFactorNorm(step, diagonal: d)
        #expect(norm.isFinite && norm > 0)
    }

    @Test(arguments: cases)
    func geodesicRightHandSideIsSolvedAndTheResidualRestored(_ problem: DualCase) throws {
        let (j, d, b, g) = problem.make()
        let system = DualCholeskyDampedSystem()
        #expect(system.factor(jacobian: j, residual: b, gradient: g, diagonal: d))
        let oracle = try SVDOracle(jacobian: j, diagonal: d)
        var generator = SplitMix64(seed: problem.seed + 7)
        let other = (0..<problem.m).map { _ in generator.uniform() * 4 - 2 }
        var first = [Double](repeating: 0, count: problem.n), acceleration = first, again = first
        system.solve(damping: 0.3, diagonal: d, into: &first)
        system.useRightHandSide(other, jacobian: j)
        system.solve(damping: 0.3, diagonal: d, into: &acceleration)
        system.useResidual()
        system.solve(damping: 0.3, diagonal: d, into: &again)
        #expect(relativeDifference(acceleration, oracle.step(damping: 0.3, rightHandSide: other)) <= 1e-10)
        #expect(first == again)
        #expect(relativeDifference(first, acceleration) > 1e-3)
    }

    @Test func changedDiagonalReformsTheKernel() throws {
        let (j, d, b, g) = DualCase(m: 5, n: 12, seed: 2).make()
        let system = DualCholeskyDampedSystem()
        #expect(system.factor(jacobian: j, residual: b, gradient: g, diagonal: d))
        let other = d.map { 1 / $0 }
        var step = [Double](repeating: 0, count: 12)
        system.solve(damping: 0.7, diagonal: other, into: &step)
        let oracle = try SVDOracle(jacobian: j, diagonal: other)
        #expect(relativeDifference(step, oracle.step(damping: 0.7, rightHandSide: b)) <= 1e-10)
    }

    @Test func underdeterminedLinearFitReachesZeroCostLikeQR() {
        let a = randomMatrix(rows: 8, columns: 20, seed: 11)
        var generator = SplitMix64(seed: 12)
        let b = (0..<8).map { _ in generator.uniform() * 2 - 1 }
        let start = (0..<20).map { _ in generator.uniform() }
        let problem = LeastSquaresProblem(map: linearMap(a, b), initialParameters: start)
        let dual = LevenbergMarquardt(configuration: configuration(.auto)).fit(problem)
        let qr = LevenbergMarquardt(configuration: configuration(.qr)).fit(problem)
        #expect(dual.linearSolverUse["dual", default: 0] > 0, "\(dual.linearSolverUse)")
        #expect(qr.linearSolverUse["dual"] == nil)
        #expect(dual.timings.gramSeconds > 0 && dual.timings.factorizationSeconds > 0, "the dual system's time is booked")
        #expect(dual.initialCost > 1e-2)
        #expect(dual.cost <= 1e-24, "\(dual.status): \(dual.message)")
        #expect(qr.cost <= 1e-24, "\(qr.status): \(qr.message)")
        // M < N: zero cost, but the parameters are not determined (rank M of N).
        #expect(dual.status == .rankDeficient && qr.status == .rankDeficient, "\(dual.status), \(qr.status)")
    }

    @Test(arguments: [false, true])
    func overParameterisedNetworkInterpolatesLikeQR(_ geodesic: Bool) throws {
        // 2 → 16 → 1 tanh on 6 samples: N = 65 parameters, M = 6 residuals.
        let data = try TeacherNetworkDataSource(layerWidths: [2, 3, 1], activation: .tanh, samples: 6, noise: 0.05)
            .generate(seed: 3).training
        let student = MultilayerPerceptron(layerWidths: [2, 16, 1], activation: .tanh).initialized(.glorot, seed: 4)
        let problem = LeastSquaresProblem(
            map: MultilayerPerceptronResidualMap(network: student, inputs: data.inputs, targets: data.targets),
            initialParameters: student.parameters, jacobianStrategy: PerSampleGradients())
        var dualConfiguration = configuration(.auto), qrConfiguration = configuration(.qr)
        dualConfiguration.geodesicAcceleration = geodesic
        qrConfiguration.geodesicAcceleration = geodesic
        let dual = LevenbergMarquardt(configuration: dualConfiguration).fit(problem)
        let qr = LevenbergMarquardt(configuration: qrConfiguration).fit(problem)
        #expect(dual.linearSolverUse.keys.sorted() == ["dual"])
        #expect(dual.cost <= 1e-12 * dual.initialCost, "\(dual.status): \(dual.message), cost \(dual.cost)")
        #expect(qr.cost <= 1e-12 * qr.initialCost, "\(qr.status): \(qr.message), cost \(qr.cost)")
        #expect(dual.status == .rankDeficient, "\(dual.status): \(dual.message)")
    }
}
