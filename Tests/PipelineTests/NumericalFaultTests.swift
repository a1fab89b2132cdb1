import Foundation
import Testing
import Solvers
@testable import Pipeline

/// Numerical faults during a fit end the fit with a named status that the bundle records;
/// the case itself succeeds and nothing crashes.
@Suite(.serialized)
struct NumericalFaultTests {
    func runBundle(_ manifest: String, in folder: String) throws -> String {
        try manifest.write(toFile: folder + "/m.yaml", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinary.path)
        process.arguments = ["run", "m.yaml", "--results", "r"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return folder + "/" + (text.split(separator: "\n").last.map(String.init) ?? "")
    }

    /// y = 2 − 3x cannot be matched by √b₁·x + b₂: every solver is driven to b₁ < 0, where the
    /// model output is NaN.
    @Test func nanInModelOutputMidFitEndsWithANamedStatusAtAFinitePoint() throws {
        let bundle = try runBundle("""
            name: nan
            data: {kind: function, formula: "y = 2 - 3*x1", axes: [{name: x1, lower: 0, upper: 1}], samples: 20}
            model: {kind: formula, formula: 'y = sqrt(b1)*x1 + b2', initial: [1, 1]}
            evaluation: [{kind: fit}]
            sweep:
              solver.kind: [gradient-descent, levenberg-marquardt, lbfgs, adam, gauss-newton]
            """, in: try temporaryDirectory())
        let summary = try BundleFiles.readJSON(bundle + "/summary.json")
        let cases = summary["cases"]?.arrayValue ?? []
        #expect(cases.count == 5)
        for entry in cases {
            let id = entry["id"]?.stringValue ?? "?"
            #expect(entry["status"] == .string("ok"), "\(id)")
            let status = try #require(entry["metrics"]?["fit.status"]?.stringValue.flatMap(FitStatus.init(rawValue:)), "\(id)")
            #expect([.nonFiniteResiduals, .lineSearchFailed, .nonFiniteJacobian, .machinePrecision].contains(status), "\(id): \(status)")
            // The result is the last point with finite residuals, not the NaN one.
            guard case .number(let text)? = entry["metrics"]?["fit.final_cost"] else {
                Issue.record("\(id): final cost missing or not a number")
                continue
            }
            #expect(Double(text)?.isFinite == true, "\(id): final cost \(text)")
        }
    }

    /// Two samples, three parameters (M < N): the fit ends with a named status and the bundle
    /// reports no standard errors (NaN), since there are no degrees of freedom.
    @Test func fewerResidualsThanParametersRecordsAStatusAndNoStandardErrors() throws {
        let bundle = try runBundle("""
            name: underdetermined
            data: {kind: function, formula: "y = 2 - 3*x1", axes: [{name: x1, lower: 0, upper: 1}], samples: 2}
            model: {kind: formula, formula: 'y = b1 + b2*x1 + b3*x1^2', initial: [1, 1, 1]}
            solver: {kind: levenberg-marquardt}
            evaluation: [{kind: fit}]
            """, in: try temporaryDirectory())
        let metrics = try BundleFiles.readJSON(bundle + "/cases/default/metrics.json")
        #expect(metrics["fit.status"]?.stringValue.flatMap(FitStatus.init(rawValue:)) != nil)
        let parameters = try BundleFiles.readJSON(bundle + "/cases/default/parameters.json")
        let errors = parameters["standard_errors"]?.arrayValue ?? []
        #expect(errors.count == 3)
        #expect(errors.allSatisfy { $0 == .string("NaN") }, "\(errors)")
    }
}
