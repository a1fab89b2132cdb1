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
        if let known = data[node] { return known }
        let prepared = try registry.prepareData(node, keyPath: ["data"])
        data[node] = prepared
        return prepared
    }

    /// The `model:` section prepared by `registry`.
    mutating func model(_ node: YAMLNode, registry: PluginRegistry) throws -> PreparedStage<LoadedData, any FittableModel> {
        if let known = models[node] { return known }
        let prepared = try registry.prepareModel(node, keyPath: ["model"])
        models[node] = prepared
        return prepared
    }

    /// The `solver:` section prepared by `registry`.
    mutating func solver(_ node: YAMLNode, registry: PluginRegistry) throws -> PreparedStage<FitProblem, FitOutcome> {
        if let known = solvers[node] { return known }
        let prepared = try registry.prepareSolver(node, keyPath: ["solver"])
        solvers[node] = prepared
        return prepared
    }

    /// Item `index` of the `evaluation:` list prepared by `registry`.
    mutating func evaluation(_ node: YAMLNode, index: Int, registry: PluginRegistry) throws -> PreparedStage<EvaluationSubject, EvaluationResult> {
        let key = EvaluationKey(index: index, node: node)
        if let known = evaluations[key] { return known }
        let prepared = try registry.prepareEvaluation(node, keyPath: ["evaluation[\(index)]"])
        evaluations[key] = prepared
        return prepared
    }

    /// A resolved section as JSON (what the case seeds are derived from).
    mutating func jsonValue(of node: YAMLNode) -> JSONValue {
        if let known = canonicalValues[node] { return known }
        let value = node.jsonValue
        canonicalValues[node] = value
        return value
    }

    /// The `jacobian:` section decoded.
    mutating func jacobian(_ node: YAMLNode) throws -> JacobianSettings {
        if let known = jacobianSettings[node] { return known }
        let settings = try YAMLNodeDecoder().decode(JacobianSettings.self, from: node, keyPath: ["jacobian"])
        jacobianSettings[node] = settings
        return settings
    }

    /// The `limits:` section decoded (``RunLimits/standard`` without one).
    mutating func limits(_ node: YAMLNode?) throws -> RunLimits {
        guard let node else { return .standard }
        if let known = runLimits[node] { return known }
        let limits = try YAMLNodeDecoder().decode(RunLimits.self, from: node, keyPath: ["limits"])
        runLimits[node] = limits
        return limits
    }
}
