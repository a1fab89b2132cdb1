import Foundation
import Testing
@testable import Pipeline

/// Bounds (`model.parameters.NAME.min/max`) and robust losses (`solver.loss`, `loss-scale`)
/// through manifests, against SciPy's `least_squares(method="trf")`.
///
/// References: `scripts/fit_references.py`, run once with SciPy 1.17.1 in the peers' venv
/// (`.peers-venv/bin/python scripts/fit_references.py`); its docstring says how each value is
/// computed. Standard errors at an active bound are those of curve_fit with that parameter
/// fixed at the bound; under a robust loss √diag((J̃ᵀJ̃)⁻¹·2·cost/(m − n)) with J̃ SciPy's `jac`.
@Suite struct BoundsAndLossTests {
    static let decayRows = [3.23, 2.8317699410626447, 2.602045551704294, 2.254070379054433, 2.082029090235066,
                            1.9009163818525368, 1.6864241493514978, 1.6148443727778883, 1.4429855297805052,
                            1.348100651614729, 1.2778254003710745, 1.1301247715518852]
    /// 20 rows of 2.5·exp(−0.3t) + 0.7 + 0.01·sin(7t) at t = 0.3·i, rows 3, 9, 15 moved by +1.5, −1.0, +2.0.
    static let outlierRows = [3.2, 2.9934600568445595, 2.7794597708040443, 4.108616874846977, 2.4527368042584605,
                              2.2852734214547166, 2.1572068614071855, 2.039936970828672, 1.9080049695641141, 0.812649392435421,
                              1.7247907057368583, 1.6199898538769173, 1.5496608948376027, 1.4841906321696663,
                              1.4001095201673242, 3.3489403961716464, 1.3004970592505687, 1.2322425015716825,
                              1.1957539186789619, 1.160244215579475]

    struct Reference: Sendable, CustomStringConvertible {
        var loss: String, parameters: [Double], cost: Double, errors: [Double]
        var description: String { loss }
    }

    /// least_squares(residual, [2, 0.2, 0.5], loss=…, f_scale=0.1, method="trf", ftol=xtol=gtol=1e-15).
    static let robust: [Reference] = [
        Reference(loss: "linear", parameters: [2.275684478366932, 0.4454027057359545, 1.1908308548488622],
                  cost: 3.4241350086211457, errors: [0.5991942271630405, 0.347961102570471, 0.6429413783707182]),
        Reference(loss: "soft-l1", parameters: [2.4654413188144626, 0.31563011119157236, 0.759181658079984],
                  cost: 0.42080007325875196, errors: [0.3766811484697378, 0.11986752382320484, 0.4306042777598268]),
        Reference(loss: "huber", parameters: [2.4656468512790006, 0.31544287581777625, 0.7585536578786798],
                  cost: 0.4347246680551293, errors: [0.3800104595646823, 0.12008946959878244, 0.4327691916391072]),
        Reference(loss: "cauchy", parameters: [2.4913088627798667, 0.30327402660549246, 0.7125164008685194],
                  cost: 0.08060874257829359, errors: [0.1772224400712167, 0.05186852807365227, 0.20140383569164208]),
        Reference(loss: "arctan", parameters: [2.494029488071444, 0.30198377831204914, 0.7080369715268487],
                  cost: 0.023952543054340674, errors: [0.09667556906380113, 0.028091500759351334, 0.10993899366354333]),
    ]

    static func csv(step: Double, rows: [Double]) -> String {
        "t,signal\n" + rows.indices.map { "\(Double($0) * step),\(rows[$0])" }.joined(separator: "\n") + "\n"
    }

    static func run(parameters: String, solver: String, rows: [Double], step: Double) throws -> (record: CaseRecord, bundle: String) {
        let manifest = try writeManifest("""
            name: bounded
            seed: 1
            data: {kind: csv, file: decay.csv, inputs: [t], targets: [signal]}
            model: {kind: formula, formula: "signal = a*exp(-k*t) + c", parameters: \(parameters)}
            solver: \(solver)
            evaluation: [{kind: fit}]
            """)
        try csv(step: step, rows: rows).write(
            toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/decay.csv", atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(path: manifest, registry: .standard)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        return (try #require(outcome.records.first), outcome.bundlePath)
    }

    static func agree(_ a: Double, _ b: Double, digits: Double) -> Bool { abs(a - b) <= pow(10, -digits) * abs(b) }

    /// The unconstrained optimum has c = 0.72; with c ≤ 0.5 the fit ends on the bound, a and k
    /// match SciPy's trf to 7 digits, c is reported at its max, and the standard errors of a and
    /// k are curve_fit's with c fixed at 0.5.
    @Test func aBoundedFitEndsOnTheViolatedBound() throws {
        let (record, bundle) = try Self.run(
            parameters: "{a: 1, k: {initial: 0.1, min: 0, max: 10}, c: {initial: 0, max: 0.5}}",
            solver: "{kind: levenberg-marquardt, jacobian: auto}", rows: Self.decayRows, step: 0.5)
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        let expected = [2.6892820357681644, 0.2611312642413303, 0.5]
        for j in 0..<3 { #expect(Self.agree(fit.parameters[j], expected[j], digits: 7), "\(fit.parameters)") }
        #expect(fit.parameters[2] == 0.5, "every iterate stays inside: c ends exactly on its bound")
        #expect(Self.agree(fit.finalCost, 0.006786884827232544, digits: 9), "\(fit.finalCost)")
        #expect(fit.boundsActive == [nil, nil, .upper])
        #expect(fit.status != "not-stationary" && fit.status != "rank-deficient", "\(fit.status)")
        #expect(fit.convergence?.converged == true, "\(String(describing: fit.convergence))")
        let errors = try #require(fit.standardErrors)
        #expect(Self.agree(errors[0], 0.025657347396857724, digits: 6) && Self.agree(errors[1], 0.004832483757571557, digits: 6), "\(errors)")
        #expect(errors[2] == 0)
        let csv = try String(contentsOfFile: "\(bundle)/cases/\(record.id)/parameters.csv", encoding: .utf8)
        #expect(csv.hasPrefix("name,initial,value,standard_error,at_bound\n") && csv.contains(",upper\n"), "\(csv)")
        let summary = try String(contentsOfFile: bundle + "/summary.md", encoding: .utf8)
        #expect(summary.contains("at max"), "\(summary)")
    }

    /// A bound the optimum does not reach changes nothing: the fit is the unbounded one.
    @Test func anInactiveBoundLeavesTheFitAlone() throws {
        let solver = "{kind: levenberg-marquardt, jacobian: auto}"
        let free = try #require(try Self.run(parameters: "{a: 1, k: 0.1, c: 0}", solver: solver, rows: Self.decayRows, step: 0.5).record.fit)
        let bounded = try #require(try Self.run(
            parameters: "{a: {initial: 1, min: -100, max: 100}, k: {initial: 0.1, min: 0}, c: {initial: 0, max: 5}}",
            solver: solver, rows: Self.decayRows, step: 0.5).record.fit)
        for j in 0..<3 { #expect(Self.agree(bounded.parameters[j], free.parameters[j], digits: 9), "\(bounded.parameters) \(free.parameters)") }
        #expect(bounded.boundsActive == [nil, nil, nil])
        #expect(bounded.standardErrors.map { $0.allSatisfy { $0 > 0 } } == true)
    }

    /// Each loss on data with three outliers: parameters, robust cost and standard errors as
    /// SciPy's trf with the same loss and f_scale.
    @Test(arguments: robust) func aRobustLossMatchesSciPy(_ reference: Reference) throws {
        let record = try Self.run(
            parameters: "{a: 2, k: 0.2, c: 0.5}",
            solver: "{kind: levenberg-marquardt, jacobian: auto, loss: \(reference.loss), loss-scale: 0.1}",
            rows: Self.outlierRows, step: 0.3).record
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        for j in 0..<3 { #expect(Self.agree(fit.parameters[j], reference.parameters[j], digits: 6), "\(reference): \(fit.parameters)") }
        #expect(Self.agree(fit.finalCost, reference.cost, digits: 9), "\(reference): \(fit.finalCost)")
        let errors = try #require(fit.standardErrors)
        for j in 0..<3 { #expect(Self.agree(errors[j], reference.errors[j], digits: 6), "\(reference): \(errors)") }
        #expect(fit.convergence?.converged == true, "\(reference): \(fit.status) \(String(describing: fit.convergence))")
        let loss = record.metrics.first { $0.name == "fit.loss" }?.value.stringValue
        #expect(loss == (reference.loss == "linear" ? nil : "\(reference.loss) (C = 0.1)"), "\(String(describing: loss))")
    }

    /// The outliers pull the least-squares fit away; every robust loss lands nearer the clean
    /// curve (a = 2.5, k = 0.3, c = 0.7) than linear does.
    @Test func robustLossesResistTheOutliers() {
        let truth = [2.5, 0.3, 0.7]
        func distance(_ p: [Double]) -> Double { zip(p, truth).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) }
        let linear = distance(Self.robust[0].parameters)
        for reference in Self.robust.dropFirst() { #expect(distance(reference.parameters) < linear / 10, "\(reference)") }
    }

    @Test func badBoundsAndLossesAreRejectedWithTheField() throws {
        let cases: [(parameters: String, solver: String, expected: [String])] = [
            ("{a: {initial: 1, min: 2}, k: 0.1, c: 0}", "{kind: levenberg-marquardt}", ["outside [min, max]", "a"]),
            ("{a: {initial: 1, min: 3, max: 2}, k: 0.1, c: 0}", "{kind: levenberg-marquardt}", ["min must be below max"]),
            ("{a: 1, k: 0.1, c: 0}", "{kind: levenberg-marquardt, loss: tukey}", ["loss", "soft-l1"]),
            ("{a: 1, k: 0.1, c: 0}", "{kind: levenberg-marquardt, loss: huber, loss-scale: 0}", ["loss-scale", "positive"]),
            ("{a: 1, k: 0.1, c: 0}", "{kind: gauss-newton, loss: huber}", ["loss", "levenberg-marquardt"]),
        ]
        for item in cases {
            #expect {
                _ = try Self.run(parameters: item.parameters, solver: item.solver, rows: Self.decayRows, step: 0.5)
            } throws: { error in
                item.expected.allSatisfy { "\(error)".contains($0) }
            }
        }
    }

    /// A solver without bounds refuses them instead of ignoring them.
    @Test func aSolverWithoutBoundsReportsAnInvalidProblem() throws {
        let record = try Self.run(
            parameters: "{a: 1, k: {initial: 0.1, min: 0}, c: 0}", solver: "{kind: gauss-newton}", rows: Self.decayRows, step: 0.5).record
        #expect(record.fit?.status == "invalid-problem", "\(String(describing: record.fit?.status)) \(record.error ?? "")")
    }
}
