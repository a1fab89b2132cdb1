import ArgumentParser
import Foundation
import Pipeline

/// `jacobench validate FILE [--set k=v]… [--allow-program PATH]…`: every check `run` makes
/// before the first case, and the programs a `peer-comparison` evaluation would start.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a manifest (fields, kinds, sweep keys, named files) without running it; say which programs it would start.")

    @Argument(help: "The manifest.")
    var file: String

    @Option(name: .customLong("set"), help: "Override a field, as for run.")
    var overrides: [String] = []

    @Option(name: .customLong("allow-program"), help: "Check as `run --allow-program PATH` would (repeatable).")
    var allowedPrograms: [String] = []

    func run() throws {
        PeerProgramPolicy.install(allowing: allowedPrograms)
        let plan = try ExperimentPlan.load(path: file, overrides: overrides, registry: .standard)
        print("\(file): ok — experiment '\(plan.name)', \(plan.cases.count) case\(plan.cases.count == 1 ? "" : "s")")
        for plannedCase in plan.cases { print("  \(plannedCase.id)  data seed \(plannedCase.seeds.data)  θ₀ seed \(plannedCase.seeds.parameters)") }
        for line in programLines(plan) { print(line) }
    }

    /// One line per distinct program a `peer-comparison` would start (or why it would be skipped).
    func programLines(_ plan: ExperimentPlan) -> [String] {
        var lines: [String] = []
        for plannedCase in plan.cases {
            for evaluation in plannedCase.evaluations {
                guard let decision = PeerComparisonEvaluation.decision(forSection: evaluation.resolved) else { continue }
                let line: String
                switch decision {
                case .runs(let python, let script): line = "peer-comparison would run: \(python) \(script)"
                case .skipped(let reason): line = "peer-comparison would be skipped: \(reason)"
                case .refused(_, let reason): line = "peer-comparison refused: \(reason)"
                }
                if !lines.contains(line) { lines.append(line) }
            }
        }
        return lines
    }
}
