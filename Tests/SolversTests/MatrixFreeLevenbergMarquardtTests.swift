import Datasets
import Foundation
import Jacobians
import LinearAlgebra
import NeuralNetworks
@testable import Solvers
import Testing

/// One problem for the matrix-free tests: a map kind, a point, σ weights and fixed parameters.
struct MatrixFreeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var make: @Sendable () throws -> LeastSquaresProblem
    var testDescription: String { name }

    /// A network (its own operator), a NIST formula model and an analytic map (the generic
    /// sweep operator), the last with σ weights and a fixed parameter.
    static let all: [MatrixFreeCase] = [
        MatrixFreeCase(name: "mlp 1-6-5-1") {
            var generator = SeededGenerator(seed: 21)
            var network = MultilayerPerceptron(layerWidths: [1, 6, 5, 1], activations: [.tanh, .tanh, .identity])
            network.initialize(.glorot, using: &generator)
            let inputs = Matrix(rows: 60, columns: 1, elements: (0..<60).map { _ in generator.nextUniform(in: -2, 2) })
            let targets = Matrix(rows: 60, columns: 1, elements: inputs.elements.map { sin(2 * $0) })
            return LeastSquaresProblem(
                map: MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets), initialParameters: network.parameters)
        },
        MatrixFreeCase(name: "nist misra1a") {
            let problem = try NISTProblem.load(contentsOf: nistFixtureDirectory.appendingPathComponent("Misra1a.dat").path)
            return LeastSquaresProblem(map: try problem.residualMap(), initialParameters: problem.startingPoint(.start2))
        },
        MatrixFreeCase(name: "analytic, weighted, one fixed") {
            let a = randomMatrix(rows: 30, columns: 6, seed: 4)
            let b = (0..<30).map { Double($0 % 7) / 7 }
            var problem = LeastSquaresProblem(map: linearMap(a, b), initialParameters: [0.5, -0.3, 0.2, 0.1, 0, 1])
            problem.standardDeviations = (0..<30).map { 0.5 + Double($0 % 4) * 0.25 }
            problem.fixedParameters = [2]
            return problem
        },
    ]

    /// A linear map whose first column is 100 times the others and a residual that is mostly
    /// a constant offset along it: the gradient is almost all that column's.
    static let stiffOffset = MatrixFreeCase(name: "linear, stiff offset column") {
        var a = randomMatrix(rows: 40, columns: 8, seed: 9)
        for i in 0..<40 { a[i, 0] = 100 }
        let b = (0..<40).map { 500 + sin(Double($0)) }
        return LeastSquaresProblem(map: linearMap(a, b), initialParameters: Array(repeating: 0, count: 8))
    }
}

@Suite struct MatrixFreeLevenbergMarquardtTests {
    /// What one damped solve works on: the operator linearized at the start, r, g = J̃ᵀr,
    /// diag(J̃ᵀJ̃), D = √diag, and J̃ itself (formed by the problem's strategy) for the reference.
    struct Linearization {
        var jacobianOperator: WeightedFreeJacobianOperator
        var residual: [Double], gradient: [Double], diagonal: [Double], scaling: [Double]
        var jacobian: Matrix

        init(_ problem: LeastSquaresProblem) throws {
            let fitRun = FitRun(problem: problem)
            let x = fitRun.initialFreeParameters
            jacobianOperator = WeightedFreeJacobianOperator(map: fitRun.map)
            residual = []
            _ = try #require(fitRun.cost(at: x, residual: &residual))
            jacobian = Matrix(rows: 0, columns: 0)
            #expect(fitRun.jacobian(at: x, into: &jacobian))
            jacobianOperator.linearize(at: x)
            gradient = []
            diagonal = []
            jacobianOperator.applyTransposed(residual, into: &gradient)
            jacobianOperator.columnSquaredNorms(into: &diagonal)
            scaling = diagonal.map { $0 > 0 ? $0.squareRoot() : 1 }
        }

        /// −g − (J̃ᵀJ̃ + λD²)p with the formed J̃.
        func normalResidual(_ step: [Double], damping: Double) -> [Double] {
            var image: [Double] = [], curvature: [Double] = []
            multiply(jacobian, step, into: &image)
            multiply(jacobian, image, transposeA: .transposed, into: &curvature)
            return (0..<step.count).map { -gradient[$0] - curvature[$0] - damping * scaling[$0] * scaling[$0] * step[$0] }
        }

        /// The dense damped step, by Gaussian elimination on J̃ᵀJ̃ + λD².
        func denseStep(damping: Double) -> [Double] {
            let n = gradient.count, m = jacobian.rows
            let matrix = (0..<n).map { i in
                (0..<n).map { j in (0..<m).reduce(0.0) { $0 + jacobian[$1, i] * jacobian[$1, j] } + (i == j ? damping * scaling[i] * scaling[i] : 0) }
            }
            return gaussianSolve(matrix, gradient.map { -$0 })
        }
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The inner solver by name: `cg` (Jacobi), `cg-plain` (`preconditioner: none`) or `lsmr`.
    static func solver(named name: String) -> any KrylovDampedSolver {
        switch name {
        case "cg": ConjugateGradientDampedSolver()
        case "cg-plain": ConjugateGradientDampedSolver(preconditioner: .plain)
        default: LSMRDampedSolver()
        }
    }

    /// With η = 1e-10 each solver ends with its residual below η times the gradient (CG: ‖·‖
    /// of −g − Ap against ‖g‖; LSMR: the D⁻¹-scaled residual against ‖D⁻¹g‖), and the step is
    /// the dense damped step within ‖A⁻¹‖·‖residual‖ ≤ ‖residual‖/(λ·minⱼ Dⱼ²).
    @Test(arguments: MatrixFreeCase.all, ["cg", "cg-plain", "lsmr"])
    func aTightToleranceGivesTheDenseDampedStep(_ testCase: MatrixFreeCase, _ solverName: String) throws {
        let linearization = try Linearization(try testCase.make())
        let solver = Self.solver(named: solverName)
        let eta = 1e-10
        for damping in [1e-3, 1e-1] {
            let largest = zip(linearization.diagonal, linearization.scaling).map { $0 / ($1 * $1) }.max() ?? 1
            let lambda = damping * largest
            var step: [Double] = []
            let outcome = solver.solve(
                jacobian: linearization.jacobianOperator, residual: linearization.residual, gradient: linearization.gradient,
                gaussNewtonDiagonal: linearization.diagonal, scaling: linearization.scaling, damping: lambda,
                tolerance: eta, maximumIterations: 500, into: &step)
            #expect(outcome.stop == .tolerance, "\(solverName) λ = \(lambda): \(outcome.stop) after \(outcome.iterations)")
            let residual = linearization.normalResidual(step, damping: lambda)
            let gradientNorm = Self.norm(linearization.gradient)
            if solverName != "lsmr" {
                // The recursively updated residual ≤ η‖g‖; the true one may differ by rounding.
                #expect(Self.norm(residual) <= eta * gradientNorm + 1e-12 * gradientNorm, "CG residual \(Self.norm(residual)) against \(eta * gradientNorm)")
            } else {
                let scaledResidual = Self.norm(zip(residual, linearization.scaling).map { $0 / $1 })
                let scaledGradient = Self.norm(zip(linearization.gradient, linearization.scaling).map { $0 / $1 })
                #expect(scaledResidual <= 2 * eta * scaledGradient + 1e-12 * scaledGradient, "LSMR residual \(scaledResidual) against \(eta * scaledGradient)")
            }
            let dense = linearization.denseStep(damping: lambda)
            let smallestCurvature = lambda * (linearization.scaling.map { $0 * $0 }.min() ?? 1)
            let bound = Self.norm(residual) / smallestCurvature + 1e-9 * Self.norm(dense)
            let error = Self.norm(zip(step, dense).map { $0 - $1 })
            #expect(error <= bound, "\(solverName) λ = \(lambda): ‖p − p_dense‖ = \(error), bound \(bound)")
            // ‖J̃p‖² as the solver reports it, for the predicted reduction.
            var image: [Double] = []
            multiply(linearization.jacobian, step, into: &image)
            let imageNormSquared = image.reduce(0) { $0 + $1 * $1 }
            #expect(abs(outcome.imageNormSquared - imageNormSquared) <= 1e-8 * max(imageNormSquared, 1e-300) + 1e-12 * gradientNorm * Self.norm(step))
        }
    }

    /// Each solver stops on its cap with that many iterations, and on a loose tolerance early.
    @Test(arguments: ["cg", "cg-plain", "lsmr"]) func innerSolvesStopOnTheirCapAndOnTheirTolerance(_ solverName: String) throws {
        let linearization = try Linearization(try MatrixFreeCase.all[0].make())
        let solver = Self.solver(named: solverName)
        var step: [Double] = []
        let capped = solver.solve(
            jacobian: linearization.jacobianOperator, residual: linearization.residual, gradient: linearization.gradient,
            gaussNewtonDiagonal: linearization.diagonal, scaling: linearization.scaling, damping: 1e-8,
            tolerance: 1e-14, maximumIterations: 3, into: &step)
        #expect(capped.stop == .iterationCap && capped.iterations == 3, "\(capped.stop) after \(capped.iterations)")
        let loose = solver.solve(
            jacobian: linearization.jacobianOperator, residual: linearization.residual, gradient: linearization.gradient,
            gaussNewtonDiagonal: linearization.diagonal, scaling: linearization.scaling, damping: 1e-8,
            tolerance: 0.9, maximumIterations: 100, into: &step)
        #expect(loose.stop == .tolerance && loose.iterations >= 1 && loose.iterations < 100, "\(loose.stop) after \(loose.iterations)")
    }

    /// ½‖J̃p + r‖² + ½λ‖Dp‖² with the formed J̃.
    static func dampedModel(_ linearization: Linearization, _ step: [Double], damping: Double) -> Double {
        var image: [Double] = []
        multiply(linearization.jacobian, step, into: &image)
        var value = 0.0
        for i in image.indices { value += (image[i] + linearization.residual[i]) * (image[i] + linearization.residual[i]) }
        for j in step.indices { value += damping * linearization.scaling[j] * linearization.scaling[j] * step[j] * step[j] }
        return 0.5 * value
    }

    /// A loose forcing term does not end a solve that still gains, every map kind: the last
    /// iteration of each solve lowered the damped model (recomputed with the formed J̃) by at
    /// most 1% of its value, or (CG) ½sᵀM⁻¹s of its true residual s = −g − (J̃ᵀJ̃ + λD²)p with
    /// the Jacobi M is at most that. On a residual dominated by one stiff column, ‖J̃ᵀr‖ falls
    /// below η = 0.5 of its start in one iteration (where both solvers stopped before this test
    /// existed) while much of the model's reduction is still ahead, so the solve goes on.
    @Test(arguments: MatrixFreeCase.all + [MatrixFreeCase.stiffOffset], ["cg", "lsmr"])
    func aSolveEndsOnlyOnceTheModelHasLittleLeftToGain(_ testCase: MatrixFreeCase, _ solverName: String) throws {
        let linearization = try Linearization(try testCase.make())
        let solver: any KrylovDampedSolver = solverName == "cg" ? ConjugateGradientDampedSolver() : LSMRDampedSolver()
        let lambda = 1e-6 * (linearization.diagonal.max() ?? 1)
        var step: [Double] = [], previous: [Double] = []
        let outcome = solver.solve(
            jacobian: linearization.jacobianOperator, residual: linearization.residual, gradient: linearization.gradient,
            gaussNewtonDiagonal: linearization.diagonal, scaling: linearization.scaling, damping: lambda,
            tolerance: 0.5, maximumIterations: 200, into: &step)
        #expect(outcome.stop == .tolerance, "\(solverName): \(outcome.stop) after \(outcome.iterations)")
        if testCase.name == MatrixFreeCase.stiffOffset.name {
            #expect(outcome.iterations >= 2, "\(solverName) stopped after \(outcome.iterations) iterations")
        }
        if outcome.iterations >= 2 {
            _ = solver.solve(
                jacobian: linearization.jacobianOperator, residual: linearization.residual, gradient: linearization.gradient,
                gaussNewtonDiagonal: linearization.diagonal, scaling: linearization.scaling, damping: lambda,
                tolerance: 0.5, maximumIterations: outcome.iterations - 1, into: &previous)
        } else {
            previous = Array(repeating: 0, count: step.count)
        }
        let model = Self.dampedModel(linearization, step, damping: lambda)
        var lastDecrease = Self.dampedModel(linearization, previous, damping: lambda) - model
        if solverName == "cg" {
            let residual = linearization.normalResidual(step, damping: lambda)
            let predicted = 0.5 * (0..<step.count).reduce(0.0) { sum, j in
                sum + residual[j] * residual[j] / (linearization.diagonal[j] + lambda * linearization.scaling[j] * linearization.scaling[j])
            }
            lastDecrease = min(lastDecrease, predicted)
        }
        let start = 0.5 * linearization.residual.reduce(0) { $0 + $1 * $1 }
        #expect(lastDecrease <= 0.01 * model + 1e-9 * start, "\(solverName): decrease \(lastDecrease) at a model of \(model)")
    }

    /// The linearization at 0 of the linear map with J̃ = diag(`values`) and data 1, 2, 3, ….
    static func diagonalLinearization(_ values: [Double]) throws -> Linearization {
        var a = Matrix(rows: values.count, columns: values.count)
        for j in values.indices { a[j, j] = values[j] }
        let problem = LeastSquaresProblem(
            map: linearMap(a, values.indices.map { Double($0 + 1) }), initialParameters: Array(repeating: 0, count: values.count))
        return try Linearization(problem)
    }

    /// One damped solve at λ = 0.5 with D = I and at most 10 iterations.
    static func solveWithUnitScaling(
        _ solver: any KrylovDampedSolver, _ linearization: Linearization, tolerance: Double, into step: inout [Double]
    ) -> InnerSolveOutcome {
        solver.solve(
            jacobian: linearization.jacobianOperator, residual: linearization.residual, gradient: linearization.gradient,
            gaussNewtonDiagonal: linearization.diagonal, scaling: Array(repeating: 1, count: linearization.gradient.count),
            damping: 0.5, tolerance: tolerance, maximumIterations: 10, into: &step)
    }

    /// J̃ᵀJ̃ diagonal (J̃ diagonal): the Jacobi preconditioner is its exact inverse, so CG ends
    /// in one iteration at rounding level.
    @Test func theJacobiPreconditionerIsExactOnADiagonalProblem() throws {
        let linearization = try Self.diagonalLinearization([3.0, 0.01, 250, 1, 7e3])
        var step: [Double] = []
        let outcome = Self.solveWithUnitScaling(ConjugateGradientDampedSolver(), linearization, tolerance: 1e-13, into: &step)
        #expect(outcome.iterations == 1 && outcome.stop == .tolerance, "\(outcome.stop) after \(outcome.iterations)")
    }

    /// `preconditioner: none` is plain CG: on a well-conditioned diagonal problem (five
    /// distinct eigenvalues of J̃ᵀJ̃ + λI) it needs more than the one Jacobi iteration and at
    /// most five (CG's bound: the number of distinct eigenvalues), and ends at the same step.
    @Test func plainConjugateGradientsTakeOneIterationPerDistinctEigenvalue() throws {
        let linearization = try Self.diagonalLinearization([1.0, 2, 3, 4, 5])
        var plainStep: [Double] = [], jacobiStep: [Double] = []
        let plain = Self.solveWithUnitScaling(
            ConjugateGradientDampedSolver(preconditioner: .plain), linearization, tolerance: 1e-10, into: &plainStep)
        _ = Self.solveWithUnitScaling(ConjugateGradientDampedSolver(preconditioner: .jacobi), linearization, tolerance: 1e-13, into: &jacobiStep)
        #expect((2...5).contains(plain.iterations) && plain.stop == .tolerance, "\(plain.stop) after \(plain.iterations)")
        for j in 0..<5 { #expect(abs(plainStep[j] - jacobiStep[j]) <= 1e-8 * abs(jacobiStep[j]), "p[\(j)]: \(plainStep[j]) against \(jacobiStep[j])") }
    }

    /// The gradient-ratio forcing: η = ‖gₖ‖/‖g₀‖ within [1e-5, 0.5], the first gradient fixed
    /// as the reference; a fixed `inner-tolerance` wins over it. A network hints it (and plain
    /// CG, and 4 backtracking steps); a NIST formula keeps Eisenstat–Walker (0.1 first), Jacobi
    /// and no backtracking; a setting wins over the hint.
    @Test func theGradientRatioForcingFollowsTheFirstGradientAndTheHints() throws {
        var configuration = LevenbergMarquardt.Configuration()
        configuration.linearSolver = .cg
        let network = try MatrixFreeCase.all[0].make(), formula = try MatrixFreeCase.all[1].make()
        var run = MatrixFreeLevenbergMarquardtRun(configuration: configuration, fitRun: FitRun(problem: network), choiceReason: "test")
        #expect(run.forcingRule == .gradientRatio && run.preconditionerRule == .plain && run.backtrackingSteps == 4)
        #expect(run.forcingTerm(gradientNorm: 200) == 0.5)
        #expect(run.forcingTerm(gradientNorm: 20) == 0.1)
        #expect(run.forcingTerm(gradientNorm: 0.2) == 1e-3)
        #expect(run.forcingTerm(gradientNorm: 1e-9) == 1e-5)
        #expect(run.forcingTerm(gradientNorm: 300) == 0.5)
        var formulaRun = MatrixFreeLevenbergMarquardtRun(configuration: configuration, fitRun: FitRun(problem: formula), choiceReason: "test")
        #expect(formulaRun.forcingRule == .eisenstatWalker && formulaRun.preconditionerRule == .jacobi && formulaRun.backtrackingSteps == 0)
        #expect(formulaRun.forcingTerm(gradientNorm: 200) == 0.1)
        #expect(formulaRun.forcingTerm(gradientNorm: 1e-9) == 0.1)
        configuration.forcing = .eisenstatWalker
        configuration.preconditioner = .jacobi
        configuration.backtrackingSteps = 0
        let overridden = MatrixFreeLevenbergMarquardtRun(configuration: configuration, fitRun: FitRun(problem: network), choiceReason: "test")
        #expect(overridden.forcingRule == .eisenstatWalker && overridden.preconditionerRule == .jacobi && overridden.backtrackingSteps == 0)
        configuration.backtrackingSteps = 2
        #expect(MatrixFreeLevenbergMarquardtRun(configuration: configuration, fitRun: FitRun(problem: formula), choiceReason: "test").backtrackingSteps == 2)
        configuration.forcing = .gradientRatio
        configuration.innerTolerance = 1e-3
        var fixed = MatrixFreeLevenbergMarquardtRun(configuration: configuration, fitRun: FitRun(problem: formula), choiceReason: "test")
        #expect(fixed.forcingTerm(gradientNorm: 200) == 1e-3 && fixed.forcingTerm(gradientNorm: 1) == 1e-3)
    }

    /// `auto` goes matrix-free exactly when the dense systems exceed the budget (or a dense
    /// iteration is predicted far dearer); `cg` pinned always does; bounds keep `auto` dense.
    @Test func autoFollowsPredictedMemory() {
        let a = randomMatrix(rows: 400, columns: 100, seed: 2)
        var problem = LeastSquaresProblem(map: linearMap(a, Array(repeating: 1, count: 400)), initialParameters: Array(repeating: 0, count: 100))
        // Normal equations: 8·(2·100² + 400·100) = 480,000 bytes.
        problem.memoryBudgetBytes = 480_000
        #expect(!LevenbergMarquardt.MatrixFreeChoice.decide(configuration: .init(), problem: problem).matrixFree)
        problem.memoryBudgetBytes = 479_999
        let over = LevenbergMarquardt.MatrixFreeChoice.decide(configuration: .init(), problem: problem)
        #expect(over.matrixFree && over.reason.contains("over the memory budget"), "\(over.reason)")
        problem.memoryBudgetBytes = nil
        #expect(!LevenbergMarquardt.MatrixFreeChoice.decide(configuration: .init(), problem: problem).matrixFree)
        var pinned = LevenbergMarquardt.Configuration()
        pinned.linearSolver = .lsmr
        #expect(LevenbergMarquardt.MatrixFreeChoice.decide(configuration: pinned, problem: problem).matrixFree)
        problem.memoryBudgetBytes = 1000
        problem.bounds = ParameterBounds(lower: Array(repeating: -1, count: 100), upper: Array(repeating: 1, count: 100))
        #expect(!LevenbergMarquardt.MatrixFreeChoice.decide(configuration: .init(), problem: problem).matrixFree)
        #expect(LevenbergMarquardt().fit(problem).matrixFree == nil)
        #expect(LevenbergMarquardt(configuration: pinned).fit(problem).status == .invalidProblem)
        // With no budget, the time rule: m·n² + n³/3 against 20 × 50 products of 2·m·n flops
        // goes matrix-free from n ≈ 2,000 parameters.
        let wide = AnalyticResidualMap(parameters: 2_500, residuals: 4_000, { _ in [] }, jacobian: { _ in [] })
        let timed = LevenbergMarquardt.MatrixFreeChoice.decide(
            configuration: .init(), problem: LeastSquaresProblem(map: wide, initialParameters: Array(repeating: 0, count: 2_500)))
        #expect(timed.matrixFree && timed.reason.contains("predicted"), "\(timed.reason)")
    }

    /// Linear least squares with weights and a fixed parameter: both matrix-free solvers reach
    /// the solution of the weighted normal equations, and the trace records every inner solve.
    @Test(arguments: [LevenbergMarquardt.LinearSolver.cg, .lsmr]) func linearLeastSquaresReachesTheWeightedSolution(_ solver: LevenbergMarquardt.LinearSolver) throws {
        let problem = try MatrixFreeCase.all[2].make()
        var configuration = LevenbergMarquardt.Configuration()
        configuration.linearSolver = solver
        let matrixFree = LevenbergMarquardt(configuration: configuration).fit(problem)
        configuration.linearSolver = .qr
        let dense = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(matrixFree.status.isConverged, "\(matrixFree.status): \(matrixFree.message)")
        let difference = zip(matrixFree.parameters, dense.parameters).map { abs($0 - $1) }.max() ?? 0
        #expect(difference <= 1e-8, "parameters differ from QR's by \(difference)")
        #expect(matrixFree.parameters[2] == 0.2, "the fixed parameter moved")
        let statistics = try #require(matrixFree.matrixFree)
        #expect(statistics.linearSolver == solver.rawValue && statistics.reason == "linear-solver: \(solver.rawValue)")
        #expect(matrixFree.trace.allSatisfy { $0.inner != nil })
        #expect(matrixFree.trace.map { $0.inner?.iterations ?? 0 }.reduce(0, +) == statistics.innerIterations)
        #expect(matrixFree.covariance == nil && matrixFree.covarianceNote?.hasPrefix("approximated") == true)
        // In place of the covariance: σ̂/‖J̃ⱼ‖ (J̃ = A with rows over σᵢ), at most the dense
        // fit's marginal standard errors, 0 for the fixed parameter.
        let conditional = try #require(matrixFree.conditionalStandardErrors)
        let marginal = try #require(dense.standardErrors)
        let a = randomMatrix(rows: 30, columns: 6, seed: 4)
        let sigmas = try #require(problem.standardDeviations)
        let residualScale = (2 * matrixFree.cost / Double(30 - 5)).squareRoot()
        for j in 0..<6 where j != 2 {
            let columnNorm = (0..<30).reduce(0.0) { $0 + a[$1, j] * a[$1, j] / (sigmas[$1] * sigmas[$1]) }.squareRoot()
            #expect(abs(conditional[j] - residualScale / columnNorm) <= 1e-9 * conditional[j], "parameter \(j): \(conditional[j])")
            #expect(conditional[j] > 0 && conditional[j] <= marginal[j] * (1 + 1e-9), "parameter \(j): \(conditional[j]) against \(marginal[j])")
        }
        #expect(conditional[2] == 0)
    }

    /// A fit that ends without a finite cost (NaN residuals at the start) computes no
    /// conditional standard errors, and its covariance note does not claim them.
    @Test(arguments: [LevenbergMarquardt.LinearSolver.cg, .lsmr]) func aFitWithoutAFiniteCostClaimsNoConditionalErrors(_ solver: LevenbergMarquardt.LinearSolver) {
        let a = randomMatrix(rows: 30, columns: 4, seed: 5)
        let b = (0..<30).map { $0 == 7 ? Double.nan : Double($0) / 30 }
        let problem = LeastSquaresProblem(map: linearMap(a, b), initialParameters: [0, 0, 0, 0])
        var configuration = LevenbergMarquardt.Configuration()
        configuration.linearSolver = solver
        let fit = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(fit.status == .nonFiniteResiduals, "\(fit.status)")
        #expect(fit.conditionalStandardErrors == nil)
        #expect(fit.covarianceNote == "not computed: the matrix-free fit ended without a finite cost", "\(fit.covarianceNote ?? "nil")")
    }

    /// `backtracking-steps`: from Rosenbrock's start (−1.2, 1), nearly Gauss-Newton steps
    /// (τ = 1e-12) overshoot the curved valley and are rejected; with backtracking some are taken
    /// at ½, ¼, … of their length instead, each accepted step still lowers the cost, and the fit
    /// reaches the minimum; with 0 (the default) nothing is backtracked.
    @Test(arguments: [LevenbergMarquardt.LinearSolver.cg, .lsmr]) func aRejectedStepIsTakenShortenedWhenBacktrackingIsAllowed(_ solver: LevenbergMarquardt.LinearSolver) throws {
        let rosenbrock = AnalyticResidualMap(parameters: 2, residuals: 2, { p in [10 * (p[1] - p[0] * p[0]), 1 - p[0]] },
                                             jacobian: { p in [[-20 * p[0], 10], [-1, 0]] })
        let problem = LeastSquaresProblem(map: rosenbrock, initialParameters: [-1.2, 1])
        var configuration = LevenbergMarquardt.Configuration()
        configuration.linearSolver = solver
        configuration.initialDamping = 1e-12
        configuration.maximumIterations = 200
        configuration.covariance = false
        let plain = LevenbergMarquardt(configuration: configuration).fit(problem)
        configuration.backtrackingSteps = 4
        let backtracking = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(plain.matrixFree?.backtrackedSteps == 0)
        let taken = try #require(backtracking.matrixFree?.backtrackedSteps)
        #expect(taken > 0)
        // Each backtracking attempt is one more residual evaluation than the trials alone.
        #expect(backtracking.residualEvaluations > backtracking.trace.count)
        let accepted = backtracking.trace.filter { $0.accepted }.map(\.cost)
        #expect(zip(accepted, accepted.dropFirst()).allSatisfy { $1 < $0 }, "\(accepted)")
        for fit in [plain, backtracking] {
            #expect(fit.cost < 1e-20 && abs(fit.parameters[0] - 1) < 1e-9 && abs(fit.parameters[1] - 1) < 1e-9,
                    "\(fit.status) \(fit.cost) \(fit.parameters)")
        }
    }

    /// A network fitted matrix-free lowers its cost like the dense fit does (both from the
    /// same start, to within 1 % after 40 iterations) and never forms J.
    @Test func aNetworkFitLowersTheCostWithoutFormingJ() throws {
        let problem = try MatrixFreeCase.all[0].make()
        var configuration = LevenbergMarquardt.Configuration()
        configuration.linearSolver = .cg
        configuration.maximumIterations = 40
        let fit = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(fit.jacobianEvaluations == 0 && fit.normalEquations == [LevenbergMarquardt.matrixFreeSource: fit.linearizations])
        #expect(fit.cost < 0.05 * fit.initialCost, "cost \(fit.cost) from \(fit.initialCost)")
        #expect(fit.trace.filter(\.accepted).count == fit.iterations)
    }

    /// `max-time` 0 stops before the first linearization with its own status (not converged),
    /// the start kept; a fit cancelled on the thirteenth question keeps the trace and the point of
    /// its accepted steps.
    @Test(arguments: [LevenbergMarquardt.LinearSolver.cg, .auto]) func aCappedOrInterruptedFitKeepsItsTraceAndParameters(_ solver: LevenbergMarquardt.LinearSolver) throws {
        var problem = try MatrixFreeCase.all[0].make()
        var configuration = LevenbergMarquardt.Configuration()
        configuration.linearSolver = solver
        configuration.maximumSeconds = 0
        let capped = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(capped.status == .timeLimit && !capped.status.isConverged && capped.parameters == problem.initialParameters)
        configuration.maximumSeconds = nil
        let questions = Counter()
        problem.shouldStop = { questions.increment() > 12 }
        let cancelled = LevenbergMarquardt(configuration: configuration).fit(problem)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.iterations >= 1 && cancelled.trace.filter(\.accepted).count == cancelled.iterations)
        let lastAccepted = try #require(cancelled.trace.last { $0.accepted })
        #expect(cancelled.cost == lastAccepted.cost && cancelled.cost < cancelled.initialCost)
        var residual: [Double] = []
        problem.map.evaluate(at: cancelled.parameters, into: &residual)
        #expect(0.5 * residual.reduce(0) { $0 + $1 * $1 } == cancelled.cost, "the parameters are not the kept point")
    }

    /// 40,000 parameters and 50 residuals: a covariance matrix would be 12.8 GB. The fit asks
    /// for one and gets the note instead; nothing n × n is allocated (it would not fit here).
    @Test func aWideCovarianceRequestAllocatesNothingOfSizeNSquared() {
        let n = 40_000, m = 50
        let a = randomMatrix(rows: m, columns: n, seed: 8)
        var configuration = LevenbergMarquardt.Configuration()
        configuration.linearSolver = .cg
        configuration.maximumIterations = 2
        configuration.maximumInnerIterations = 5
        configuration.covariance = true
        let fit = LevenbergMarquardt(configuration: configuration).fit(
            LeastSquaresProblem(map: linearMap(a, Array(repeating: 1, count: m)), initialParameters: Array(repeating: 0, count: n)))
        #expect(fit.covariance == nil && fit.convergence == nil && fit.conditionalStandardErrors == nil)
        #expect(fit.covarianceNote == "not computed: JᵀJ is singular with 40000 parameters and 50 residuals", "\(fit.covarianceNote ?? "nil")")
        #expect(fit.cost < fit.initialCost)
    }
}

/// A thread-safe counter for `shouldStop`.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    /// Adds one and returns the new value.
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
