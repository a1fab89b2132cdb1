import JSONDocuments
import YAMLDecoding
import MessageText

/// One case of an experiment: its sweep values, replicate, seeds, resolved configuration and prepared stages.
public struct PlannedCase: Sendable {
    /// Folder name under `cases/`, derived from the sweep values (see ``ExperimentPlan``).
    public var id: String = ""
    /// Position in the grid (display only; never used for seeds or matching).
    public var index: Int
    /// The sweep values of this case, by dotted key; with `replicates:` above 1 also
    /// `replicate: k` (last), so ids, `diff` and reports tell replicates apart.
    public var sweep: [String: JSONValue]
    /// Sweep keys in manifest order (then `replicate` when there are several).
    public var sweepKeys: [String]
    /// The replicate, 0 … `replicates` − 1.
    public var replicate: Int
    /// The data and initial-parameter seeds (see ``CaseSeeds``).
    public var seeds: CaseSeeds
    /// The manifest's folder.
    public var manifestDirectory: String
    /// The whole case tree after sweep and defaults, stage sections resolved by their plugins.
    public var resolved: YAMLNode
    /// The `jacobian:` section.
    public var jacobian: JacobianSettings
    /// The `limits:` section.
    public var limits: RunLimits
    /// The bytes this case may use: `limits.memory-cap`, else the machine's (``MemoryBudget``).
    public var memoryBudget: MemoryBudget = .system
    /// Bytes the data and model sections alone are predicted to hold (nil when unknown),
    /// checked against the run's memory budget when the case is planned.
    public var predictedStageBytes: Int?
    /// Why the case cannot run within the memory budget, when the manifest bounds its cases
    /// (``RunLimits/boundsCases``): it is then recorded as skipped. Without a `limits:`
    /// section such a case is an input error instead.
    public var overMemoryBudget: String?
    /// The data stage.
    public var data: PreparedStage<Void, LoadedData>
    /// The model stage.
    public var model: PreparedStage<LoadedData, any FittableModel>
    /// The solver stage, when the manifest has one.
    public var solver: PreparedStage<FitProblem, FitOutcome>?
    /// The evaluations, in manifest order.
    public var evaluations: [PreparedStage<EvaluationSubject, EvaluationResult>]

    /// Files named by this case's stages.
    var files: [(name: String, location: SourceLocation)] { data.files + model.files }

    /// Plans case `index` of `tree` (the manifest after defaults and this case's sweep values,
    /// its top-level fields in `head`, its `jacobian:` and `limits:` sections decoded), taking
    /// stage sections prepared for earlier cases from `cache`; sizes are checked against
    /// `memoryBudget` unless `limits.memory-cap` replaces it.
    init(
        index: Int, sweep: [String: JSONValue], sweepKeys: [String], replicate: Int, tree: YAMLNode, head: ManifestHead,
        jacobian: JacobianSettings, limits: RunLimits, manifestDirectory: String, registry: PluginRegistry, memoryBudget: MemoryBudget, cache: inout ManifestSectionCache
    ) throws {
        self.index = index
        self.sweep = sweep
        self.sweepKeys = sweepKeys
        self.replicate = replicate
        if head.replicates > 1 {
            self.sweep[PlannedCase.replicateKey] = .integer(replicate)
            self.sweepKeys.append(PlannedCase.replicateKey)
        }
        self.manifestDirectory = manifestDirectory
        self.jacobian = jacobian
        self.limits = limits
        data = try cache.data(head.data, registry: registry)
        model = try cache.model(head.model, registry: registry)
        solver = try head.solver.map { try cache.solver($0, registry: registry) }
        var evaluations: [PreparedStage<EvaluationSubject, EvaluationResult>] = []
        for (index, node) in head.evaluation.enumerated() {
            evaluations.append(try cache.evaluation(node, index: index, registry: registry))
        }
        self.evaluations = evaluations
        seeds = CaseSeed.seeds(
            manifestSeed: head.seed, replicate: replicate, data: cache.jsonValue(of: data.resolved), model: cache.jsonValue(of: model.resolved))
        try Self.checkStrategies(jacobian, tree: tree, known: registry.strategyNames)
        if let produced = data.columns, let needed = model.columns, produced != needed {
            throw YAMLError(
                location: model.resolved.location, keyPath: "model",
                message: "the model maps \(needed.inputs) inputs to \(needed.targets) outputs but the data has \(produced.inputs) input and \(produced.targets) target columns")
        }
        var resolvedTree = try tree.replacingValue(atPath: ["data"], with: data.resolved)
        resolvedTree = try resolvedTree.replacingValue(atPath: ["model"], with: model.resolved)
        if let solver { resolvedTree = try resolvedTree.replacingValue(atPath: ["solver"], with: solver.resolved) }
        resolved = try resolvedTree.replacingValue(atPath: ["evaluation"], with: .sequence(evaluations.map(\.resolved), tree.location))
        self.memoryBudget = MemoryBudget.resolve(memoryCap: limits.memoryCap, system: memoryBudget)
        try checkMemory(self.memoryBudget)
    }

    /// Predicts the data's and the model's bytes from their sections (checked arithmetic, nothing
    /// built) and compares them with `budget`: over it, the case is recorded as skipped when the
    /// manifest bounds its cases, and is an input error (located at the section) otherwise.
    mutating func checkMemory(_ budget: MemoryBudget) throws {
        func located<T>(_ stage: YAMLNode, _ keyPath: String, _ body: () throws -> T) throws -> T {
            do { return try body() } catch let problem as ConfigurationProblem {
                let field = problem.field.map { "\(keyPath).\($0)" } ?? keyPath
                throw YAMLError(location: problem.field.flatMap { stage[$0]?.location } ?? stage.location, keyPath: field, message: problem.message)
            }
        }
        let dataFootprint = try located(data.resolved, "data") { try data.footprint(nil) }
        let modelFootprint = try located(model.resolved, "model") { try model.footprint(dataFootprint?.trainingRows) }
        let dataBytes = dataFootprint?.bytes ?? 0, modelBytes = modelFootprint?.bytes ?? 0
        let total = try located(model.resolved, "model") { try CheckedSize.sum([dataBytes, modelBytes], field: "layers") }
        predictedStageBytes = dataFootprint == nil && modelFootprint == nil ? nil : total
        guard total > budget.bytes else { return }
        let dataOver = dataBytes > budget.bytes
        let reason = dataOver
            ? "the data alone is predicted to hold \(RunLimits.describe(bytes: dataBytes)), more than the memory budget \(budget.description)"
            : "the data and model are predicted to hold \(RunLimits.describe(bytes: total)) (model \(RunLimits.describe(bytes: modelBytes))), more than the memory budget \(budget.description)"
        if limits.boundsCases {
            overMemoryBudget = reason
            return
        }
        let section = dataOver ? data.resolved : model.resolved
        throw YAMLError(
            location: section.location, keyPath: dataOver ? "data" : "model",
            message: reason + "; make the sizes smaller, or add a limits: section (memory-cap) to record such cases as skipped")
    }

    /// The key the replicate takes among the sweep values when a manifest has several.
    public static let replicateKey = "replicate"

    /// Strategy, reference and `auto` pin names must be known to the catalog.
    static func checkStrategies(_ settings: JacobianSettings, tree: YAMLNode, known: [String]?) throws {
        guard let known else { return }
        func check(_ name: String, path: [String], keyPath: String) throws {
            guard !known.contains(name) else { return }
            let node = tree.value(atPath: path)
            let suggestion = KeySuggestion.phrase(for: name, among: known)
            throw YAMLError(
                location: node?.location, keyPath: keyPath,
                message: "unknown Jacobian strategy \(QuotedText.quoted(name))\(suggestion); known: \(known.joined(separator: ", "))")
        }
        for (index, request) in (settings.strategies ?? []).enumerated() {
            let itemPath = ["jacobian", "strategies", String(index)]
            let namePath = tree.value(atPath: itemPath).map { node -> [String] in
                if case .mapping = node { return itemPath + ["name"] }
                return itemPath
            } ?? itemPath
            try check(request.name, path: namePath, keyPath: "jacobian.strategies[\(index)]")
        }
        try check(settings.reference, path: ["jacobian", "reference"], keyPath: "jacobian.reference")
        if let pinned = settings.auto {
            guard pinned != "auto" else {
                throw YAMLError(location: tree.value(atPath: ["jacobian", "auto"])?.location, keyPath: "jacobian.auto", message: "auto cannot be pinned to itself")
            }
            try check(pinned, path: ["jacobian", "auto"], keyPath: "jacobian.auto")
        }
    }
}

/// Readable folder names for cases.
enum CaseIdentifier {
    /// Longest slug kept before a hash is appended instead.
    static let maximumLength = 64

    /// The characters a slug keeps; any other becomes '-'.
    private static let slugCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=-")

    /// `layers=5x9x3_samples=192` from the sweep values (last key segment = compact value).
    static func slug(sweep: [String: JSONValue], keys: [String]) -> (text: String, truncated: Bool) {
        guard !keys.isEmpty else { return ("default", false) }
        let parts = keys.map { key -> String in
            let field = key.split(separator: ".").last.map(String.init) ?? key
            var value = sweep[key] ?? .null
            // Linked keys that take one value together (`data.layers, model.layers`) show it once.
            if key.contains(","), case .array(let items) = value, let first = items.first, items.allSatisfy({ $0 == first }) { value = first }
            return field + "=" + compact(value)
        }
        let raw = parts.joined(separator: "_")
        var text = String(raw.map { slugCharacters.contains($0) ? $0 : "-" })
        let truncated = text.count > maximumLength
        if truncated { text = String(text.prefix(maximumLength)) }
        return (text, truncated)
    }

    /// A short rendering: scalars as text, lists joined with `x`, mappings by their `kind`.
    static func compact(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return String(flag)
        case .number(let text): return text
        case .string(let text): return text
        case .array(let items): return items.map(compact).joined(separator: "x")
        case .object(let members):
            let rest = members.keys.sorted().filter { $0 != "kind" }.map { "\($0)-\(compact(members[$0] ?? .null))" }
            return ([members["kind"].map(compact)].compactMap { $0 } + rest).joined(separator: "-")
        }
    }
}
