import Jacobians
import LinearAlgebra

/// Levenberg-Marquardt as a trust-region method (Moré 1978; the algorithm of MINPACK's
/// `lmder`), with selectable scaling, damping rule, linear solver and optional geodesic
/// acceleration (Transtrum & Sethna 2012).
///
/// Each Jacobian is factored once; each trial step solves (JᵀJ + λD²)p = −Jᵀr for the λ
/// that puts ‖Dp‖ on the trust-region radius Δ (`lmpar`), the step is accepted when the
/// actual reduction of ‖r‖² is at least 10⁻⁴ of the predicted one, and Δ grows or shrinks
/// with that ratio. Never throws: non-finite residuals or Jacobians end the fit with a
/// named ``FitStatus``.
///
/// **Bounds** (``LeastSquaresProblem/bounds``): a projected trust-region method with an active
/// set. At each x the parameters on a bound whose gradient component points out of the box
/// are held (their Jacobian columns and gradient components are zeroed, so the damped step
/// leaves them in place); the step of the others is projected onto the box, and the ratio ρ
/// compares the actual reduction with the model's reduction along the projected step
/// s = P(x + p) − x, −(gᵀs + ½‖Js‖²). As the radius shrinks the projected step tends to a
/// scaled projected-gradient step, which gives sufficient decrease at any point that is not
/// stationary for the box; the stopping test `gtol` and the final ``FitConvergence`` use the
/// projected gradient. Every iterate is feasible. Without bounds nothing of this runs.
///
/// **Robust losses** (``LeastSquaresProblem/loss``): at each linearization J's rows and the
/// residuals are rescaled as SciPy's `least_squares` does (``RobustLoss``), and trial points
/// are judged by the robust cost. Both disable the structured normal equations (they need J
/// itself) and geodesic acceleration.
public struct LevenbergMarquardt: LeastSquaresSolver {
    /// `levenberg-marquardt`.
    public static let kind = "levenberg-marquardt"
    /// True: each iteration forms J and solves a linear system.
    public static let linearizesEachIteration = true
    /// True: a projected, active-set trust region (see ``fit(_:)``).
    public static let handlesBounds = true
    /// True: residuals and Jacobian rows rescaled per linearization (``RobustLoss``).
    public static let handlesRobustLoss = true
    /// The settings.
    public var configuration: Configuration

    /// Creates the solver.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// `.wholeBatchSweeps` when the fit runs matrix-free (``MatrixFreeChoice``); `.sampleBlocks`
    /// when it takes the map's own normal equations (``Configuration/assemblesNormalEquations(of:)``)
    /// and J is too large for the covariance to form it (``LeastSquaresProblem/covarianceNeedsGram``),
    /// so that the covariance comes from JᵀJ too. Any other dense fit forms J: `.jacobian`.
    public func derivativeUse(on problem: LeastSquaresProblem) -> ResidualDerivativeUse {
        if MatrixFreeChoice.decide(configuration: configuration, problem: problem).matrixFree { return .wholeBatchSweeps }
        return configuration.assemblesNormalEquations(of: problem) && problem.covarianceNeedsGram ? .sampleBlocks : .jacobian
    }

    /// Fits `problem`; see the type's documentation.
    ///
    /// - Complexity: per Jacobian one strategy call plus one factorization (mn² flops for
    ///   `qr`/`cholesky`), per trial step one residual evaluation and O(n³) for λ.
    public func fit(_ problem: LeastSquaresProblem) -> FitResult {
        if let reason = problem.validationFailure(for: Self.self) {
            return FitRun.invalid(solver: Self.kind, problem: problem, reason: reason)
        }
        if configuration.geodesicAcceleration, !problem.loss.isLinear || problem.bounds?.isConstraining == true {
            return FitRun.invalid(
                solver: Self.kind, problem: problem,
                reason: "geodesic-acceleration works on the plain residuals only; it cannot be combined with bounds or a robust loss")
        }
        let choice = MatrixFreeChoice.decide(configuration: configuration, problem: problem)
        if let reason = choice.invalidReason {
            return FitRun.invalid(solver: Self.kind, problem: problem, reason: reason)
        }
        let fitRun = FitRun(problem: problem)
        if choice.matrixFree {
            fitRun.trace.reserveCapacity(min(2 * max(configuration.maximumIterations, 0) + 16, 1 << 16))
            var run = MatrixFreeLevenbergMarquardtRun(configuration: configuration, fitRun: fitRun, choiceReason: choice.reason)
            return run.fit()
        }
        // The trace holds every trial: room for two per allowed iteration up front (capped at
        // 65,536 rows, 3.5 MiB), so that appending never reallocates inside the loop.
        fitRun.trace.reserveCapacity(min(2 * max(configuration.maximumIterations, 0) + 16, 1 << 16))
        var run = LevenbergMarquardtRun(configuration: configuration, fitRun: fitRun)
        return run.fit()
    }
}

/// The state of one Levenberg-Marquardt fit (buffers allocated once, before the loop).
struct LevenbergMarquardtRun {
    let configuration: LevenbergMarquardt.Configuration
    let fitRun: FitRun
    let m: Int, n: Int
    var x: [Double], trialX: [Double]
    var residual: [Double], trialResidual: [Double], geodesicResidual: [Double], secondDerivative: [Double]
    var jacobian: Matrix
    var diagonal: [Double], columnNorms: [Double], gradient: [Double]
    var step: [Double], acceleration: [Double], scratch: [Double], jacobianStep: [Double]
    let qr = QRDampedSystem(), cholesky = CholeskyDampedSystem(), svd = SVDDampedSystem()
    let dual = DualCholeskyDampedSystem()
    /// The problem's loss; under a robust one ``scaledResidual`` holds r̃ at x and J is rescaled
    /// (``LossScaledLinearization``) right after each Jacobian.
    let loss: RobustLoss
    var scaledResidual: [Double]
    /// Per free parameter, whether it is held on its bound at this linearization (bounds only).
    var heldOnBound: [Bool]
    /// JᵀJ and Jᵀr from a two-layer network's per-sample factors, when `normal-equations`
    /// and the problem allow (see ``LevenbergMarquardt/NormalEquations``); nil otherwise.
    let structured: StructuredNormalEquations?
    /// `cholesky-min-rcond`, or the problem's default for it.
    let minimumReciprocalCondition: Double
    /// `damping` and `initial-damping`, or the problem's defaults for them.
    let damping: LevenbergMarquardt.DampingUpdate, initialDamping: Double
    /// Set when `auto`'s Cholesky path stalled (``LevenbergMarquardt/choleskyStallRejections``
    /// rejected trials in a row): QR factors every later Jacobian.
    var choleskyAbandoned = false
    /// Consecutive rejected trials on the Cholesky system chosen by `auto`.
    var choleskyRejectionsInARow = 0
    /// "cholesky → qr at iteration k after n rejected trials", once the switch happened.
    var linearSolverSwitch: String?
    /// Whether every Jacobian goes to the normal equations (`cholesky`, or `auto` with
    /// `cholesky-min-rcond` 0 and m ≥ n): then JᵀJ is formed before the column norms.
    var normalEquationsFirst: Bool {
        configuration.linearSolver == .cholesky
            || (configuration.linearSolver == .auto && m >= n && minimumReciprocalCondition <= 0)
    }

    init(configuration: LevenbergMarquardt.Configuration, fitRun: FitRun) {
        self.configuration = configuration
        self.fitRun = fitRun
        m = fitRun.residualCount
        n = fitRun.parameterCount
        if let structured = fitRun.problem.map as? any OutputBlockStructured, fitRun.map.isIdentityEmbedding,
           let sparsity = structured.outputBlockSparsity {
            cholesky.outputLayerGram = OutputBlockGram(
                denseColumns: sparsity.denseColumns, outputs: sparsity.outputs, blockWeights: sparsity.blockWeights)
        }
        let hints = fitRun.problem.hints
        loss = fitRun.problem.loss
        minimumReciprocalCondition = configuration.choleskyMinimumReciprocalCondition
            ?? hints.choleskyMinimumReciprocalCondition ?? LevenbergMarquardt.certifiedMinimumReciprocalCondition
        damping = configuration.damping ?? hints.damping ?? .trustRegion
        initialDamping = configuration.initialDamping ?? hints.initialDamping ?? LevenbergMarquardt.certifiedInitialDamping
        structured = configuration.assemblesNormalEquations(of: fitRun.problem) ? StructuredNormalEquations(fitRun: fitRun) : nil
        x = fitRun.initialFreeParameters
        trialX = x
        residual = Array(repeating: 0, count: m)
        trialResidual = residual
        geodesicResidual = residual
        secondDerivative = residual
        jacobianStep = residual
        // Structured normal equations may never need J: the strategy sizes it if it is asked for.
        jacobian = structured == nil ? Matrix(rows: m, columns: n) : Matrix(rows: 0, columns: 0)
        diagonal = Array(repeating: 1, count: n)
        columnNorms = diagonal
        gradient = Array(repeating: 0, count: n)
        step = gradient
        acceleration = gradient
        scratch = gradient
        scaledResidual = loss.isLinear ? [] : residual
        heldOnBound = fitRun.freeLowerBounds == nil ? [] : Array(repeating: false, count: n)
    }

    /// The residual vector the linear systems see: r̃ under a robust loss, else r.
    var linearizedResidual: [Double] { loss.isLinear ? residual : scaledResidual }

    /// Picks and factors the linear solver for the current Jacobian; `assembled`: JᵀJ and Jᵀr
    /// were assembled from per-sample factors (finite, so the normal equations take them).
    mutating func factoredSystem(assembled: Bool) -> any DampedLeastSquaresSystem {
        if assembled {
            return fitRun.timeLinearSolve {
                _ = cholesky.factorFormedGram(rows: m, gradient: gradient)
                fitRun.linearSolverUse[cholesky.name, default: 0] += 1
                return cholesky
            }
        }
        return fitRun.timeLinearSolve {
            let chosen: any DampedLeastSquaresSystem
            switch configuration.linearSolver {
            case .qr: chosen = qr
            case .svd: chosen = svd
            case .cholesky: chosen = cholesky
            case .cg, .lsmr: preconditionFailure("matrix-free solvers run in MatrixFreeLevenbergMarquardtRun")
            case .auto:
                if m >= n, !choleskyAbandoned, cholesky.factor(jacobian: jacobian, residual: linearizedResidual, gradient: gradient, diagonal: diagonal),
                   minimumReciprocalCondition <= 0
                    || (cholesky.isFullRank && cholesky.reciprocalConditionOfScaledGram() >= minimumReciprocalCondition) {
                    fitRun.linearSolverUse["cholesky", default: 0] += 1
                    return cholesky
                }
                // Fewer residuals than parameters: the m × m dual system instead of n × n.
                chosen = m < n ? dual : qr
            }
            var system = chosen
            if !system.factor(jacobian: jacobian, residual: linearizedResidual, gradient: gradient, diagonal: diagonal) {
                system = system === qr ? svd : qr
                _ = system.factor(jacobian: jacobian, residual: linearizedResidual, gradient: gradient, diagonal: diagonal)
            }
            fitRun.linearSolverUse[system.name, default: 0] += 1
            return system
        }
    }

    /// Fits: from the start, iterations of the steps in LevenbergMarquardt+Steps.swift
    /// (linearize, update the scaling, test the gradient, then trial steps — solve the damped
    /// system, geodesic correction, predicted and actual reduction, damping update,
    /// accept or reject, stopping test — until one is accepted) until a stopping test ends it.
    mutating func fit() -> FitResult {
        guard let cost = fitRun.cost(at: x, residual: &residual) else {
            return finish(cost: .nan, initialCost: .nan, iterations: 0, gradientNorm: .nan, status: .nonFiniteResiduals,
                          message: "the residuals at the starting point contain NaN or infinity", jacobianAtX: false)
        }
        if n == 0 {
            return finish(cost: cost, initialCost: cost, iterations: 0, gradientNorm: 0, status: .gradientBelowTolerance,
                          message: "every parameter is fixed; nothing to fit", jacobianAtX: false)
        }
        if let stop = configuration.noStepAllowed {
            return finish(cost: cost, initialCost: cost, iterations: 0, gradientNorm: .nan, status: stop.status, message: stop.message, jacobianAtX: false)
        }
        var state = LevenbergMarquardtState(cost: cost)
        let stop: LevenbergMarquardtStop
        do {
            while true { try iterate(&state) }
        } catch let reached {
            stop = reached
        }
        return finish(cost: state.cost, initialCost: cost, iterations: state.iterations,
                      gradientNorm: state.gradientAtX ? state.gradientInfinity : .nan,
                      status: stop.status, message: stop.message, jacobianAtX: state.jacobianAtX)
    }

    func finish(cost: Double, initialCost: Double, iterations: Int, gradientNorm: Double, status: FitStatus, message: String, jacobianAtX: Bool) -> FitResult {
        let covariance = configuration.covariance && cost.isFinite && status != .nonFiniteJacobian && status != .jacobianFailed
        fitRun.bookFactorizationTimes(of: [qr, cholesky, svd, dual])
        var result = fitRun.result(
            solver: LevenbergMarquardt.kind, usesJacobian: true, point: x, cost: cost, initialCost: initialCost,
            iterations: iterations, gradientNorm: gradientNorm, status: status,
            message: message + (linearSolverSwitch.map { "; \($0)" } ?? ""),
            covariance: covariance, jacobianAtSolution: jacobianAtX ? jacobian : nil)
        result.linearSolverSwitch = linearSolverSwitch
        result.damping = damping.rawValue
        return result
    }
}

/// ‖Jⱼ‖ for every column j of the row-major m × n `jacobian`, into `norms` (n values).
///
/// - Complexity: mn multiply-adds, streamed row by row (the inner loop over a row is
///   contiguous and vectorizes).
func columnEuclideanNorms(of jacobian: Matrix, into norms: inout [Double]) {
    let m = jacobian.rows, n = jacobian.columns
    jacobian.elements.withUnsafeBufferPointer { elements in
        norms.withUnsafeMutableBufferPointer { sums in
            guard let source = elements.baseAddress, let target = sums.baseAddress else { return }
            target.update(repeating: 0, count: n)
            for i in 0..<m {
                let row = source + i * n
                for j in 0..<n { target[j] += row[j] * row[j] }
            }
            for j in 0..<n { target[j] = target[j].squareRoot() }
        }
    }
}
