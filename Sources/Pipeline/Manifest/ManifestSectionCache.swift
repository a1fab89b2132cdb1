import JSONDocuments
import YAMLDecoding

/// Sections already decoded while one manifest is planned, by their node (locations included):
/// a sweep repeats most sections across its cases, so each distinct stage, `jacobian:` and
/// `limits:` section is decoded and validated once, not once per case. Errors are not kept: a
/// section that fails ends the planning.
struct ManifestSectionCache {
    private var data: [YAMLNode: PreparedStage<Void, LoadedData>] = [:]
    private var models: [YAMLNode: PreparedStage<LoadedData, any FittableModel>] = [:]
    private var solvers: [YAMLNode: PreparedStage<FitProblem, FitOutcome>] = [:]
    private var evaluations: [EvaluationKey: PreparedStage<EvaluationSubject, EvaluationResult>] = [:]
    private var canonicalValues: [YAMLNode: JSONValue] = [:]
    private var jacobianSettings: [YAMLNode: JacobianSettings] = [:]
    private var runLimits: [YAMLNode: RunLimits] = [:]

    /// An evaluation item by its position too, since its key path (`evaluation[i]`) is part of it.
    private struct EvaluationKey: Hashable {
        let index: Int
        let node: YAMLNode
    }

    /// The `data:` section prepared by `registry`.
    mutating func data(_ node: YAMLNode, registry: PluginRegistry) throws -> PreparedStage<Void, LoadedData> {
        try Self.cached(&data, node) { try registry.prepareData(node, keyPath: ["data"]) }
    }

    /// The `model:` section prepared by `registry`.
    mutating func model(_ node: YAMLNode, registry: PluginRegistry) throws -> PreparedStage<LoadedData, any FittableModel> {
        try Self.cached(&models, node) { try registry.prepareModel(node, keyPath: ["model"]) }
    }

    /// The `solver:` section prepared by `registry`.
    mutating func solver(_ node: YAMLNode, registry: PluginRegistry) throws -> PreparedStage<FitProblem, FitOutcome> {
        try Self.cached(&solvers, node) { try registry.prepareSolver(node, keyPath: ["solver"]) }
    }

    /// Item `index` of the `evaluation:` list prepared by `registry`.
    mutating func evaluation(_ node: YAMLNode, index: Int, registry: PluginRegistry) throws -> PreparedStage<EvaluationSubject, EvaluationResult> {
        try Self.cached(&evaluations, EvaluationKey(index: index, node: node)) {
            try registry.prepareEvaluation(node, keyPath: ["evaluation[\(index)]"])
        }
    }

    /// A resolved section as JSON (what the case seeds are derived from).
    mutating func jsonValue(of node: YAMLNode) -> JSONValue {
        Self.cached(&canonicalValues, node) { node.jsonValue }
    }

    /// The `jacobian:` section decoded.
    mutating func jacobian(_ node: YAMLNode) throws -> JacobianSettings {
        try Self.cached(&jacobianSettings, node) { try YAMLNodeDecoder().decode(JacobianSettings.self, from: node, keyPath: ["jacobian"]) }
    }

    /// The `limits:` section decoded (``RunLimits/standard`` without one).
    mutating func limits(_ node: YAMLNode?) throws -> RunLimits {
        guard let node else { return .standard }
        return try Self.cached(&runLimits, node) { try YAMLNodeDecoder().decode(RunLimits.self, from: node, keyPath: ["limits"]) }
    }

    /// `table[key]`, made by `make` and kept the first time.
    private static func cached<Key: Hashable, Value>(_ table: inout [Key: Value], _ key: Key, _ make: () throws -> Value) rethrows -> Value {
        if let known = table[key] { return known }
        let value = try make()
        table[key] = value
        return value
    }
}
