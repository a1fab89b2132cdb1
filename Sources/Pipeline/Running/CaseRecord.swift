import JSONDocuments
import YAMLDecoding
/// How a case ended.
public enum CaseStatus: String, Sendable, Equatable {
    /// Every stage ran.
    case ok
    /// A stage threw; `error` says which and why.
    case failed
    /// Not run yet, or interrupted before it finished (its folder then holds the fit as it
    /// stopped, and `error` says so); `--resume` runs it.
    case pending
    /// Not run because the cost model put it over the manifest's `limits:`; `error` says
    /// by how much (predicted peak against `memory-cap`, predicted time against `time-budget`).
    case skipped
}

/// Everything the runner learned from one case; the bundle writer turns it into files.
public struct CaseRecord: Sendable {
    /// The case id (folder name).
    public var id: String
    /// Its sweep values.
    public var sweep: [String: JSONValue]
    /// Its replicate (0 unless the manifest has `replicates:` above 1).
    public var replicate: Int
    /// Its data and initial-parameter seeds.
    public var seeds: CaseSeeds
    /// ok / failed / skipped / pending.
    public var status: CaseStatus
    /// `stage: message` when failed; the reason when skipped; where it stopped when interrupted
    /// after its fit (pending).
    public var error: String?
    /// Every metric, in the order stages produced them.
    public var metrics: [Metric]
    /// Rows of `timings.csv`.
    public var timings: [TimingRow]
    /// The solver's outcome, when one ran.
    public var fit: FitOutcome?
    /// Parameter names of the model, when it was built.
    public var parameterNames: [String]
    /// Initial parameters of the model, when it was built.
    public var initialParameters: [Double]
    /// Wall time of the case, seconds.
    public var elapsedSeconds: Double
    /// For a fit: (input, observed, fitted) per training sample, by input — or, with several
    /// inputs, (sample index, observed, fitted) in sample order; with several targets one row
    /// per sample and target, the target's index fourth (written as `fit.csv`, drawn in the
    /// report); nil otherwise.
    public var fitCurve: [[Double]]? = nil
    /// Whether ``fitCurve``'s first column is the one input (else the sample index).
    public var fitCurveHasOneInput = true
    /// The targets' names when ``fitCurve`` has several targets; empty for one.
    public var fitCurveTargets: [String] = []
    /// The model's parameters at the end as a safetensors file (a network's, under the names of
    /// a `torch.nn.Sequential`), written as `weights.safetensors`; nil for other models.
    public var weights: [UInt8]? = nil

    /// A record for a case that has not run.
    public static func pending(_ plannedCase: PlannedCase) -> CaseRecord {
        CaseRecord(
            id: plannedCase.id, sweep: plannedCase.sweep, replicate: plannedCase.replicate, seeds: plannedCase.seeds, status: .pending, error: nil,
            metrics: [], timings: [], fit: nil, parameterNames: [], initialParameters: [], elapsedSeconds: 0)
    }
}
