/// Everything a stage receives besides its input: its typed configuration, the case's seeds,
/// where relative file names start, a progress line and the cancellation flag.
///
/// A data stage draws from ``dataSeed`` only, a model stage from ``parameterSeed`` only (see
/// ``CaseSeeds`` for what each is derived from); solvers and evaluations draw no random numbers.
public struct StageContext<Configuration: Sendable>: Sendable {
    /// The decoded configuration, defaults filled in.
    public var configuration: Configuration
    /// The data stage's seed: derived from the manifest seed, the replicate and the resolved `data:` section.
    public var dataSeed: UInt64
    /// The model stage's seed for θ₀: derived from the manifest seed, the replicate and the resolved `model:` section.
    public var parameterSeed: UInt64
    /// The folder of the manifest; relative file names in the configuration start here.
    public var manifestDirectory: String
    /// Reports what the stage is doing (shown on the case's progress line).
    public var progress: StageProgress
    /// Polled at every iteration / repeat.
    public var cancellation: CancellationFlag

    /// Creates a context.
    public init(
        configuration: Configuration, seeds: CaseSeeds, manifestDirectory: String,
        progress: StageProgress = StageProgress(), cancellation: CancellationFlag = CancellationFlag()
    ) {
        self.configuration = configuration
        self.dataSeed = seeds.data
        self.parameterSeed = seeds.parameters
        self.manifestDirectory = manifestDirectory
        self.progress = progress
        self.cancellation = cancellation
    }

    /// Both seeds.
    public var seeds: CaseSeeds { CaseSeeds(data: dataSeed, parameters: parameterSeed) }

    /// Throws ``RunCancelled`` when the run was interrupted.
    public func checkCancellation() throws { try cancellation.check() }

    /// `name` resolved against the manifest's folder unless it is absolute.
    public func path(_ name: String) -> String {
        name.hasPrefix("/") ? name : manifestDirectory + "/" + name
    }

    /// The same context with another configuration (used by plugins that delegate).
    public func with<Other: Sendable>(configuration other: Other) -> StageContext<Other> {
        StageContext<Other>(configuration: other, seeds: seeds, manifestDirectory: manifestDirectory, progress: progress, cancellation: cancellation)
    }
}

/// A sink for "what is happening now" inside a stage (`iteration 12`, `repeat 30/50`).
public struct StageProgress: Sendable {
    private let report: @Sendable (String) -> Void

    /// A sink that calls `report` with each note.
    public init(_ report: @escaping @Sendable (String) -> Void = { _ in }) { self.report = report }

    /// Records a short note.
    public func note(_ text: String) { report(text) }
}
