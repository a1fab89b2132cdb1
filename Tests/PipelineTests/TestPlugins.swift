import Datasets
import Foundation
import Jacobians
import LinearAlgebra
@testable import Pipeline

/// Small plugins for pipeline tests: a dataset of given size, a linear model r = Aθ − y,
/// and an evaluation that records its seed and can fail or wait for cancellation.
enum LineData: DataStage {
    struct Configuration: DeclaredStageConfiguration {
        var samples = 0
        var slope = 2.0
        init() {}
        static let declarations: [DeclaredOption<Self>] = [
            .required("samples", \.samples, "number of samples"),
            .optional("slope", \.slope, "true slope"),
        ]
    }
    static let kind = "line"
    static let summary = "y = slope·x on x = 1…samples"
    static func validate(_ configuration: Configuration) throws {
        guard configuration.samples > 0 else { throw ConfigurationProblem(field: "samples", "must be positive, got \(configuration.samples)") }
    }
    static func load(_ context: StageContext<Configuration>) throws -> LoadedData {
        let count = context.configuration.samples
        let inputs = Matrix(rows: count, columns: 1, elements: (1...count).map(Double.init))
        let targets = Matrix(rows: count, columns: 1, elements: (1...count).map { Double($0) * context.configuration.slope })
        return LoadedData(training: Dataset(inputs: inputs, targets: targets))
    }
}

/// r_s(θ) = θ·x_s − y_s.
final class LineResiduals: DifferentiableMap {
    let dataset: Dataset
    init(dataset: Dataset) { self.dataset = dataset }
    var inputCount: Int { 1 }
    var outputCount: Int { dataset.sampleCount }
    func evaluate(at point: [Double], into output: inout [Double]) {
        output = (0..<dataset.sampleCount).map { point[0] * dataset.inputs[$0, 0] - dataset.targets[$0, 0] }
    }
    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        result = Matrix(rows: outputCount, columns: tangents.columns)
        for s in 0..<outputCount { for j in 0..<tangents.columns { result[s, j] = dataset.inputs[s, 0] * tangents[0, j] } }
    }
    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        result = Matrix(rows: cotangents.rows, columns: 1)
        for i in 0..<cotangents.rows { for s in 0..<outputCount { result[i, 0] += cotangents[i, s] * dataset.inputs[s, 0] } }
    }
}

final class LineModel: FittableModel {
    let initialParameters: [Double]
    init(initial: Double) { initialParameters = [initial] }
    var parameterNames: [String] { ["slope"] }
    func residualMap(on dataset: Dataset) throws -> any DifferentiableMap { LineResiduals(dataset: dataset) }
    func inputMap(on dataset: Dataset, parameters: [Double]) throws -> (map: any DifferentiableMap, point: [Double]) {
        throw ConfigurationProblem("no input map")
    }
}

enum LineModelStage: ModelStage {
    struct Configuration: DeclaredStageConfiguration {
        var initial = 0.5
        init() {}
        static let declarations: [DeclaredOption<Self>] = [.optional("initial", \.initial, "starting slope")]
    }
    static let kind = "line"
    static let summary = "θ·x"
    static func build(_ context: StageContext<Configuration>, data: LoadedData) throws -> any FittableModel {
        LineModel(initial: context.configuration.initial)
    }
}

/// Closed-form least squares for the line (one "iteration"), polling cancellation.
enum LineSolver: SolverStage {
    struct Configuration: DeclaredStageConfiguration {
        var iterations = 3
        init() {}
        static let declarations: [DeclaredOption<Self>] = [.optional("max-iterations", \.iterations, "iterations to report")]
    }
    static let kind = "exact-line"
    static let summary = "closed-form slope"
    static func fit(_ context: StageContext<Configuration>, problem: FitProblem) throws -> FitOutcome {
        var trace: [[Double]] = []
        var residuals: [Double] = []
        var theta = problem.initialParameters
        for iteration in 0..<context.configuration.iterations {
            try context.checkCancellation()
            problem.residuals.evaluate(at: theta, into: &residuals)
            trace.append([Double(iteration), 0.5 * residuals.reduce(0) { $0 + $1 * $1 }])
            var jacobian = Matrix(rows: 0, columns: 0)
            problem.residuals.pushforward(at: theta, tangents: Matrix(rows: 1, columns: 1, elements: [1]), into: &jacobian)
            let jtj = jacobian.elements.reduce(0) { $0 + $1 * $1 }
            let jtr = zip(jacobian.elements, residuals).reduce(0) { $0 + $1.0 * $1.1 }
            theta[0] -= jtr / jtj
        }
        problem.residuals.evaluate(at: theta, into: &residuals)
        return FitOutcome(
            parameters: theta, standardErrors: [0.0], finalCost: 0.5 * residuals.reduce(0) { $0 + $1 * $1 },
            iterations: context.configuration.iterations, status: "converged", trace: trace)
    }
}

/// Reports the case seed and a value; `fail: true` throws; `wait-for-cancel: true` spins
/// (polling the flag) until cancelled; `cancel-after: true` sets the flag itself then waits.
enum ProbeEvaluation: EvaluationStage {
    struct Configuration: DeclaredStageConfiguration {
        var fail = false
        var cancel = false
        init() {}
        static let declarations: [DeclaredOption<Self>] = [
            .optional("fail", \.fail, "throw instead of measuring"),
            .optional("cancel", \.cancel, "set the cancellation flag, then poll it"),
        ]
    }
    static let kind = "probe"
    static let summary = "test probe"
    static func evaluate(_ context: StageContext<Configuration>, subject: EvaluationSubject) throws -> EvaluationResult {
        if context.configuration.fail { throw ConfigurationProblem("probe asked to fail") }
        if context.configuration.cancel {
            context.cancellation.cancel()
            try context.checkCancellation()
        }
        return EvaluationResult(metrics: [
            .count("probe.seed_low_bits", Int(context.dataSeed % 1_000_000)),
            .deterministic("probe.parameter", subject.parameters[0]),
            .timing("probe.time_us", 12.5),
        ])
    }
}

extension PluginRegistry {
    /// The test plugins plus a fixed strategy list.
    static var testing: PluginRegistry {
        var registry = PluginRegistry()
        registry.register(LineData.self)
        registry.register(LineModelStage.self)
        registry.register(LineSolver.self)
        registry.register(ProbeEvaluation.self)
        registry.strategies = [("forward-vectorized", "fv"), ("reverse-loop", "rl"), ("per-sample", "ps")]
        return registry
    }
}

/// A fresh temporary folder per test.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "jacobench-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Writes `text` as a manifest file in a new temporary folder and returns its path.
func writeManifest(_ text: String, name: String = "experiment.yaml") throws -> String {
    let path = try temporaryDirectory() + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
