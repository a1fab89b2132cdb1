import Foundation
import Testing
@testable import Pipeline

/// Formula models in the user's own words: parameters declared by name under
/// `model.parameters` (initial values, `fixed`), inputs the CSV's columns.
@Suite struct NamedFormulaParametersTests {
    /// signal = 2.5·exp(−0.3·t) + 0.7 at t = 0, 0.5, …, 9.5, written exactly as a CSV.
    static func manifest(formula: String, parameters: String) throws -> String {
        let manifest = try writeManifest("""
            name: named
            seed: 1
            data: {kind: csv, file: decay.csv, inputs: [t], targets: [signal]}
            model: {kind: formula, formula: "\(formula)", parameters: \(parameters)}
            solver: {kind: levenberg-marquardt, jacobian: auto}
            evaluation: [{kind: fit}]
            """)
        var csv = "t,signal\n"
        for step in 0..<20 {
            let t = Double(step) / 2
            csv += "\(t),\(2.5 * Foundation.exp(-0.3 * t) + 0.7)\n"
        }
        try csv.write(toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/decay.csv", atomically: true, encoding: .utf8)
        return manifest
    }

    func run(_ manifest: String) throws -> CaseRecord {
        let plan = try ExperimentPlan.load(path: manifest, registry: .standard)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        return try #require(outcome.records.first)
    }

    @Test func namedParametersFitAndAFixedOneStays() throws {
        let record = try run(try Self.manifest(
            formula: "signal = a*exp(-k*t) + c", parameters: "{a: {initial: 1}, k: 0.1, c: {initial: 0.7, fixed: true}}"))
        #expect(record.status == .ok, "\(record.error ?? "")")
        #expect(record.parameterNames == ["a", "k", "c"])
        let fitted = try #require(record.fit?.parameters)
        #expect(abs(fitted[0] - 2.5) < 1e-8 && abs(fitted[1] - 0.3) < 1e-8, "\(fitted)")
        #expect(fitted[2] == 0.7, "fixed parameter moved: \(fitted)")
        #expect(record.fit?.convergence?.freeParameters == 2)
    }

    /// A mistyped column is not fitted as a parameter: the error states the naming rule and
    /// lists the declared parameters and the data's columns.
    @Test func anUndeclaredNameIsAnErrorListingTheNames() throws {
        let record = try run(try Self.manifest(formula: "signal = a*exp(-k*time) + c", parameters: "{a: 1, k: 0.1, c: 0}"))
        #expect(record.status == .failed)
        let message = record.error ?? ""
        #expect(message.contains("unknown name 'time'"), "\(message)")
        #expect(message.contains("every name in the formula must be a declared parameter (a, k, c), an input column of the data (t)"), "\(message)")
    }

    @Test func declarationsAreCheckedAtValidate() throws {
        for (parameters, expected) in [
            ("{a: {initial: 1, fixed: true}}", "every parameter is fixed"),
            ("{a: {initial: .nan}}", "finite"),
            ("{a: {initial: 1, min: 2}}", "outside [min, max]"),
            ("{a: {initial: 1, min: 1, max: 1}}", "min must be below max"),
            ("{a: {initial: 1, mni: 0}}", "mni"),
        ] {
            #expect {
                _ = try ExperimentPlan.load(path: try Self.manifest(formula: "signal = a*t", parameters: parameters), registry: .standard)
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".contains("model.parameters")
            }
        }
    }
}
