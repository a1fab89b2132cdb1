import Datasets
import Foundation
import Jacobians
import LinearAlgebra
import NeuralNetworks
@testable import Solvers
import Testing

/// The forum network (5 → 9 → 3 tanh, 192 teacher samples; N = 84, M = 576) as a fit.
func forumNetworkProblem(seed: UInt64 = 42) throws -> LeastSquaresProblem {
    let data = try TeacherNetworkDataSource(layerWidths: [5, 9, 3], activation: .tanh, samples: 192, noise: 0.01)
        .generate(seed: seed).training
    let student = MultilayerPerceptron(layerWidths: [5, 9, 3], activation: .tanh).initialized(.glorot, seed: seed + 1)
    return LeastSquaresProblem(
        map: MultilayerPerceptronResidualMap(network: student, inputs: data.inputs, targets: data.targets),
        initialParameters: student.parameters, jacobianStrategy: PerSampleGradients())
}

/// A strategy whose one-time preparation throws (its Jacobian would be per-sample's).
struct UnpreparableStrategy: JacobianStrategy {
    struct PreparationFailed: Error, CustomStringConvertible { var description: String { "no calibration here" } }
    var name: String { "unpreparable" }
    var isExact: Bool { true }
    func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }
    func prepare(for map: any DifferentiableMap, at point: [Double]) throws { throw PreparationFailed() }
    func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        try PerSampleGradients().jacobian(of: map, at: point, into: &jacobian)
    }
}

@Suite struct NormalEquationsTests {
    /// J with columns scaled over twelve orders of magnitude: the equilibrated Gram matrix
    /// is well conditioned although JᵀJ itself is not.
    func badlyScaledJacobian() -> Matrix {
        var j = randomMatrix(rows: 40, columns: 6, seed: 3)
        for i in 0..<40 { for k in 0..<6 { j[i, k] *= pow(10, Double(2 * k)) } }
        return j
    }

    @Test func conditionEstimateFromTheUndampedFactorMatchesTheEquilibratedGram() throws {
        let j = badlyScaledJacobian()
        let system = CholeskyDampedSystem()
        let residual = [Double](repeating: 1, count: 40)
        var gradient = [Double](repeating: 0, count: 6)
        multiply(j, residual, transposeA: .transposed, into: &gradient)
        #expect(system.factor(jacobian: j, residual: residual, gradient: gradient, diagonal: [Double](repeating: 1, count: 6)))
        let estimate = system.reciprocalConditionOfScaledGram()
        // Oracle: factor C = S⁻¹JᵀJS⁻¹ from scratch and ask LAPACK's dpocon through LinearAlgebra.
        let g = gram(j)
        var c = Matrix(rows: 6, columns: 6)
        for a in 0..<6 { for b in 0..<6 { c[a, b] = g[a, b] / (g[a, a] * g[b, b]).squareRoot() } }
        let direct = try CholeskyFactorization(c).reciprocalConditionEstimate()
        #expect(estimate > 1e-3, "the equilibrated matrix is well conditioned: \(estimate)")
        #expect(abs(estimate - direct) <= 1e-6 * direct, "\(estimate) vs \(direct)")
    }

    @Test func repeatedDampingReusesTheFactorAndGivesTheSameStep() {
        let j = badlyScaledJacobian()
        let system = CholeskyDampedSystem()
        var generator = SplitMix64(seed: 5)
        let residual = (0..<40).map { _ in generator.uniform() - 0.5 }
        var gradient = [Double](repeating: 0, count: 6)
        multiply(j, residual, transposeA: .transposed, into: &gradient)
        let diagonal = (0..<6).map { pow(10, Double(2 * $0)) }
        #expect(system.factor(jacobian: j, residual: residual, gradient: gradient, diagonal: diagonal))
        var first = [Double](repeating: 0, count: 6), again = first, other = first, back = first
        system.solve(damping: 0.5, diagonal: diagonal, into: &first)
        let factorizations = system.factorizationSeconds
        system.solve(damping: 0.5, diagonal: diagonal, into: &again)
        #expect(system.factorizationSeconds == factorizations, "the same λ and D must not refactor")
        system.solve(damping: 2, diagonal: diagonal, into: &other)
        system.solve(damping: 0.5, diagonal: diagonal, into: &back)
        #expect(first == again)
        #expect(first == back)
        // (JᵀJ + λD²)p = −Jᵀr, checked against Gaussian elimination.
        let g = gram(j)
        let a = (0..<6).map { r in (0..<6).map { c in g[r, c] + (r == c ? 0.5 * diagonal[r] * diagonal[r] : 0) } }
        let expected = gaussianSolve(a, gradient.map { -$0 })
        for (x, e) in zip(first, expected) { #expect(abs(x - e) <= 1e-8 * max(abs(e), 1e-12)) }
    }

    @Test(arguments: [0, 7, 8, 13, 63, 64, 99])
    func allFiniteFindsEveryNonFiniteEntry(_ position: Int) {
        var values = (0..<100).map { Double($0) - 50 }
        #expect(allFinite(values))
        for bad in [Double.nan, .infinity, -.infinity] {
            values[position] = bad
            #expect(!allFinite(values), "\(bad) at \(position)")
        }
        #expect(allFinite([]))
    }

    @Test func networksTakeTheNormalEquationsByDefault() throws {
        var c = LevenbergMarquardt.Configuration()
        c.maximumIterations = 30
        c.covariance = false
        let byDefault = LevenbergMarquardt(configuration: c).fit(try forumNetworkProblem())
        #expect(byDefault.linearSolverUse["qr", default: 0] == 0, "\(byDefault.linearSolverUse)")
        #expect(byDefault.linearSolverUse["cholesky", default: 0] == byDefault.linearizations)
        // The certified rule (rcond ≥ 1e-10) sends this network's flat-valley Jacobians to QR.
        c.choleskyMinimumReciprocalCondition = LevenbergMarquardt.certifiedMinimumReciprocalCondition
        c.maximumIterations = 200
        let certified = LevenbergMarquardt(configuration: c).fit(try forumNetworkProblem())
        #expect(certified.linearSolverUse["qr", default: 0] > 0, "\(certified.linearSolverUse)")
    }

    @Test func timingSplitIsPartOfTheLinearSolveTime() throws {
        var c = LevenbergMarquardt.Configuration()
        c.maximumIterations = 5
        c.covariance = false
        let result = LevenbergMarquardt(configuration: c).fit(try forumNetworkProblem())
        let t = result.timings
        #expect(t.gramSeconds > 0 && t.factorizationSeconds > 0)
        #expect(t.gramSeconds + t.factorizationSeconds <= t.linearSolveSeconds)
        #expect(t.residualSeconds + t.jacobianSeconds + t.linearSolveSeconds <= t.totalSeconds)
        #expect(abs(t.otherSeconds - (t.totalSeconds - t.residualSeconds - t.jacobianSeconds - t.gramSeconds - t.factorizationSeconds)) < 1e-12)
        #expect(t.calibrationSeconds == 0, "per-sample has nothing to prepare")
        let ratio = try #require(t.timeOverKernels)
        #expect(abs(ratio - t.totalSeconds / (t.jacobianSeconds + t.gramSeconds + t.factorizationSeconds)) <= 1e-12 * ratio)
        #expect(ratio >= 1)
    }

    @Test func autoCalibrationIsBookedApartFromTheJacobians() throws {
        var c = LevenbergMarquardt.Configuration()
        c.maximumIterations = 5
        c.covariance = false
        c.normalEquations = .fromJacobian
        var problem = try forumNetworkProblem()
        let auto = AutoStrategy()
        problem.jacobianStrategy = auto
        let result = LevenbergMarquardt(configuration: c).fit(problem)
        let t = result.timings
        #expect(auto.lastDecision != nil, "auto decided")
        #expect(t.calibrationSeconds > 0 && t.jacobianSeconds > 0)
        #expect(abs(t.otherSeconds - (t.totalSeconds - t.residualSeconds - t.jacobianSeconds - t.calibrationSeconds
            - t.gramSeconds - t.factorizationSeconds)) < 1e-12)
        let ratio = try #require(t.timeOverKernels)
        #expect(abs(ratio - (t.totalSeconds - t.calibrationSeconds) / (t.jacobianSeconds + t.gramSeconds + t.factorizationSeconds))
            <= 1e-12 * ratio)
        // A failing preparation ends the fit like a failing Jacobian, with the strategy's message.
        problem.jacobianStrategy = UnpreparableStrategy()
        let failed = LevenbergMarquardt(configuration: c).fit(problem)
        #expect(failed.status == .jacobianFailed)
        #expect(failed.message.contains("unpreparable") && failed.message.contains("no calibration here"), "\(failed.message)")
    }

    /// 1 → 8 → 1 tanh on 40 samples at only two distinct inputs: N = 25 ≤ M = 40, but J has rank
    /// at most 2, so JᵀJ is singular at every iterate.
    func rankDeficientNetworkProblem() -> LeastSquaresProblem {
        let inputs = Matrix(rows: 40, columns: 1, elements: (0..<40).map { $0 % 2 == 0 ? -0.5 : 0.7 })
        let targets = Matrix(rows: 40, columns: 1, elements: (0..<40).map { $0 % 2 == 0 ? 0.3 : -0.2 })
        let network = MultilayerPerceptron(layerWidths: [1, 8, 1], activation: .tanh).initialized(.glorot, seed: 9)
        return LeastSquaresProblem(
            map: MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets),
            initialParameters: network.parameters, jacobianStrategy: PerSampleGradients())
    }

    @Test func singularNetworkGramStaysOnRegularizedCholesky() {
        var c = LevenbergMarquardt.Configuration()
        c.covariance = false
        c.maximumIterations = 100
        let result = LevenbergMarquardt(configuration: c).fit(rankDeficientNetworkProblem())
        #expect(result.linearSolverUse["qr", default: 0] == 0, "\(result.linearSolverUse)")
        #expect(result.rankDeficientJacobians > 0)
        // Two distinct inputs, two targets: the network can interpolate them, cost → 0.
        #expect(result.cost < 1e-10 * result.initialCost, "\(result.status): \(result.cost) from \(result.initialCost)")
    }

    @Test(arguments: [[5, 9, 3], [2, 4, 6, 2], [3, 7, 5]])
    func outputLayerGramEqualsTheDenseGram(_ layers: [Int]) throws {
        let network = MultilayerPerceptron(layerWidths: layers, activation: .tanh).initialized(.glorot, seed: 4)
        var generator = SplitMix64(seed: 6)
        let samples = 23, d = layers[0], p = layers[layers.count - 1]
        let inputs = Matrix(rows: samples, columns: d, elements: (0..<samples * d).map { _ in generator.uniform() * 2 - 1 })
        let targets = Matrix(rows: samples, columns: p, elements: (0..<samples * p).map { _ in generator.uniform() })
        let map = MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
        var jacobian = try ForwardVectorized().jacobian(of: map, at: network.parameters)
        // Row weights (σ) keep the zero pattern.
        for i in 0..<jacobian.rows { for j in 0..<jacobian.columns { jacobian[i, j] *= 1 + Double(i % 5) } }
        let sparsity = try #require(map.outputBlockSparsity)
        let structure = OutputBlockGram(denseColumns: sparsity.denseColumns, outputs: sparsity.outputs, blockWeights: sparsity.blockWeights)
        #expect(structure.columns == network.parameterCount && structure.matches(jacobian))
        var structured = Matrix(rows: 0, columns: 0)
        structure.gram(jacobian, into: &structured)
        let dense = gram(jacobian)
        var difference = 0.0
        for (a, b) in zip(structured.elements, dense.elements) { difference = max(difference, abs(a - b)) }
        #expect(difference <= 1e-13 * dense.frobeniusNorm, "max |Δ| = \(difference)")
    }

    @Test func oneOutputHasNoStructureToSkip() {
        let network = MultilayerPerceptron(layerWidths: [1, 4, 1], activation: .tanh).initialized(.glorot, seed: 1)
        let map = MultilayerPerceptronResidualMap(
            network: network, inputs: Matrix(rows: 3, columns: 1, elements: [0, 1, 2]), targets: Matrix(rows: 3, columns: 1, elements: [0, 0, 0]))
        #expect(map.outputBlockSparsity == nil)
    }

    @Test func singularGramRegularizesTheUndampedStepOnceAndReusesIt() {
        var j = randomMatrix(rows: 12, columns: 4, seed: 21)
        for i in 0..<12 { j[i, 3] = j[i, 1] }  // equal columns: JᵀJ is singular
        var generator = SplitMix64(seed: 22)
        let residual = (0..<12).map { _ in generator.uniform() - 0.5 }
        var gradient = [Double](repeating: 0, count: 4)
        multiply(j, residual, transposeA: .transposed, into: &gradient)
        let system = CholeskyDampedSystem(), unit = [Double](repeating: 1, count: 4)
        #expect(system.factor(jacobian: j, residual: residual, gradient: gradient, diagonal: unit))
        #expect(!system.isFullRank)
        var first = unit, damped = unit, again = unit
        system.solve(damping: 0, diagonal: unit, into: &first)
        system.solve(damping: 0.5, diagonal: unit, into: &damped)
        system.solve(damping: 0, diagonal: unit, into: &again)
        #expect(first.allSatisfy { $0.isFinite })
        #expect(first == again)
        // The regularized step treats the two equal columns alike (up to rounding amplified by
        // 1/λ, λ = 1e-14·max (JᵀJ)ⱼⱼ) and solves the determined part: JᵀJ p ≈ −Jᵀr.
        #expect(abs(first[1] - first[3]) <= 1e-2 * max(abs(first[1]), 1))
        var image = [Double](repeating: 0, count: 12), normal = unit
        multiply(j, first, into: &image)
        for i in 0..<12 { image[i] += residual[i] }
        multiply(j, image, transposeA: .transposed, into: &normal)
        #expect(euclideanNorm(normal) <= 1e-6 * euclideanNorm(gradient), "\(normal)")
    }

    /// Nielsen damping never solves at λ = 0: the rank then comes from the first damped factor.
    @Test(arguments: [false, true])
    func dampedFactorTellsTheRankWithoutFactoringZeroDamping(duplicateColumn: Bool) {
        var j = randomMatrix(rows: 12, columns: 4, seed: 31)
        if duplicateColumn { for i in 0..<12 { j[i, 3] = j[i, 1] } }
        let residual = (0..<12).map { Double($0 % 3) - 1 }
        var gradient = [Double](repeating: 0, count: 4)
        multiply(j, residual, transposeA: .transposed, into: &gradient)
        let system = CholeskyDampedSystem(), unit = [Double](repeating: 1, count: 4)
        #expect(system.factor(jacobian: j, residual: residual, gradient: gradient, diagonal: unit))
        var step = unit
        // λ well above rounding of JᵀJ but far below its nonzero eigenvalues.
        system.solve(damping: 1e-8, diagonal: unit, into: &step)
        #expect(system.isFullRank == !duplicateColumn)
        // The damped step solves (JᵀJ + λI) p = −Jᵀr.
        let normal = gram(j)
        for row in 0..<4 {
            var lhs = 1e-8 * step[row]
            for column in 0..<4 { lhs += normal[row, column] * step[column] }
            #expect(abs(lhs + gradient[row]) <= 1e-6 * max(euclideanNorm(gradient), 1))
        }
        // ‖J p‖² from JᵀJ agrees with the direct product.
        var image = [Double](repeating: 0, count: 12)
        multiply(j, step, into: &image)
        let direct = euclideanNorm(image) * euclideanNorm(image)
        #expect(abs(system.squaredImageNorm(step) - direct) <= 1e-10 * direct)
    }
}

/// The Cholesky kernel of the normal equations on both sides of the unblocked/blocked switch.
@Suite struct CholeskyKernelTests {
    @Test(arguments: [1, 7, 84, UpperCholeskyKernel.unblockedOrderLimit, UpperCholeskyKernel.unblockedOrderLimit + 1, 150])
    func factorReproducesTheMatrixAndRejectsAnIndefiniteOne(order n: Int) {
        let j = randomMatrix(rows: n + 5, columns: n, seed: UInt64(n))
        let a = gram(j)
        // Column-major upper triangle (a is symmetric, so row-major storage reads the same).
        var factor = a.elements
        let positive = factor.withUnsafeMutableBufferPointer { (UpperCholeskyKernel.factorInPlace($0.baseAddress!, order: n) == 0) }
        #expect(positive)
        var worst = 0.0
        for r in 0..<n {
            for c in r..<n {
                var sum = 0.0
                for k in 0...r { sum += factor[k + r * n] * factor[k + c * n] }
                worst = max(worst, abs(sum - a[r, c]) / (a[r, r] * a[c, c]).squareRoot())
            }
        }
        #expect(worst <= 1e-13, "UᵀU vs A: \(worst)")
        var indefinite = a.elements
        indefinite[(n - 1) * n + n - 1] = -1
        let rejected = indefinite.withUnsafeMutableBufferPointer { (UpperCholeskyKernel.factorInPlace($0.baseAddress!, order: n) == 0) }
        #expect(!rejected)
    }
}
