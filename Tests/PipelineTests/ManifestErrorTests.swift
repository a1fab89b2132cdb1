import Testing
import YAMLDecoding
@testable import Pipeline

/// Every manifest mistake is reported as file:line:column, the field, and what to do.
@Suite struct ManifestErrorTests {
    /// Plans `text` (written to a file) and returns the error description.
    func error(of text: String, overrides: [String] = []) throws -> String {
        let path = try writeManifest(text)
        do {
            _ = try ExperimentPlan.load(path: path, overrides: overrides, registry: .testing)
        } catch let error as YAMLError {
            return error.description.replacingOccurrences(of: path, with: "M")
        }
        Issue.record("expected an error")
        return ""
    }

    let valid = """
        name: e
        data: {kind: line, samples: 4}
        model: {kind: line}
        """

    @Test func validManifestPlansOneCase() throws {
        let plan = try ExperimentPlan.load(path: try writeManifest(valid), registry: .testing)
        #expect(plan.cases.count == 1)
        #expect(plan.cases[0].id == "default")
        #expect(plan.name == "e")
    }

    @Test func syntaxErrorIsLocated() throws {
        let message = try error(of: "name: e\ndata: {kind: line, samples: 4\nmodel: {kind: line}\n")
        #expect(message.hasPrefix("M:3:"), "\(message)")
    }

    @Test func unknownTopLevelKeyIsLocatedWithSuggestion() throws {
        let message = try error(of: valid + "\nevaluaton: []\n")
        #expect(message.hasPrefix("M:4:1: "), "\(message)")
        #expect(message.contains("evaluaton"))
        #expect(message.contains("did you mean 'evaluation'"))
    }

    @Test func unknownStageOptionIsLocatedInsideTheSection() throws {
        let message = try error(of: "name: e\ndata: {kind: line, samples: 4, sample: 3}\nmodel: {kind: line}\n")
        #expect(message.hasPrefix("M:2:32: data"), "\(message)")
        #expect(message.contains("sample"))
    }

    @Test func wrongTypeIsLocatedAtTheValue() throws {
        let message = try error(of: "name: e\ndata:\n  kind: line\n  samples: many\nmodel: {kind: line}\n")
        #expect(message.hasPrefix("M:4:12: data.samples"), "\(message)")
    }

    @Test func unknownKindNamesKnownKinds() throws {
        let message = try error(of: "name: e\ndata: {kind: line, samples: 4}\nmodel: {kind: lien}\n")
        #expect(message == "M:3:15: model.kind: unknown model kind 'lien' (did you mean 'line'?); known: line", "\(message)")
    }

    @Test func pluginValidationIsLocatedAtTheField() throws {
        let message = try error(of: "name: e\ndata: {kind: line, samples: 0}\nmodel: {kind: line}\n")
        #expect(message == "M:2:29: data.samples: must be positive, got 0", "\(message)")
    }

    @Test func sweepKeyNamingNoTopLevelFieldIsLocatedAtTheKey() throws {
        let message = try error(of: valid + "\nsweep:\n  modle.initial: [1, 2]\n")
        #expect(message.hasPrefix("M:5:3: sweep.modle.initial: sweep key 'modle.initial' names no field (did you mean 'model.initial'?)"), "\(message)")
    }

    @Test func sweepKeyNamingNoOptionIsReportedOnTheSweepLine() throws {
        let message = try error(of: valid + "\nsweep:\n  model.initail: [1, 2]\n")
        #expect(message.hasPrefix("M:5:"), "\(message)")
        #expect(message.contains("initail"))
        #expect(message.contains("did you mean 'initial'"))
    }

    @Test func emptySweepIsAnError() throws {
        let message = try error(of: valid + "\nsweep:\n  model.initial: []\n")
        #expect(message == "M:5:18: sweep.model.initial: empty sweep: give at least one value", "\(message)")
    }

    @Test func duplicateSweepValueIsAnError() throws {
        let message = try error(of: valid + "\nsweep:\n  model.initial: [1, 2, 1]\n")
        #expect(message == "M:5:25: sweep.model.initial: duplicate sweep value 1", "\(message)")
    }

    @Test func unknownStrategyNameIsLocated() throws {
        let message = try error(of: valid + "\njacobian: {strategies: [per-sample, forward-vectorised]}\n")
        #expect(message.hasPrefix("M:4:37: jacobian.strategies[1]: unknown Jacobian strategy 'forward-vectorised' (did you mean 'forward-vectorized'?)"), "\(message)")
    }

    @Test func missingRequiredOptionIsReported() throws {
        let message = try error(of: "name: e\ndata: {kind: line}\nmodel: {kind: line}\n")
        #expect(message.hasPrefix("M:2:7: data"), "\(message)")
        #expect(message.contains("samples"))
    }

    @Test func badOverrideKeyIsReported() throws {
        let message = try error(of: valid, overrides: ["modle.initial=3"])
        #expect(message.contains("modle.initial"), "\(message)")
        #expect(message.contains("did you mean 'model'"), "\(message)")
    }

    @Test func namedFileMustExistBeforeAnyCaseRuns() throws {
        var registry = PluginRegistry.testing
        registry.register(NISTData.self)
        let path = try writeManifest("name: e\ndata: {kind: nist, file: nowhere/Missing.dat}\nmodel: {kind: line}\n")
        #expect {
            _ = try ExperimentPlan.load(path: path, registry: registry)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(path + ":2:26: ") && text.contains("file 'nowhere/Missing.dat' does not exist")
        }
    }
}
