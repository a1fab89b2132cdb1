import Datasets
import Jacobians
import Solvers
import YAMLDecoding

/// The four stage roles a manifest has.
public enum StageRole: String, Sendable, CaseIterable {
    /// `data:`
    case data
    /// `model:`
    case model
    /// `solver:`
    case solver
    /// `evaluation:` items.
    case evaluation
}

/// What `jacobench list` prints about one plugin.
public struct PluginDescription: Sendable {
    /// Its role.
    public var role: StageRole
    /// Its manifest `kind`.
    public var kind: String
    /// One line.
    public var summary: String
    /// Its options and defaults.
    public var options: [StageOption]
}

/// Everything a prepared stage needs at run time besides its configuration.
public struct StageEnvironment: Sendable {
    /// The case's data and initial-parameter seeds (see ``CaseSeeds``).
    public var seeds: CaseSeeds
    /// The manifest's folder.
    public var manifestDirectory: String
    /// Progress sink.
    public var progress: StageProgress
    /// Cancellation flag.
    public var cancellation: CancellationFlag

    /// Creates an environment.
    public init(seeds: CaseSeeds, manifestDirectory: String, progress: StageProgress = StageProgress(), cancellation: CancellationFlag = CancellationFlag()) {
        self.seeds = seeds
        self.manifestDirectory = manifestDirectory
        self.progress = progress
        self.cancellation = cancellation
    }

    func context<C: Sendable>(_ configuration: C) -> StageContext<C> {
        StageContext(configuration: configuration, seeds: seeds, manifestDirectory: manifestDirectory, progress: progress, cancellation: cancellation)
    }
}

/// A manifest section decoded by its plugin and ready to run: the resolved section (defaults
/// filled in), the files it names, and the stage's work as a closure over the typed config.
public struct PreparedStage<Input, Output>: Sendable {
    /// The plugin kind.
    public var kind: String
    /// The section after defaults, as recorded in `resolved.json`.
    public var resolved: YAMLNode
    /// Files the section names, each with where it was written.
    public var files: [(name: String, location: SourceLocation)]
    /// Runs the stage.
    public var run: @Sendable (StageEnvironment, Input) throws -> Output
    /// Reads named files ahead of the run (data stages); throws a file's own error.
    public var preflight: @Sendable (StageEnvironment) throws -> Void = { _ in }
    /// Input and target columns the section fixes (data produces / a model needs), when known.
    public var columns: (inputs: Int, targets: Int)?
    /// The memory the stage will hold over a number of training rows (data stages ignore
    /// it), from the configuration alone; nil when unknown. Throws on a size overflow.
    public var footprint: @Sendable (_ trainingRows: Int?) throws -> StageFootprint? = { _ in nil }
    /// How running the stage on the case differentiates its residual map, given the fit problem
    /// (the map, σ, the model's fixed parameters and bounds, the memory budget) the case would
    /// pose (solver and evaluation stages): nil when it does not, `.jacobian` when it forms the
    /// m × n Jacobian (the runner refuses a case whose Jacobian cannot fit only when some stage
    /// does), and what the case's minimum peak counts. `.jacobian` unless the stage says otherwise.
    public var derivativeUse: @Sendable (_ problem: FitProblem) -> ResidualDerivativeUse? = { _ in .jacobian }
}

/// The plugins a run can use, by role and `kind`.
///
/// `PluginRegistry.standard` holds every built-in plugin (one `register` line each, in
/// `PluginRegistry+Standard.swift`); tests build registries of their own.
public struct PluginRegistry: Sendable {
    private var data: [String: Entry<Void, LoadedData>] = [:]
    private var models: [String: Entry<LoadedData, any FittableModel>] = [:]
    private var solvers: [String: Entry<FitProblem, FitOutcome>] = [:]
    private var evaluations: [String: Entry<EvaluationSubject, EvaluationResult>] = [:]

    private struct Entry<Input, Output>: Sendable {
        var description: PluginDescription
        var prepare: @Sendable (YAMLNode, [String]) throws -> PreparedStage<Input, Output>
    }

    /// Jacobian strategies manifests may name (checked before any case runs; an empty list skips
    /// the check), with one line each for `jacobench list`.
    public var strategies: [(name: String, summary: String)] = []

    /// The strategy names, or nil when none are registered (no check).
    var strategyNames: [String]? { strategies.isEmpty ? nil : strategies.map(\.name) }

    /// An empty registry.
    public init() {}

    /// Registers a data plugin under `Stage.kind`.
    public mutating func register<Stage: DataStage>(_ stage: Stage.Type) {
        data[Stage.kind] = Entry(
            description: PluginDescription(role: .data, kind: Stage.kind, summary: Stage.summary, options: Stage.Configuration.options),
            prepare: { node, path in
                // Sizes are checked (overflow, located at the field) with the other options.
                let (configuration, resolved) = try Self.decode(Stage.Configuration.self, kind: Stage.kind, from: node, keyPath: path) {
                    try Stage.validate($0)
                    _ = try Stage.footprint(in: $0)
                }
                let files = Self.locate(Stage.files(in: configuration), in: resolved)
                var prepared = PreparedStage<Void, LoadedData>(kind: Stage.kind, resolved: resolved, files: files) { environment, _ in
                    try Stage.load(environment.context(configuration))
                }
                prepared.footprint = { _ in try Stage.footprint(in: configuration) }
                prepared.preflight = { environment in try Stage.preflight(environment.context(configuration)) }
                prepared.columns = Stage.columns(in: configuration)
                return prepared
            })
    }

    /// Registers a model plugin under `Stage.kind`.
    public mutating func register<Stage: ModelStage>(_ stage: Stage.Type) {
        models[Stage.kind] = Entry(
            description: PluginDescription(role: .model, kind: Stage.kind, summary: Stage.summary, options: Stage.Configuration.options),
            prepare: { node, path in
                let (configuration, resolved) = try Self.decode(Stage.Configuration.self, kind: Stage.kind, from: node, keyPath: path) {
                    try Stage.validate($0)
                    _ = try Stage.footprint(in: $0, trainingRows: nil)
                }
                let files = Self.locate(Stage.files(in: configuration), in: resolved)
                var prepared = PreparedStage<LoadedData, any FittableModel>(kind: Stage.kind, resolved: resolved, files: files) { environment, data in
                    try Stage.build(environment.context(configuration), data: data)
                }
                prepared.footprint = { rows in try Stage.footprint(in: configuration, trainingRows: rows) }
                prepared.columns = Stage.columns(in: configuration)
                return prepared
            })
    }

    /// Registers a solver plugin under `Stage.kind`.
    public mutating func register<Stage: SolverStage>(_ stage: Stage.Type) {
        solvers[Stage.kind] = Entry(
            description: PluginDescription(role: .solver, kind: Stage.kind, summary: Stage.summary, options: Stage.Configuration.options),
            prepare: { node, path in
                let (configuration, resolved) = try Self.decode(Stage.Configuration.self, kind: Stage.kind, from: node, keyPath: path, validate: Stage.validate)
                var prepared = PreparedStage<FitProblem, FitOutcome>(kind: Stage.kind, resolved: resolved, files: []) { environment, problem in
                    try Stage.fit(environment.context(configuration), problem: problem)
                }
                prepared.derivativeUse = { problem in Stage.derivativeUse(configuration, for: problem) }
                return prepared
            })
    }

    /// Registers an evaluation plugin under `Stage.kind`.
    public mutating func register<Stage: EvaluationStage>(_ stage: Stage.Type) {
        evaluations[Stage.kind] = Entry(
            description: PluginDescription(role: .evaluation, kind: Stage.kind, summary: Stage.summary, options: Stage.Configuration.options),
            prepare: { node, path in
                let (configuration, resolved) = try Self.decode(Stage.Configuration.self, kind: Stage.kind, from: node, keyPath: path, validate: Stage.validate)
                var prepared = PreparedStage<EvaluationSubject, EvaluationResult>(kind: Stage.kind, resolved: resolved, files: []) { environment, subject in
                    try Stage.evaluate(environment.context(configuration), subject: subject)
                }
                prepared.derivativeUse = { _ in Stage.formsJacobian(configuration) ? .jacobian : nil }
                return prepared
            })
    }

    /// Every plugin, by role then kind.
    public var descriptions: [PluginDescription] {
        let all = data.values.map(\.description) + models.values.map(\.description)
            + solvers.values.map(\.description) + evaluations.values.map(\.description)
        let order = Dictionary(uniqueKeysWithValues: StageRole.allCases.enumerated().map { ($1, $0) })
        return all.sorted { (order[$0.role] ?? 0, $0.kind) < (order[$1.role] ?? 0, $1.kind) }
    }

    /// The known kinds of a role, sorted.
    public func kinds(of role: StageRole) -> [String] {
        switch role {
        case .data: data.keys.sorted()
        case .model: models.keys.sorted()
        case .solver: solvers.keys.sorted()
        case .evaluation: evaluations.keys.sorted()
        }
    }

    /// Decodes a `data:` section.
    public func prepareData(_ node: YAMLNode, keyPath: [String]) throws -> PreparedStage<Void, LoadedData> {
        try lookup(data, role: .data, node: node, keyPath: keyPath).prepare(node, keyPath)
    }

    /// Decodes a `model:` section.
    public func prepareModel(_ node: YAMLNode, keyPath: [String]) throws -> PreparedStage<LoadedData, any FittableModel> {
        try lookup(models, role: .model, node: node, keyPath: keyPath).prepare(node, keyPath)
    }

    /// Decodes a `solver:` section.
    public func prepareSolver(_ node: YAMLNode, keyPath: [String]) throws -> PreparedStage<FitProblem, FitOutcome> {
        try lookup(solvers, role: .solver, node: node, keyPath: keyPath).prepare(node, keyPath)
    }

    /// Decodes one `evaluation:` item.
    public func prepareEvaluation(_ node: YAMLNode, keyPath: [String]) throws -> PreparedStage<EvaluationSubject, EvaluationResult> {
        try lookup(evaluations, role: .evaluation, node: node, keyPath: keyPath).prepare(node, keyPath)
    }

    // MARK: Decoding

    private func lookup<Input, Output>(_ table: [String: Entry<Input, Output>], role: StageRole, node: YAMLNode, keyPath: [String]) throws -> Entry<Input, Output> {
        let path = keyPath.joined(separator: ".")
        let kindNode: YAMLNode
        switch node {
        case .mapping:
            guard let value = node["kind"] else {
                throw YAMLError(location: node.location, keyPath: path, message: "missing 'kind'; known \(role.rawValue) kinds: \(table.keys.sorted().joined(separator: ", "))")
            }
            kindNode = value
        case .scalar:
            kindNode = node
        case .sequence:
            throw YAMLError(location: node.location, keyPath: path, message: "expected a mapping with a 'kind', got a sequence")
        }
        guard case .scalar(let scalar) = kindNode, let entry = table[scalar.value] else {
            let typed: String
            if case .scalar(let scalar) = kindNode { typed = scalar.value } else { typed = kindNode.summary }
            let suggestion = KeySuggestion.phrase(for: typed, among: table.keys)
            throw YAMLError(
                location: kindNode.location, keyPath: path.isEmpty ? "kind" : path + ".kind",
                message: "unknown \(role.rawValue) kind '\(typed)'\(suggestion); known: \(table.keys.sorted().joined(separator: ", "))")
        }
        return entry
    }

    /// Fills in defaults, decodes the typed configuration (unknown keys are errors) and runs
    /// the plugin's semantic checks, locating any problem in the manifest.
    static func decode<C: StageConfiguration>(
        _ type: C.Type, kind: String, from node: YAMLNode, keyPath: [String], validate: (C) throws -> Void
    ) throws -> (C, YAMLNode) {
        var section = node
        if case .scalar(let scalar) = node {
            section = .mapping([YAMLMappingEntry(key: "kind", keyLocation: scalar.location, value: node)], scalar.location)
        }
        var defaults: [YAMLMappingEntry] = []
        for option in C.options {
            guard let text = option.defaultValue, section[option.key] == nil else { continue }
            let value = try YAMLParser.parse(value: text, file: "<default of \(kind).\(option.key)>")
            defaults.append(YAMLMappingEntry(key: option.key, keyLocation: value.location, value: value))
        }
        if case .mapping(let entries, let location) = section { section = .mapping(entries + defaults, location) }
        let configuration: C
        do {
            configuration = try YAMLNodeDecoder().decode(KindedConfiguration<C>.self, from: section, keyPath: keyPath).configuration
        } catch let error as YAMLError {
            throw error.suggestingKey(among: C.options.map(\.key) + ["kind"])
        }
        do {
            try validate(configuration)
        } catch let problem as ConfigurationProblem {
            // A dotted field (`parameters.b1`) is located at its value.
            let fieldNode = problem.field.flatMap { field in field.split(separator: ".").reduce(Optional(section)) { $0?[String($1)] } }
            let path = ([keyPath.joined(separator: ".")] + [problem.field].compactMap { $0 }).filter { !$0.isEmpty }.joined(separator: ".")
            throw YAMLError(location: fieldNode?.location ?? section.location, keyPath: path, message: problem.message)
        } catch let error as YAMLError {
            throw error
        } catch {
            throw YAMLError(location: section.location, keyPath: keyPath.joined(separator: "."), message: "\(error)")
        }
        return (configuration, section)
    }

    /// Pairs each file name with the location of the scalar that names it.
    static func locate(_ names: [String], in section: YAMLNode) -> [(name: String, location: SourceLocation)] {
        names.map { name in (name, section.firstScalar(equalTo: name)?.location ?? section.location) }
    }
}

/// A section's `kind` and its typed configuration, read from the same mapping so that the
/// unknown-key check sees both.
struct KindedConfiguration<C: Decodable>: Decodable {
    var configuration: C

    private enum KindKey: String, CodingKey { case kind }

    init(from decoder: any Decoder) throws {
        _ = try decoder.container(keyedBy: KindKey.self).decode(String.self, forKey: .kind)
        configuration = try C(from: decoder)
    }
}

extension YAMLNode {
    /// The first scalar (depth first) whose text is `text`.
    func firstScalar(equalTo text: String) -> YAMLNode? {
        switch self {
        case .scalar(let scalar): return scalar.value == text ? self : nil
        case .sequence(let items, _): return items.lazy.compactMap { $0.firstScalar(equalTo: text) }.first
        case .mapping(let entries, _): return entries.lazy.compactMap { $0.value.firstScalar(equalTo: text) }.first
        }
    }
}
