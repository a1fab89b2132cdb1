import JSONDocuments
import Jacobians

/// A bundle could not pin `auto`: it is not a bundle, or what it recorded is not a strategy.
public struct PinFromBundleError: Error, CustomStringConvertible {
    /// The bundle given to `--pin-from`.
    public var bundle: String
    /// What is wrong.
    public var message: String
    /// `--pin-from BUNDLE: message`.
    public var description: String { "--pin-from \(bundle): \(message)" }
}

/// What a bundle recorded about one case's `auto`: the evaluations' choice
/// (`jacobian.auto.choice`) and the solver's (`fit.auto.choice`, or `fit.jacobian_strategy`
/// = `auto → NAME` in older bundles); either may be missing.
public struct RecordedAutoChoice: Sendable, Equatable {
    /// The evaluations' choice.
    public var evaluations: String?
    /// The solver's choice.
    public var solver: String?

    /// The one name `--pin-from` pins a case's `auto` to: the evaluations' choice, else the solver's.
    public var choice: String? { evaluations ?? solver }
}

extension ExperimentPlan {
    /// `auto`'s recorded choice per case id in a bundle's summary.json: the evaluations'
    /// `jacobian.auto.choice`, else the fit's choice. Cases that recorded none are left out.
    public static func recordedAutoChoices(inBundle bundle: String) throws -> [String: String] {
        try recordedAutoDecisions(inBundle: bundle).compactMapValues(\.choice)
    }

    /// Every case of the bundle's summary.json by id, with what it recorded about `auto`
    /// (both fields nil for a case that recorded nothing, e.g. a failed one).
    ///
    /// - Throws: ``PinFromBundleError`` when `bundle` is not a result bundle, or a recorded
    ///   name is not a Jacobian strategy.
    public static func recordedAutoDecisions(inBundle bundle: String) throws -> [String: RecordedAutoChoice] {
        let summary: JSONValue
        do {
            summary = try CheckedBundleFiles.summary(bundle)
        } catch {
            throw PinFromBundleError(bundle: bundle, message: "not a result bundle (\(error))")
        }
        guard let cases = summary["cases"]?.arrayValue else {
            throw PinFromBundleError(bundle: bundle, message: "its summary.json has no list of cases")
        }
        var recorded: [String: RecordedAutoChoice] = [:]
        for entry in cases {
            guard let id = entry["id"]?.stringValue else { continue }
            let metrics = entry["metrics"]?.objectValue ?? [:]
            let fitStrategy = metrics["fit.jacobian_strategy"]?.stringValue
                .flatMap { $0.hasPrefix("auto → ") ? String($0.dropFirst("auto → ".count)) : nil }
            let choice = RecordedAutoChoice(
                evaluations: metrics["jacobian.auto.choice"]?.stringValue,
                solver: metrics["fit.auto.choice"]?.stringValue ?? fitStrategy)
            for name in [choice.evaluations, choice.solver].compactMap({ $0 }) {
                guard (try? JacobianStrategyCatalog.strategy(named: name)) != nil, name != "auto" else {
                    throw PinFromBundleError(bundle: bundle, message: "case \(id) recorded '\(name.prefix(40))', not a Jacobian strategy")
                }
            }
            recorded[id] = choice
        }
        return recorded
    }

    /// Pins every case's `auto` (its evaluations and its solver) to the choice `bundle`
    /// recorded for the case with the same id (`run --pin-from`): a calibrated run's decisions
    /// replayed, or a run repeated with another build's choices. When the bundle recorded
    /// another choice for the fit than for the evaluations (inputs vs parameters), the solver
    /// is pinned to its own (``JacobianSettings/solverAuto``). Cases the bundle lacks, or
    /// for which it recorded no choice, decide as usual. Returns one note per such case.
    ///
    /// - Throws: ``PinFromBundleError`` when `bundle` is not a bundle or records no choice at all.
    public mutating func pinAuto(from bundle: String) throws -> [String] {
        let recorded = try Self.recordedAutoDecisions(inBundle: bundle)
        guard recorded.values.contains(where: { $0.choice != nil }) else {
            throw PinFromBundleError(bundle: bundle, message: "records no auto choice for any case")
        }
        var notes: [String] = []
        for index in cases.indices {
            let id = cases[index].id
            guard let entry = recorded[id] else {
                notes.append("case \(id) is not in \(bundle): auto decides as usual")
                continue
            }
            guard let choice = entry.choice else {
                notes.append("case \(id) recorded no auto choice in \(bundle): auto decides as usual")
                continue
            }
            cases[index].jacobian.auto = choice
            cases[index].jacobian.solverAuto = entry.solver != choice ? entry.solver : nil
            cases[index].jacobian.autoCalibrates = false
            cases[index].jacobian.autoPinnedFromBundle = true
        }
        return notes
    }
}
