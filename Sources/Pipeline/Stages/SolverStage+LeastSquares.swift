import Foundation
import JSONDocuments
import Jacobians
import Solvers
import YAMLDecoding

/// Any ``LeastSquaresSolver`` of the Solvers module as a solver stage:
/// `solver: {kind: levenberg-marquardt, jacobian: auto, max-iterations: 200}`.
///
/// The options are the solver's own `Configuration` (its coding keys and defaults, read
/// by decoding an empty section) plus `jacobian`, the strategy computing its Jacobians
/// (`auto` follows the manifest's `jacobian.auto`: the cost model, a pin, or calibration;
/// its decision is reported as `fit.auto.choice`, `.reason`, `.mode` and, when calibrated,
/// `fit.auto.calibration.*`).
public enum LeastSquaresSolverStage<Solver: LeastSquaresSolver>: SolverStage {
    /// The solver's configuration and the Jacobian strategy name.
    public struct Configuration: StageConfiguration {
        /// The solver's own settings.
        public var solver: Solver.Configuration
        /// The strategy name (a catalog name; `auto` by default).
        public var jacobian: String
        /// `loss` and `loss-scale` (SciPy's `loss` and `f_scale`); `linear` when absent.
        public var loss: RobustLoss

        private enum Keys: String, CodingKey {
            case jacobian, loss
            case lossScale = "loss-scale"
        }

        /// Reads `jacobian`, `loss`, `loss-scale`, then the solver's configuration from the same section.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            jacobian = try container.decode(String.self, forKey: .jacobian)
            let kind = try container.decodeIfPresent(RobustLoss.Kind.self, forKey: .loss) ?? .linear
            loss = RobustLoss(kind: kind, scale: try container.decodeIfPresent(Double.self, forKey: .lossScale) ?? 1)
            solver = try Solver.Configuration(from: decoder)
        }

        /// `jacobian`, `loss`, `loss-scale` and every key of the solver's configuration with its default.
        public static var options: [StageOption] {
            var options: [StageOption] = [
                .optional("jacobian", default: "auto", "Jacobian strategy for the fit (a catalog name); auto follows jacobian.auto (cost model by default, a pin, or calibrate) and shares its decision with the evaluations"),
                .unset("loss", "robust loss ρ, as SciPy's least_squares: \(RobustLoss.Kind.allCases.map(\.rawValue).joined(separator: " | ")); cost ½·Σ C²·ρ((r/C)²); linear when absent"),
                .unset("loss-scale", "C of the loss, > 0 (SciPy's f_scale): residuals well below C count as in least squares; 1 when absent"),
            ]
            let empty = YAMLNode.mapping([], SourceLocation(file: "<defaults>", line: 1, column: 1))
            guard let defaults = try? YAMLNodeDecoder().decode(Solver.Configuration.self, from: empty),
                  let data = try? JSONEncoder().encode(defaults),
                  let members = (try? JSONParser.parse(String(decoding: data, as: UTF8.self)))?.objectValue else { return options }
            for key in members.keys.sorted() {
                options.append(.optional(key, default: members[key]?.canonicalText ?? "null", "\(Solver.kind) setting (see the Solvers documentation)"))
            }
            return options
        }
    }

    /// The solver's manifest kind.
    public static var kind: String { Solver.kind }
    /// One line.
    public static var summary: String { "the \(Solver.kind) least-squares solver" }

    /// The strategy name must be known, and every numeric setting (counts, tolerances,
    /// rates, damping) finite and ≥ 0; only `target-cost` may be anything.
    public static func validate(_ configuration: Configuration) throws {
        do {
            _ = try JacobianStrategyCatalog.strategy(named: configuration.jacobian)
        } catch let error as JacobianStrategyCatalogError {
            throw ConfigurationProblem(field: "jacobian", error.message)
        }
        if let failure = configuration.loss.validationFailure { throw ConfigurationProblem(field: "loss-scale", failure) }
        if !configuration.loss.isLinear, !Solver.handlesRobustLoss {
            throw ConfigurationProblem(field: "loss", "\(Solver.kind) minimises ordinary least squares only; a robust loss needs levenberg-marquardt")
        }
        // Non-finite numbers are written as strings (JSONEncoder would otherwise refuse the whole
        // configuration and skip every check); the solvers' decoding refuses them first anyway.
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let data = try? encoder.encode(configuration.solver),
              let members = (try? JSONParser.parse(String(decoding: data, as: UTF8.self)))?.objectValue else {
            throw ConfigurationProblem("the solver settings cannot be read back")
        }
        for key in members.keys.sorted() {
            switch members[key] {
            case .number(let text)?:
                guard let value = Double(text) else { continue }
                if key == "target-cost" { try CheckedNumber.finite(value, field: key) } else { try CheckedNumber.nonNegative(value, field: key) }
            case .string(let text)? where ["nan", "inf", "-inf"].contains(text):
                throw ConfigurationProblem(field: key, "must be a finite number, got \(text)")
            default:
                continue
            }
        }
    }

    /// The strategy `name` for the fit. `auto` follows the manifest's `jacobian.auto` (pin,
    /// calibrate, or the cost model) and is the case's own `auto` when the runner shares one
    /// with the evaluations; `run --pin-from` may pin the solver apart (``JacobianSettings/solverAuto``).
    static func jacobianStrategy(named name: String, for problem: FitProblem) throws -> any JacobianStrategy {
        guard name == "auto", let settings = problem.jacobian else { return try JacobianStrategyCatalog.strategy(named: name) }
        if let solverPin = settings.solverAuto { return try settings.autoStrategy(pinnedTo: solverPin) }
        return try problem.caseAuto ?? settings.autoStrategy()
    }

    /// How the solver differentiates the residual map on `problem` (``LeastSquaresSolver/derivativeUse(on:)``).
    public static func derivativeUse(_ configuration: Configuration, for problem: FitProblem) -> ResidualDerivativeUse {
        Solver(configuration: configuration.solver).derivativeUse(on: leastSquaresProblem(problem, loss: configuration.loss))
    }

    /// The solver's view of `problem`: the residual map, start, σ, the model's fixed parameters,
    /// names and bounds, `loss` and the memory budget (the strategy and the callbacks are the
    /// fit's to add).
    static func leastSquaresProblem(_ problem: FitProblem, loss: RobustLoss) -> LeastSquaresProblem {
        var leastSquares = LeastSquaresProblem(
            map: problem.residuals, initialParameters: problem.initialParameters, standardDeviations: problem.standardDeviations,
            fixedParameters: problem.model.fixedParameters, parameterNames: problem.model.parameterNames)
        leastSquares.memoryBudgetBytes = problem.memoryBudgetBytes
        leastSquares.absoluteSigma = problem.absoluteSigma
        leastSquares.bounds = problem.model.parameterBounds
        leastSquares.loss = loss
        return leastSquares
    }

    /// The trace columns a matrix-free fit adds: its inner solve per trial — iterations, stop
    /// (``InnerSolveStop/traceCode``) and η.
    static var innerTraceColumns: [String] { ["inner_iterations", "inner_stop", "inner_tolerance"] }

    /// The trace as rows of numbers; with the inner columns when any row has an inner solve.
    static func traceRows(_ trace: [FitIteration]) -> [[Double]] {
        let inner = trace.contains { $0.inner != nil }
        return trace.map { row in
            var values = [Double(row.iteration), row.cost, row.damping, row.stepNorm, row.gradientNorm, row.accepted ? 1 : 0, row.elapsedSeconds]
            if inner { values += [Double(row.inner?.iterations ?? 0), row.inner?.stop.traceCode ?? 0, row.inner?.tolerance ?? .nan] }
            return values
        }
    }

    /// Fits; the solver itself never throws (it ends with a status). The run's cancellation
    /// flag is checked by the solver once per iteration, so Ctrl-C stops a long fit promptly;
    /// the fit so far is returned (status `cancelled`, the best point) and the runner keeps it
    /// in a case left pending (``CaseExecution``).
    public static func fit(_ context: StageContext<Configuration>, problem: FitProblem) throws -> FitOutcome {
        var strategy = try jacobianStrategy(named: context.configuration.jacobian, for: problem)
        let shape = problem.jacobianShape ?? JacobianShape(map: problem.residuals)
        if let auto = strategy as? AutoStrategy {
            strategy = MemoryBoundedAuto(auto: auto, shape: shape, budgetBytes: problem.limits.chunkBudget)
        } else {
            strategy = MemoryBoundedAuto.bounded(strategy, on: shape, budgetBytes: problem.limits.chunkBudget).strategy
        }
        let solver = Solver(configuration: context.configuration.solver)
        let cancellation = context.cancellation
        var leastSquares = leastSquaresProblem(problem, loss: context.configuration.loss)
        leastSquares.jacobianStrategy = strategy
        leastSquares.shouldStop = { cancellation.isCancelled }
        leastSquares.iterationObserver = FitProgressNotes(progress: context.progress).observer
        let result = solver.fit(leastSquares)
        var choice = result.jacobianStrategy
        var autoMetrics: [Metric] = []
        if let decision = (strategy as? MemoryBoundedAuto)?.auto.lastDecision {
            choice = "auto → \(decision.chosen)"
            autoMetrics = AutoDecisionMetrics.metrics(decision, mode: problem.jacobian?.autoMode ?? "cost-model", prefix: "fit.auto.")
        }
        var outcome = FitOutcome(
            parameters: result.parameters, standardErrors: result.standardErrors, finalCost: result.cost,
            iterations: result.iterations, status: result.status.rawValue, residualEvaluations: result.residualEvaluations,
            jacobianEvaluations: result.jacobianEvaluations, jacobianStrategy: choice,
            trace: traceRows(result.trace),
            traceColumns: FitIteration.csvHeader.split(separator: ",").map(String.init) + (result.matrixFree == nil ? [] : innerTraceColumns),
            timingsSeconds: [
                "residual": result.timings.residualSeconds, "jacobian": result.timings.jacobianSeconds,
                "linear_solve": result.timings.linearSolveSeconds, "total": result.timings.totalSeconds,
                "gram": result.timings.gramSeconds, "factorization": result.timings.factorizationSeconds,
                "other": result.timings.otherSeconds, "calibration": result.timings.calibrationSeconds,
                "covariance": result.timings.covarianceSeconds,
            ])
        if result.matrixFree != nil { outcome.timingsSeconds["products"] = result.timings.productSeconds }
        outcome.matrixFree = result.matrixFree
        outcome.covarianceNote = result.covarianceNote
        outcome.conditionalStandardErrors = result.conditionalStandardErrors
        outcome.timeOverKernels = result.timings.timeOverKernels
        outcome.convergence = result.convergence
        outcome.correlations = result.covariance?.correlations
        outcome.linearSolverSwitch = result.linearSolverSwitch
        outcome.damping = result.damping
        outcome.autoMetrics = autoMetrics
        outcome.normalEquations = result.normalEquationsDescription
        outcome.boundsActive = result.boundsActive
        outcome.loss = result.loss?.description
        outcome.structuredAssemblies = result.normalEquations[LevenbergMarquardt.NormalEquations.structured.rawValue] ?? 0
        return outcome
    }
}
