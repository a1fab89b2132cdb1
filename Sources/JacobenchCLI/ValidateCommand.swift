import ArgumentParser
import Foundation
import Pipeline

/// `jacobench validate FILE [--set k=v]…`: every check `run` makes before the first case.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a manifest (fields, kinds, sweep keys, named files) without running it.")

    @Argument(help: "The manifest.")
    var file: String

    @Option(name: .customLong("set"), help: "Override a field, as for run.")
    var overrides: [String] = []

    func run() throws {
        let plan = try ExperimentPlan.load(path: file, overrides: overrides, registry: .standard)
        print("\(file): ok — experiment '\(plan.name)', \(plan.cases.count) case\(plan.cases.count == 1 ? "" : "s")")
        for plannedCase in plan.cases { print("  \(plannedCase.id)  data seed \(plannedCase.seeds.data)  θ₀ seed \(plannedCase.seeds.parameters)") }
    }
}
