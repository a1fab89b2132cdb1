import Datasets
import Jacobians
import LinearAlgebra
import Solvers

/// What a data stage produces: the split of its samples (fitted on, and held out for
/// `fit.test_rmse`) and, for NIST data, the problem they came from.
public struct LoadedData: Sendable {
    /// The samples fitted on and the held-out ones.
    public var split: DatasetSplit
    /// The NIST problem the samples came from (its formula, starts and certified values),
    /// for the `formula` model and the `nist-certified` evaluation.
    public var nist: NISTProblem?
    /// Whether the samples' σ (``Dataset/sigma``) are absolute (curve_fit's `absolute_sigma`).
    public var absoluteSigma = false

    /// The loaded data of `split`.
    public init(split: DatasetSplit, nist: NISTProblem? = nil) {
        self.split = split
        self.nist = nist
    }

    /// Loaded data from its parts.
    public init(training: Dataset, test: Dataset? = nil, nist: NISTProblem? = nil) {
        self.init(split: DatasetSplit(training: training, test: test), nist: nist)
    }

    /// The samples the model is fitted to (and Jacobians are taken over).
    public var training: Dataset {
        get { split.training }
        set { split.training = newValue }
    }

    /// Held-out samples, when the data source has them.
    public var test: Dataset? {
        get { split.test }
        set { split.test = newValue }
    }
}

/// A model a stage built: its parameters and the maps strategies differentiate.
///
/// Used from one thread at a time (maps own workspaces).
public protocol FittableModel: AnyObject {
    /// One name per parameter (`W1[0,0]`, `b1[0]`, `a`), in the order of the parameter vector.
    var parameterNames: [String] { get }
    /// The starting parameters (drawn from the case seed where random).
    var initialParameters: [Double] { get }
    /// Indices of parameters the fit holds at their initial values. Default: none.
    var fixedParameters: Set<Int> { get }
    /// Bounds (min/max) of the parameters, nil for none. Default: none.
    var parameterBounds: ParameterBounds? { get }
    /// Whether residuals are fitted − observed in the targets' own units (false when the model
    /// fits a transformed response, such as `log[y] = …`). Default: true.
    var residualsInTargetUnits: Bool { get }
    /// `parameters` as a file a user's framework loads (a network: safetensors with a
    /// `torch.nn.Sequential`'s names), written into the case folder. Default: nil.
    func exportedWeights(parameters: [Double]) -> [UInt8]?
    /// The residual map r(θ) over `dataset`; row s·p + d = f(x_s; θ)_d − y_{s,d}.
    func residualMap(on dataset: Dataset) throws -> any DifferentiableMap
    /// The map x ↦ f(x; θ) over all samples of `dataset` at fixed parameters, and the point
    /// (the dataset's inputs, flattened row by row) at which to differentiate it.
    /// Throws when the model cannot be differentiated with respect to its inputs.
    func inputMap(on dataset: Dataset, parameters: [Double]) throws -> (map: any DifferentiableMap, point: [Double])
    /// The cost model's view of the model's Jacobian over `dataset` (sizes, lane work and
    /// workspace), for `jacobench advise`, memory caps and time estimates. Default: nil
    /// (the runner then uses ``JacobianShape/init(map:)``, which knows no lane workspace).
    func jacobianShape(on dataset: Dataset, variables: JacobianVariables) -> JacobianShape?
}

extension FittableModel {
    /// None fixed.
    public var fixedParameters: Set<Int> { [] }

    /// No bounds.
    public var parameterBounds: ParameterBounds? { nil }

    /// In the targets' units.
    public var residualsInTargetUnits: Bool { true }

    /// No file.
    public func exportedWeights(parameters: [Double]) -> [UInt8]? { nil }

    /// Unknown by default.
    public func jacobianShape(on dataset: Dataset, variables: JacobianVariables) -> JacobianShape? { nil }
}

/// What a solver is given.
public struct FitProblem {
    /// The residual map over the training data.
    public var residuals: any DifferentiableMap
    /// The starting parameters.
    public var initialParameters: [Double]
    /// The model (for names).
    public var model: any FittableModel
    /// The manifest's `jacobian:` section (its `auto` pin applies to the solver's `auto`).
    public var jacobian: JacobianSettings?
    /// The manifest's `limits:`: an unchunked vectorized Jacobian (or `auto`'s choice of
    /// one) is chunked to stay under `chunk-above` and the memory cap.
    public var limits: RunLimits = .standard
    /// The run's memory budget in bytes (`limits.memory-cap`, else physical memory or the
    /// cgroup limit); nil when unknown.
    public var memoryBudgetBytes: Int?
    /// The cost model's view of the residual map (the model's own when it has one).
    public var jacobianShape: JacobianShape?
    /// σ per residual from the data (`data.sigma`), nil when unweighted.
    public var standardDeviations: [Double]?
    /// Whether σ are absolute (`data.absolute-sigma`, curve_fit's meaning).
    public var absoluteSigma = false
    /// The case's one `auto`, shared with the evaluations (nil: the solver builds its own), so
    /// a calibrating `auto` times the residual map once per case and the fit and the
    /// evaluations report one decision.
    public var caseAuto: AutoStrategy?

    /// Creates a problem.
    public init(residuals: any DifferentiableMap, initialParameters: [Double], model: any FittableModel, jacobian: JacobianSettings? = nil) {
        self.residuals = residuals
        self.initialParameters = initialParameters
        self.model = model
        self.jacobian = jacobian
    }
}

/// What a solver returns; the runner writes `parameters.json` and `trace.csv` from it and
/// the `fit` evaluation reports its metrics.
public struct FitOutcome: Sendable {
    /// The fitted parameters.
    public var parameters: [Double]
    /// Standard errors of the parameters (from the covariance at the solution), when known;
    /// NaN for a parameter the data do not determine.
    public var standardErrors: [Double]?
    /// Conditional standard errors (each parameter with the others held fixed), when the fit
    /// gives them instead of a covariance (``FitResult/conditionalStandardErrors``).
    public var conditionalStandardErrors: [Double]?
    /// Correlations of the parameters at the solution (rows), when the covariance is known.
    public var correlations: [[Double]]?
    /// Final cost ½‖r‖².
    public var finalCost: Double
    /// Iterations taken.
    public var iterations: Int
    /// Why it stopped (`gtol`, `xtol`, `rank-deficient`, `max-iterations`, …; docs/ARCHITECTURE.md
    /// lists them).
    public var status: String
    /// The test of the end (``FitConvergence``: converged, scaled gradient, rank, condition of
    /// J), when the solver formed J there.
    public var convergence: FitConvergence?
    /// LM's switch from a stalled Cholesky path to QR, when it happened.
    public var linearSolverSwitch: String?
    /// LM's damping rule (`trust-region`, `nielsen`), after the model's hint; nil for other solvers.
    public var damping: String?
    /// With bounds: per parameter, the bound it ended on (nil inside); nil without bounds.
    public var boundsActive: [ActiveBound?]?
    /// The robust loss fitted (`cauchy (C = 0.1)`), nil for least squares.
    public var loss: String?
    /// Residual evaluations made.
    public var residualEvaluations: Int
    /// Jacobian evaluations made.
    public var jacobianEvaluations: Int
    /// The strategy that computed Jacobians (the choice of `auto` when it was asked).
    public var jacobianStrategy: String
    /// How the solver formed its normal equations (`structured`, `from-jacobian`, or each with
    /// its count when both occurred); empty when the solver does not say.
    public var normalEquations: String = ""
    /// Normal equations assembled from per-sample factors without a Jacobian (not counted in
    /// ``jacobianEvaluations``).
    public var structuredAssemblies: Int = 0
    /// The fit's time without `auto`'s one-time calibration over its kernel time (Jacobian or
    /// structured factors, JᵀJ, factorizations); nil when the solver booked no kernel time.
    public var timeOverKernels: Double?
    /// What the solver's `auto` decided (`fit.auto.choice`, `.reason`, `.mode`, and its
    /// calibration when it timed the map); empty when the fit did not use `auto`. The `fit`
    /// evaluation reports them.
    public var autoMetrics: [Metric] = []
    /// What a matrix-free Levenberg-Marquardt fit's inner solves did; nil for other fits.
    public var matrixFree: MatrixFreeStatistics?
    /// Why there is no covariance although one was asked for, when the solver says.
    public var covarianceNote: String?
    /// Per-iteration trace; columns in `traceColumns`.
    public var trace: [[Double]]
    /// Names of the trace columns (`iteration`, `cost`, …).
    public var traceColumns: [String]
    /// Named wall times in seconds (`total`, `jacobian`, `linear-solve`).
    public var timingsSeconds: [String: Double]

    /// Creates an outcome.
    public init(
        parameters: [Double], standardErrors: [Double]? = nil, finalCost: Double, iterations: Int, status: String,
        residualEvaluations: Int = 0, jacobianEvaluations: Int = 0, jacobianStrategy: String = "",
        trace: [[Double]] = [], traceColumns: [String] = ["iteration", "cost"], timingsSeconds: [String: Double] = [:]
    ) {
        self.parameters = parameters
        self.standardErrors = standardErrors
        self.finalCost = finalCost
        self.iterations = iterations
        self.status = status
        self.residualEvaluations = residualEvaluations
        self.jacobianEvaluations = jacobianEvaluations
        self.jacobianStrategy = jacobianStrategy
        self.trace = trace
        self.traceColumns = traceColumns
        self.timingsSeconds = timingsSeconds
    }
}

/// What an evaluation sees: the case's data, model, and where the parameters ended.
public struct EvaluationSubject {
    /// The case's data.
    public var data: LoadedData
    /// The model.
    public var model: any FittableModel
    /// The residual map over the training data.
    public var residuals: any DifferentiableMap
    /// Fitted parameters when a solver ran, else the initial ones.
    public var parameters: [Double]
    /// The solver's outcome, when a solver ran.
    public var fit: FitOutcome?
    /// The manifest's `jacobian:` section.
    public var jacobian: JacobianSettings
    /// Wall time of the fit stage, seconds (nil without a solver).
    public var fitSeconds: Double?
    /// The manifest's `limits:` (memory cap, time budget, chunking of vectorized strategies).
    public var limits: RunLimits = .standard
    /// Started with the case, for the time budget.
    var caseClock = Stopwatch()
    /// The case's one `auto`, shared with the solver (nil: each evaluation builds its own).
    public var caseAuto: AutoStrategy?

    /// Creates a subject.
    public init(data: LoadedData, model: any FittableModel, residuals: any DifferentiableMap, parameters: [Double], fit: FitOutcome?, jacobian: JacobianSettings, fitSeconds: Double? = nil) {
        self.data = data
        self.model = model
        self.residuals = residuals
        self.parameters = parameters
        self.fit = fit
        self.jacobian = jacobian
        self.fitSeconds = fitSeconds
    }
}

/// What an evaluation returns.
public struct EvaluationResult: Sendable {
    /// Flat named metrics.
    public var metrics: [Metric]
    /// Rows for `timings.csv`.
    public var timings: [TimingRow]

    /// Creates a result.
    public init(metrics: [Metric] = [], timings: [TimingRow] = []) {
        self.metrics = metrics
        self.timings = timings
    }
}
