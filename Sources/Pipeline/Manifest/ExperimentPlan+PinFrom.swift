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

extension ExperimentPlan {
    /// `auto`'s recorded choice per case id in a bundle's summary.json: the evaluations'
    /// `jacobian.auto.choice`, else the fit's `fit.jacobian_strategy` (`auto → NAME`).
    public static func recordedAutoChoices(inBundle bundle: String) throws -> [String: String] {
        let summary: JSONValue
        do {
            summary = try BundleFiles.readJSON(bundle + "/summary.json")
        } catch {
            throw PinFromBundleError(bundle: bundle, message: "not a result bundle (\(error))")
        }
        guard let cases = summary["cases"]?.arrayValue else {
            throw PinFromBundleError(bundle: bundle, message: "its summary.json has no list of cases")
        }
        var choices: [String: String] = [:]
        for entry in cases {
            guard let id = entry["id"]?.stringValue, let metrics = entry["metrics"]?.objectValue else { continue }
            let fitChoice = metrics["fit.jacobian_strategy"]?.stringValue
                .flatMap { $0.hasPrefix("auto → ") ? String($0.dropFirst("auto → ".count)) : nil }
            guard let choice = metrics["jacobian.auto.choice"]?.stringValue ?? fitChoice else { continue }
            guard (try? JacobianStrategyCatalog.strategy(named: choice)) != nil, choice != "auto" else {
                throw PinFromBundleError(bundle: bundle, message: "case \(id) recorded '\(choice.prefix(40))', not a Jacobian strategy")
            }
            choices[id] = choice
        }
        return choices
    }

    /// Pins every case's `auto` (its evaluations and its solver) to the choice `bundle`
    /// recorded for the case with the same id (`run --pin-from`): a calibrated run's decisions
    /// replayed, or a run repeated with another build's choices. Cases the bundle does not
    /// record decide as usual. Returns one note per case left to decide.
    public mutating func pinAuto(from bundle: String) throws -> [String] {
        let choices = try Self.recordedAutoChoices(inBundle: bundle)
        guard !choices.isEmpty else {
            throw PinFromBundleError(bundle: bundle, message: "records no auto choice for any case")
        }
        var notes: [String] = []
        for index in cases.indices {
            guard let choice = choices[cases[index].id] else {
                notes.append("case \(cases[index].id) is not in \(bundle): auto decides as usual")
                continue
            }
            cases[index].jacobian.auto = choice
            cases[index].jacobian.autoCalibrates = false
            cases[index].jacobian.autoPinnedFromBundle = true
        }
        return notes
    }
}
