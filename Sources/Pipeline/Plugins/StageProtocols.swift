import Datasets
import Jacobians
import Solvers

/// A data stage: produces the training (and optionally test) samples of a case.
///
/// Adding one is one type conforming to this protocol and one `register` line in
/// `PluginRegistry+Standard.swift`.
public protocol DataStage: Sendable {
    /// Typed options of the `data:` section.
    associatedtype Configuration: StageConfiguration
    /// The manifest `kind`.
    static var kind: String { get }
    /// One line for `jacobench list`.
    static var summary: String { get }
    /// Files the configuration names (relative to the manifest's folder); the runner
    /// checks they exist and are readable before any case runs. Default: none.
    static func files(in configuration: Configuration) -> [String]
    /// Semantic checks beyond types (positive sizes, …) run before any case; throw a
    /// message (the registry locates it at the section). Default: none.
    static func validate(_ configuration: Configuration) throws
    /// Input and target column counts when the configuration alone determines them (so a
    /// model of the wrong width is rejected before any case runs). Default: nil (unknown).
    static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)?
    /// The memory the data will hold and its training rows, from the configuration alone
    /// with checked arithmetic (``CheckedSize``; an overflow throws a ``ConfigurationProblem``
    /// naming the field). Checked against the run's ``MemoryBudget`` before anything is built.
    /// Default: nil (unknown until loaded, e.g. a CSV file).
    static func footprint(in configuration: Configuration) throws -> StageFootprint?
    /// Reads the named files once before any case runs, so a malformed file is an input
    /// error (exit 2) rather than a failed case. Default: nothing.
    static func preflight(_ context: StageContext<Configuration>) throws
    /// Loads or generates the samples.
    static func load(_ context: StageContext<Configuration>) throws -> LoadedData
}

/// A model stage: given the data, builds the differentiable model to fit and measure.
public protocol ModelStage: Sendable {
    /// Typed options of the `model:` section.
    associatedtype Configuration: StageConfiguration
    /// The manifest `kind`.
    static var kind: String { get }
    /// One line for `jacobench list`.
    static var summary: String { get }
    /// Files the configuration names; see ``DataStage/files(in:)``.
    static func files(in configuration: Configuration) -> [String]
    /// Semantic checks before any case runs; see ``DataStage/validate(_:)``.
    static func validate(_ configuration: Configuration) throws
    /// The input and output widths the model needs, when its configuration fixes them. Default: nil.
    static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)?
    /// The memory the model will hold over `trainingRows` rows (parameters and its maps'
    /// per-sample buffers; nil rows: the parameters alone), with checked arithmetic as
    /// ``DataStage/footprint(in:)``. Default: nil (unknown).
    static func footprint(in configuration: Configuration, trainingRows: Int?) throws -> StageFootprint?
    /// Builds the model for `data` (initial parameters drawn from the context's `parameterSeed`).
    static func build(_ context: StageContext<Configuration>, data: LoadedData) throws -> any FittableModel
}

/// A solver stage: fits the model's parameters to the training data.
public protocol SolverStage: Sendable {
    /// Typed options of the `solver:` section.
    associatedtype Configuration: StageConfiguration
    /// The manifest `kind`.
    static var kind: String { get }
    /// One line for `jacobench list`.
    static var summary: String { get }
    /// Semantic checks before any case runs; see ``DataStage/validate(_:)``.
    static func validate(_ configuration: Configuration) throws
    /// Runs the fit; polls `context.cancellation` every iteration.
    static func fit(_ context: StageContext<Configuration>, problem: FitProblem) throws -> FitOutcome
    /// How fitting `problem` differentiates its residual map: forms its m × n Jacobian, sweeps
    /// all samples at once (a matrix-free or first-order fit), or only sums the normal equations
    /// the map assembles over sample blocks; `.jacobian` by default.
    static func derivativeUse(_ configuration: Configuration, for problem: FitProblem) -> ResidualDerivativeUse
}

extension SolverStage {
    /// `.jacobian`: the fit forms J.
    public static func derivativeUse(_ configuration: Configuration, for problem: FitProblem) -> ResidualDerivativeUse { .jacobian }
}

/// An evaluation stage: measures something about the (fitted) model and returns metrics.
public protocol EvaluationStage: Sendable {
    /// Typed options of one `evaluation:` item.
    associatedtype Configuration: StageConfiguration
    /// The manifest `kind`.
    static var kind: String { get }
    /// One line for `jacobench list`.
    static var summary: String { get }
    /// Semantic checks before any case runs; see ``DataStage/validate(_:)``.
    static func validate(_ configuration: Configuration) throws
    /// Measures; polls `context.cancellation` every repeat.
    static func evaluate(_ context: StageContext<Configuration>, subject: EvaluationSubject) throws -> EvaluationResult
    /// Whether the evaluation forms the residual map's m × n Jacobian; true by default.
    static func formsJacobian(_ configuration: Configuration) -> Bool
}

extension EvaluationStage {
    /// True: the evaluation forms J.
    public static func formsJacobian(_ configuration: Configuration) -> Bool { true }
}

extension DataStage {
    /// No files by default.
    public static func files(in configuration: Configuration) -> [String] { [] }
    /// Nothing to read ahead by default.
    public static func preflight(_ context: StageContext<Configuration>) throws {}
    /// Unknown by default.
    public static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)? { nil }
    /// No extra checks by default.
    public static func validate(_ configuration: Configuration) throws {}
    /// Unknown by default.
    public static func footprint(in configuration: Configuration) throws -> StageFootprint? { nil }
}

extension ModelStage {
    /// Unknown by default.
    public static func footprint(in configuration: Configuration, trainingRows: Int?) throws -> StageFootprint? { nil }
    /// No files by default.
    public static func files(in configuration: Configuration) -> [String] { [] }
    /// Unknown by default.
    public static func columns(in configuration: Configuration) -> (inputs: Int, targets: Int)? { nil }
    /// No extra checks by default.
    public static func validate(_ configuration: Configuration) throws {}
}

extension SolverStage {
    /// No extra checks by default.
    public static func validate(_ configuration: Configuration) throws {}
}

extension EvaluationStage {
    /// No extra checks by default.
    public static func validate(_ configuration: Configuration) throws {}
}

/// A configuration problem found by a plugin's `validate`; the registry locates it at the
/// manifest section (and `field` inside it, when given).
public struct ConfigurationProblem: Error, Sendable, CustomStringConvertible {
    /// The option key at fault, when one is.
    public var field: String?
    /// What is wrong, phrased for the manifest's author.
    public var message: String
    /// Creates a problem.
    public init(field: String? = nil, _ message: String) {
        self.field = field
        self.message = message
    }
    /// The message.
    public var description: String { message }
}
