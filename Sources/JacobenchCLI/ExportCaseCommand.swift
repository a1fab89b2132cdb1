import ArgumentParser
import Foundation
import Pipeline

/// `jacobench export-case FILE [--case ID] [--out PATH]`: one case's network, data and
/// reference Jacobian as the JSON `peers/peer_benchmark.py` reads (the Jacobian left out, with
/// the reason, past `PeerCase.jacobianValueLimit` values, so the export is O(m + n)), or for a
/// formula model its tape, data, start, bounds, loss and jacobench's own fit as
/// `peers/fit_peers.py` reads it (formats: peers/README.md).
struct ExportCaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-case",
        abstract: "Write a case as JSON for the peers: an MLP's weights, data and reference Jacobian (left out past 2^22 values), or a formula model's tape, data, start, bounds, loss and jacobench's fit.")

    @Argument(help: "The manifest.")
    var file: String

    @Option(name: .customLong("set"), help: "Override a field, as for run.")
    var overrides: [String] = []

    @Option(name: .customLong("case"), help: "The case id (as `validate` lists them); default the first case.")
    var caseID: String?

    @Option(help: "Write the JSON here (folders created); default standard output.")
    var out: String?

    @Flag(inversion: .prefixedNo, help: "Formula models: include jacobench's own fit from the start (the manifest's solver, timed like the peers).")
    var fit = true

    func run() throws {
        let plan = try ExperimentPlan.load(path: file, overrides: overrides, registry: .standard)
        let chosen = caseID.map { id in plan.cases.first { $0.id == id } } ?? plan.cases.first
        guard let plannedCase = chosen else {
            let known = plan.cases.map(\.id).joined(separator: ", ")
            throw UsageError("\(file): no case '\(caseID ?? "")'; cases: \(known.isEmpty ? "none" : known)")
        }
        let text: String
        var note = ""
        do {
            if let formula = try FormulaPeerCase.exported(from: plannedCase, name: plan.name, fit: fit) {
                text = try formula.jsonText()
            } else {
                let peerCase = try PeerCase.exported(from: plannedCase, name: plan.name)
                text = try peerCase.jsonText()
                if let omission = peerCase.jacobianOmission { note = "; no reference Jacobian: " + omission.reason }
            }
        } catch let error as PeerCaseError {
            throw UsageError("\(file): \(error)")
        }
        guard let out else {
            print(text, terminator: "")
            if !note.isEmpty { FileHandle.standardError.write(Data("jacobench: case \(plannedCase.id) of \(plan.name)\(note)\n".utf8)) }
            return
        }
        guard !out.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw UsageError("--out is empty: give a file name") }
        try OutputFiles.write(text, to: out)
        FileHandle.standardError.write(Data("wrote \(out): case \(plannedCase.id) of \(plan.name)\(note)\n".utf8))
    }
}
