import Datasets

/// `data: {kind: nist, file: Misra1a.dat}` — a NIST StRD nonlinear regression problem as
/// distributed: its data, and (for the `formula` model and `nist-certified`) its formula,
/// starting points and certified values.
public enum NISTData: DataStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// The .dat file, relative to the manifest.
        public var file = ""

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .required("file", \.file, "NIST StRD .dat file, relative to the manifest's folder"),
        ]
    }

    /// `nist`.
    public static let kind = "nist"
    /// One line.
    public static let summary = "a NIST StRD nonlinear regression problem (.dat as distributed)"

    /// The .dat file is checked before any case runs.
    public static func files(in configuration: Configuration) -> [String] { [configuration.file] }

    /// Parses the file before any case runs.
    public static func preflight(_ context: StageContext<Configuration>) throws {
        _ = try NISTProblem.load(contentsOf: context.path(context.configuration.file))
    }

    /// Loads the problem.
    public static func load(_ context: StageContext<Configuration>) throws -> LoadedData {
        let problem = try NISTProblem.load(contentsOf: context.path(context.configuration.file))
        return LoadedData(training: problem.dataset, nist: problem)
    }
}
