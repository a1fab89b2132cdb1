import ArgumentParser
import Foundation
import Jacobians
import LinearAlgebra
import Pipeline
import YAMLDecoding

/// `jacobench advise`: every strategy's predicted cost on a model and data size (and with
/// `--measure` its measured median), then the recommended strategy and why, in one line.
///
///     jacobench advise --layers 5,9,3 --samples 192
///     jacobench advise --layers 15,32,55 --samples 1 --with-respect-to inputs --measure
///     jacobench advise --formula 'y = b1*(1 - exp(-b2*x))' --samples 14
///     jacobench advise experiments/seed-lm.yaml [--case ID] [--set k=v]
struct AdviseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advise",
        abstract: "Predict (and with --measure, time) every Jacobian strategy on a model and recommend one.",
        discussion: """
            Give a network (--layers, --samples), a formula (--formula, --samples) or a manifest
            (its first case, or --case). Predicted counts are those the strategies report; forward-pass
            units and bytes come from the cost model documented in Sources/Jacobians/JacobianCostModel.swift.
            The recommendation is auto's decision: the cost model's cheapest exact strategy for this shape (no timing, the same
            on every machine; a manifest's jacobian.auto: {calibrate: true} times it instead); inexact strategies are never recommended.
            """)

    @Argument(help: "A manifest to advise on (instead of --layers or --formula).")
    var manifest: String?

    @Option(help: "Network widths d,w1,…,p (e.g. 5,9,3).")
    var layers: String?

    @Option(help: "A formula model, e.g. 'y = b1*exp(-b2*x)'.")
    var formula: String?

    @Option(help: "Training samples S (with --layers or --formula).")
    var samples: Int?

    @Option(help: "Hidden activation of the network.")
    var activation: String = "tanh"

    @Option(name: .customLong("with-respect-to"), help: "parameters (fitting) or inputs (sensitivity).")
    var withRespectTo: JacobianVariables = .parameters

    @Option(help: "Seed for data and starting parameters.")
    var seed: Int = 42

    @Option(name: .customLong("case"), help: "The manifest case id to advise on (default: the first).")
    var caseID: String?

    @Option(name: .customLong("set"), help: "Override a manifest field, as for run.")
    var overrides: [String] = []

    @Flag(help: "Also time every applicable strategy (the jacobian-timing evaluation).")
    var measure = false

    @Flag(help: "With --measure, time swift-autodiff too (a reference implementation, never the fastest).")
    var all = false

    @Option(help: "Timed repetitions per strategy with --measure.")
    var repeats: Int = 20

    func validate() throws {
        let sources = [manifest != nil, layers != nil, formula != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give exactly one of a manifest path, --layers or --formula (got \(sources))")
        }
        if manifest == nil {
            guard let samples else { throw ValidationError("--samples is required with --layers or --formula") }
            guard samples > 0 else { throw ValidationError("--samples must be a positive number of samples, got \(samples)") }
        } else {
            guard samples == nil else { throw ValidationError("--samples goes with --layers or --formula; change a manifest with --set data.samples=N") }
        }
        if manifest != nil, withRespectTo != .parameters {
            throw ValidationError("--with-respect-to goes with --layers; change a manifest with --set jacobian.with-respect-to=inputs")
        }
        if let layers { _ = try Self.widths(layers) }
        if formula != nil, withRespectTo == .inputs {
            throw ValidationError("--with-respect-to inputs needs a network (--layers); formula models are differentiated with respect to parameters")
        }
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        guard seed >= 0 else { throw ValidationError("--seed must be ≥ 0, got \(seed)") }
    }

    /// "5,9,3" → [5, 9, 3]; at least two positive widths.
    static func widths(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count >= 2, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--layers '\(text)': expected at least two positive widths separated by commas, e.g. 5,9,3")
        }
        return parts.compactMap { $0 }
    }

    func run() throws {
        // --measure times in this process: the same thread rule as `run` (1 unless OPENBLAS_NUM_THREADS says otherwise).
        try ThreadSettings.resolveNoting(option: nil).apply()
        let plan: ExperimentPlan
        if let manifest {
            plan = try ExperimentPlan.load(path: manifest, overrides: overrides, registry: .standard)
        } else {
            let text: String
            if let layers {
                text = AdviceManifest.network(
                    layers: try Self.widths(layers), samples: samples ?? 1, activation: activation,
                    variables: withRespectTo == .inputs ? .inputs : .parameters, seed: UInt64(seed))
            } else {
                text = try AdviceManifest.formula(formula ?? "", samples: samples ?? 1, seed: UInt64(seed))
            }
            do {
                plan = try ExperimentPlan.plan(text: text, path: AdviceManifest.file, overrides: overrides, registry: .standard)
            } catch let error as YAMLError where error.location?.file == AdviceManifest.file {
                // A field the flags filled in: name the flag rather than the synthesized text.
                let flag = error.keyPath.hasSuffix("activation") ? "--activation" : error.keyPath.hasSuffix("formula") ? "--formula" : "--layers/--samples"
                throw UsageError("\(flag): \(error.message)")
            }
        }
        guard let plannedCase = caseID.map({ id in plan.cases.first { $0.id == id } }) ?? plan.cases.first else {
            let known = plan.cases.map(\.id).joined(separator: ", ")
            throw UsageError("--case '\(caseID ?? "")': no such case in \(manifest ?? "the manifest") (cases: \(known))")
        }
        let measurement = measure ? StrategyAdvice.Measurement(repeats: repeats, excluded: all ? [:] : StrategyAdvice.Measurement.referenceOnly) : nil
        let advice = try StrategyAdvice.advise(plannedCase, measurement: measurement)
        if plan.cases.count > 1 { print("case \(plannedCase.id) (\(plannedCase.index + 1) of \(plan.cases.count); choose with --case)") }
        print(advice.rendered())
    }
}

/// `--with-respect-to parameters|inputs`.
extension JacobianVariables: ExpressibleByArgument {}
