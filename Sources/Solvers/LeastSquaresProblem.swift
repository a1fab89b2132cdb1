import Jacobians
import LinearAlgebra

/// What a solver fits: minimise ½ Σᵢ (rᵢ(x)/σᵢ)² over the free parameters.
///
/// The residual map r: Rⁿ → Rᵐ is any ``DifferentiableMap``; the Jacobian comes from the
/// injected ``JacobianStrategy``. Observation weights follow scipy's `curve_fit(sigma=…)`
/// and lmfit: residual i is divided by σᵢ. Parameters listed in ``fixedParameters`` keep
/// their initial value; solvers work in the free subspace only.
public struct LeastSquaresProblem: @unchecked Sendable {
    /// The residual map r(x). Used from one thread at a time.
    public var map: any DifferentiableMap
    /// x₀, n values (fixed parameters keep these values).
    public var initialParameters: [Double]
    /// σᵢ per residual (m positive finite values), or nil for unit weights.
    public var standardDeviations: [Double]?
    /// curve_fit's `absolute_sigma`: true — σ are absolute, so the covariance is (JᵀWJ)⁻¹ as
    /// it stands; false (the default) — σ are relative weights, and the covariance is scaled by
    /// the reduced χ², σ̂² = 2·cost/(m − n_free).
    public var absoluteSigma = false
    /// Indices (0-based) of parameters held fixed.
    public var fixedParameters: Set<Int>
    /// Lower and upper bounds per parameter (n values each), or nil for none. Only solvers that
    /// handle bounds (``LeastSquaresSolver/handlesBounds``) accept a problem with bounds; the
    /// initial values of the free parameters must lie inside them.
    public var bounds: ParameterBounds?
    /// The loss ρ of the residuals: cost ½Σ C²ρ((r̃ᵢ/C)²) (``RobustLoss``); `linear` by default
    /// (½‖r̃‖²). Only solvers that handle robust losses (``LeastSquaresSolver/handlesRobustLoss``)
    /// accept another.
    public var loss: RobustLoss = .linear
    /// The most values (m·n) of a Jacobian formed at the end for the covariance: a larger J is
    /// not formed when the map assembles JᵀJ itself, and the covariance comes from JᵀJ
    /// (default 2²⁶, 512 MB).
    public var largestCovarianceJacobian = 1 << 26
    /// The memory the solver may plan for, in bytes (the run's budget); nil: no memory limit is
    /// known. Levenberg-Marquardt's `auto` goes matrix-free when its dense systems would not fit
    /// (``LevenbergMarquardt/MatrixFreeChoice``).
    public var memoryBudgetBytes: Int?
    /// How the Jacobian of the weighted free residuals is computed.
    public var jacobianStrategy: any JacobianStrategy
    /// Parameter names for reports (optional; `p0`, `p1`, … otherwise).
    public var parameterNames: [String]?
    /// Asked once per iteration (and per rejected trial step in Levenberg-Marquardt); when it
    /// returns true the solver ends with ``FitStatus/cancelled`` at its current point. Must be
    /// cheap (an atomic load) and safe to call from the fitting thread.
    public var shouldStop: (@Sendable () -> Bool)?
    /// Called once per accepted iteration, on the fitting thread, with the iteration, cost and
    /// elapsed time (progress displays). Must be cheap: rate-limit in the observer.
    public var iterationObserver: (@Sendable (FitProgress) -> Void)?
    /// Settings the model suggests for its map, used where the solver's configuration leaves
    /// them unset: by default the map's own (``LeastSquaresHinting``), else none. A model stage
    /// may set them for a map that does not describe itself.
    public var hints: LeastSquaresHints

    /// Creates a problem. `jacobianStrategy` defaults to ``defaultJacobianStrategy``, `hints` to
    /// the map's own (``LeastSquaresHinting``) or none.
    public init(
        map: any DifferentiableMap, initialParameters: [Double], standardDeviations: [Double]? = nil,
        fixedParameters: Set<Int> = [], jacobianStrategy: (any JacobianStrategy)? = nil, parameterNames: [String]? = nil,
        shouldStop: (@Sendable () -> Bool)? = nil, iterationObserver: (@Sendable (FitProgress) -> Void)? = nil,
        hints: LeastSquaresHints? = nil
    ) {
        self.hints = hints ?? (map as? any LeastSquaresHinting)?.leastSquaresHints ?? .solverDefaults
        self.shouldStop = shouldStop
        self.iterationObserver = iterationObserver
        self.map = map
        self.initialParameters = initialParameters
        self.standardDeviations = standardDeviations
        self.fixedParameters = fixedParameters
        self.jacobianStrategy = jacobianStrategy ?? LeastSquaresProblem.defaultJacobianStrategy
        self.parameterNames = parameterNames
    }

    /// The strategy used when none is given: the engine's `auto`, which picks the cheapest
    /// exact strategy for the map by the cost model's counts for its shape — deterministic,
    /// so two runs take the same strategy and reach the same bits.
    public static var defaultJacobianStrategy: any JacobianStrategy { AutoStrategy() }

    /// True when ``shouldStop`` asks the solver to end now.
    var isCancelled: Bool { shouldStop?() ?? false }

    /// The message of a ``FitStatus/cancelled`` result.
    static let cancellationMessage = "cancelled by the caller (shouldStop returned true)"

    /// Indices of the free parameters in increasing order.
    public var freeParameters: [Int] {
        (0..<initialParameters.count).filter { !fixedParameters.contains($0) }
    }

    /// The bytes of `rows` × `columns` doubles; nil when that overflows `Int`.
    static func doubleBytes(rows: Int, columns: Int) -> Int? {
        let (values, overflow) = rows.multipliedReportingOverflow(by: columns)
        let (bytes, bytesOverflow) = values.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        return overflow || bytesOverflow ? nil : bytes
    }

    /// Why a Jacobian of `rows` × `columns` doubles must not be formed — its bytes overflow or
    /// exceed ``memoryBudgetBytes`` — or nil (always nil without a budget).
    public func jacobianOverBudget(rows: Int, columns: Int) -> String? {
        guard let budget = memoryBudgetBytes else { return nil }
        let bytes = Self.doubleBytes(rows: rows, columns: columns)
        if let bytes, bytes <= budget { return nil }
        let size = bytes.map { "\(megabytes(Double($0))) MB" } ?? "more than \(Int.max) bytes"
        return "J (\(rows) × \(columns) doubles) would need \(size), over the memory budget of \(megabytes(Double(budget))) MB; it is not formed"
    }

    /// Whether the covariance at the end may not form J (m × n_free doubles): it has more than
    /// ``largestCovarianceJacobian`` values, or more bytes than ``memoryBudgetBytes``. A map that
    /// assembles its normal equations then gives the covariance from JᵀJ.
    var covarianceNeedsGram: Bool {
        guard let bytes = Self.doubleBytes(rows: map.outputCount, columns: freeParameters.count) else { return true }
        return bytes / MemoryLayout<Double>.stride > largestCovarianceJacobian || bytes > (memoryBudgetBytes ?? .max)
    }

    /// Nil when the problem is well formed, otherwise what is wrong.
    public var validationFailure: String? {
        if initialParameters.count != map.inputCount {
            return "the map has \(map.inputCount) parameters but \(initialParameters.count) initial values were given"
        }
        if let index = initialParameters.firstIndex(where: { !$0.isFinite }) {
            return "initial parameter \(index) is \(initialParameters[index]); it must be finite"
        }
        if let bad = fixedParameters.first(where: { $0 < 0 || $0 >= initialParameters.count }) {
            return "fixed parameter index \(bad) is outside 0..<\(initialParameters.count)"
        }
        if let sigma = standardDeviations {
            if sigma.count != map.outputCount {
                return "\(sigma.count) standard deviations for \(map.outputCount) residuals"
            }
            if let index = sigma.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
                return "standard deviation \(index) is \(sigma[index]); each σ must be positive and finite"
            }
        }
        if let names = parameterNames, names.count != initialParameters.count {
            return "\(names.count) parameter names for \(initialParameters.count) parameters"
        }
        if let bounds, let failure = bounds.validationFailure(initial: initialParameters, free: freeParameters, names: parameterNames) {
            return failure
        }
        return loss.validationFailure
    }

    /// ``validationFailure``, or what `Solver` cannot do that the problem asks for (bounds, a
    /// robust loss).
    public func validationFailure<Solver: LeastSquaresSolver>(for solver: Solver.Type) -> String? {
        if let failure = validationFailure { return failure }
        if let bounds, bounds.isConstraining, !Solver.handlesBounds {
            return "\(Solver.kind) does not handle bounds (min/max); use levenberg-marquardt or remove them"
        }
        if !loss.isLinear, !Solver.handlesRobustLoss {
            return "\(Solver.kind) does not handle the robust loss \(loss.kind.rawValue); use levenberg-marquardt or loss linear"
        }
        return nil
    }
}

