import Foundation
import Testing
@testable import Pipeline

/// Several targets in one fit: a formula per target column sharing named parameters, and a
/// network with several outputs on `function` data with one formula per output.
@Suite struct SeveralTargetsTests {
    /// y1 = 3·exp(−0.5t) + δ, y2 = 3·exp(−t) + 0.4 − δ reversed (scripts/fit_references.py).
    static let csv = """
        t,y1,y2
        0.0,3.02,3.4099999999999997
        0.4,2.446192259233946,2.3909601381069177
        0.8,2.0409601381069176,1.7379868923516646
        1.2000000000000002,1.626434908282079,1.323582635736606
        1.6,1.3479868923516647,1.005689553983966
        2.0,1.113638323514327,0.7960058497098381
        2.4000000000000004,0.8735826357366061,0.6821538598682375
        2.8000000000000003,0.7597908918248193,0.5624301878756539
        3.2,0.5956895539839662,0.5522866119350986
        3.6,0.5058966646647596,0.4719711673418777
        4.0,0.4060058497098381,0.45494691666620257
        4.4,0.31240947508700156,0.45683201970920534
        4.800000000000001,0.28215385986823743,0.39468924114706005
        5.2,0.2428207346430016,0.42654969326228237
        5.6000000000000005,0.17243018787565384,0.3910935911494488

        """

    static func run(_ manifestText: String) throws -> (record: CaseRecord, bundle: String) {
        let manifest = try writeManifest(manifestText)
        try csv.write(toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/two.csv", atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(path: manifest, registry: .standard)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        return (try #require(outcome.records.first), outcome.bundlePath)
    }

    static func agree(_ a: Double, _ b: Double, digits: Double) -> Bool { abs(a - b) <= pow(10, -digits) * abs(b) }

    /// Both formulas share a and k; SciPy's least_squares(method="lm") on the stacked residuals
    /// gives the reference (scripts/fit_references.py): parameters, cost and standard errors.
    @Test func twoFormulasShareTheirParametersAsSciPyFitsThem() throws {
        let (record, bundle) = try Self.run("""
            name: two
            seed: 1
            data: {kind: csv, file: two.csv, inputs: [t], targets: [y1, y2]}
            model: {kind: formula, formula: ["y1 = a*exp(-k*t)", "y2 = a*exp(-2*k*t) + c"], parameters: {a: 1, k: 0.1, c: 0}}
            solver: {kind: levenberg-marquardt, jacobian: auto}
            evaluation: [{kind: fit}]
            """)
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        // fit.csv: one row per sample and target, named; the report draws both targets.
        let curve = try String(contentsOfFile: "\(bundle)/cases/\(record.id)/fit.csv", encoding: .utf8).split(separator: "\n")
        #expect(curve.first == "input,target,observed,fitted,residual" && curve.count == 31, "\(curve.prefix(3))")
        #expect(curve[1].hasPrefix("0.0,y1,3.02,") && curve[2].hasPrefix("0.0,y2,3.4099999999999997,"), "\(curve.prefix(3))")
        let html = try String(contentsOfFile: bundle + "/report.html", encoding: .utf8)
        for series in ["y1 observed", "y1 fitted", "y2 observed", "y2 fitted", "y2 residual"] {
            #expect(html.contains("series \(series)"), "\(series)")
        }
        let expected = [3.0073812153716952, 0.501277661844536, 0.3984123510710257]
        for j in 0..<3 { #expect(Self.agree(fit.parameters[j], expected[j], digits: 8), "\(fit.parameters)") }
        #expect(Self.agree(fit.finalCost, 0.0043048931761083065, digits: 10), "\(fit.finalCost)")
        let errors = try #require(fit.standardErrors)
        let expectedErrors = [0.010324424522207965, 0.0029964202234964966, 0.0052377772138675945]
        for j in 0..<3 { #expect(Self.agree(errors[j], expectedErrors[j], digits: 7), "\(errors)") }
        #expect(fit.convergence?.converged == true)
        #expect(fit.convergence?.freeParameters == 3)
    }

    /// Every exact strategy gives the interleaved map's Jacobian alike (rows s·2 + d).
    @Test func everyExactStrategyAgreesOnTheInterleavedJacobian() throws {
        let record = try Self.run("""
            name: two-jacobians
            seed: 1
            data: {kind: csv, file: two.csv, inputs: [t], targets: [y1, y2]}
            model: {kind: formula, formula: ["y1 = a*exp(-k*t)", "y2 = a*exp(-2*k*t) + c"], parameters: {a: 1.5, k: 0.3, c: 0.2}}
            jacobian: {strategies: [per-sample, forward-vectorized, reverse-vectorized, forward-loop, reverse-loop, complex-step, central-difference]}
            evaluation: [{kind: jacobian-accuracy}]
            """).record
        #expect(record.status == .ok, "\(record.error ?? "")")
        let errors = record.metrics.filter { $0.name.hasSuffix("rel_error") }
        #expect(errors.count >= 6, "\(record.metrics.map(\.name))")
        for metric in errors where !metric.name.contains("difference") {
            #expect((metric.value.numberValue ?? .nan) <= 1e-13, "\(metric.name) = \(metric.value)")
        }
    }

    @Test func formulasAndTargetsMustMatch() throws {
        for (formula, expected) in [
            ("[\"y1 = a*exp(-k*t)\"]", "1 formula(s) for 2 target column(s)"),
            ("[\"y2 = a*exp(-k*t)\", \"y1 = a*exp(-2*k*t) + c\"]", "target column 1 is 'y1'"),
            ("[\"y1 = a*exp(-k*t)\", \"y2 = a*exp(-2*k*t)\"]", "declared but not used in the formulas: c"),
        ] {
            let record = try Self.run("""
                name: bad
                seed: 1
                data: {kind: csv, file: two.csv, inputs: [t], targets: [y1, y2]}
                model: {kind: formula, formula: \(formula), parameters: {a: 1, k: 0.1, c: 0}}
                evaluation: [{kind: fit}]
                """).record
            #expect(record.status == .failed && (record.error ?? "").contains(expected), "\(record.error ?? "")")
        }
        #expect {
            _ = try Self.run("""
                name: bad
                data: {kind: csv, file: two.csv, inputs: [t], targets: [y1, y2]}
                model: {kind: formula, formula: ["y1 = b1*exp(-b2*t)", "y2 = b1*t"], initial: [1, 1]}
                """)
        } throws: { error in "\(error)".contains("declare them in model.parameters") }
    }

    /// A network with two outputs fitted to function data with two formulas: one fit of 2·S
    /// residuals that reaches the noise floor.
    @Test func aTwoOutputNetworkFitsTwoFormulas() throws {
        let record = try Self.run("""
            name: two-outputs
            seed: 3
            data: {kind: function, formula: ["u = sin(x)", "v = x*x/4"], axes: [{name: x, lower: -2, upper: 2}], samples: 64, noise: 0.001}
            model: {kind: mlp, layers: [1, 12, 2], activation: tanh}
            solver: {kind: levenberg-marquardt, jacobian: auto, max-iterations: 400}
            evaluation: [{kind: fit}]
            """).record
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        // ½·M·σ² = ½·128·1e-6 = 6.4e-5 at the noise floor; a network fitting both functions gets near it.
        #expect(fit.finalCost < 1e-3, "\(fit.finalCost) \(fit.status)")
        let residuals = try #require(record.metrics.first { $0.name == "fit.residuals" }?.value.numberValue)
        #expect(residuals == 128, "one residual per sample and output")
        let rmse = try #require(record.metrics.first { $0.name == "fit.train_rmse" }?.value.numberValue)
        #expect(rmse < 0.005, "\(rmse)")
    }
}
