import Foundation
import Testing
@testable import Pipeline

/// `data.sigma` and `absolute-sigma`, against SciPy's curve_fit on the same data.
///
/// References computed once with SciPy 1.17.1 in the peers' venv:
/// `curve_fit(lambda t, a, k, c: a*np.exp(-k*t) + c, t, signal, p0=[1, 0.1, 0], sigma=err,
/// absolute_sigma=…, method='lm', xtol=1e-15, ftol=1e-15, gtol=1e-15)`; standard errors are
/// √diag of the returned covariance.
@Suite struct WeightedFitTests {
    static let csv = """
        t,signal,err
        0.0,3.23,0.1
        0.5,2.8317699410626447,0.2
        1.0,2.602045551704294,0.1
        1.5,2.254070379054433,0.3
        2.0,2.082029090235066,0.1
        2.5,1.9009163818525368,0.2
        3.0,1.6864241493514978,0.1
        3.5,1.6148443727778883,0.3
        4.0,1.4429855297805052,0.1
        4.5,1.348100651614729,0.2
        5.0,1.2778254003710745,0.1
        5.5,1.1301247715518852,0.3

        """
    static let parameters = [2.520755678960632, 0.30761252809863304, 0.7153294371408664]
    static let relativeErrors = [0.0666585723054831, 0.017451273093257166, 0.0723273536972185]
    static let absoluteErrors = [0.3182138038528433, 0.08330865485133332, 0.3452753568907255]

    func fit(sigma: String, absolute: Bool) throws -> CaseRecord { try run(sigma: sigma, absolute: absolute).record }

    func run(sigma: String, absolute: Bool) throws -> (record: CaseRecord, bundle: String) {
        let manifest = try writeManifest("""
            name: weighted
            seed: 1
            data: {kind: csv, file: weighted.csv, inputs: [t], targets: [signal], sigma: \(sigma), absolute-sigma: \(absolute)}
            model: {kind: formula, formula: "signal = a*exp(-k*t) + c", parameters: {a: 1, k: 0.1, c: 0}}
            solver: {kind: levenberg-marquardt, jacobian: auto}
            evaluation: [{kind: fit}]
            """)
        try Self.csv.write(toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/weighted.csv", atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(path: manifest, registry: .standard)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        return (try #require(outcome.records.first), outcome.bundlePath)
    }

    /// The fitted parameters by name, with standard errors and correlations, in summary.md,
    /// report.html and the case's parameters.csv.
    @Test func theBundleShowsTheParametersByName() throws {
        let (record, bundle) = try run(sigma: "err", absolute: false)
        let csv = try String(contentsOfFile: "\(bundle)/cases/\(record.id)/parameters.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first == "name,initial,value,standard_error" && lines.count == 4, "\(csv)")
        #expect(lines[1].hasPrefix("a,1.0,2.52075567") && lines[2].hasPrefix("k,0.1,0.30761252"), "\(csv)")
        let summary = try String(contentsOfFile: bundle + "/summary.md", encoding: .utf8)
        #expect(summary.contains("## Fitted parameters"), "\(summary)")
        #expect(summary.contains("| a ") && summary.contains("2.5207557") && summary.contains("0.0667"), "\(summary)")
        #expect(summary.contains("correlations of the fitted parameters"))
        let html = try String(contentsOfFile: bundle + "/report.html", encoding: .utf8)
        #expect(html.contains("Fitted parameters") && html.contains("2.5207557"))
        // One input, one target: the data with the fitted curve, and the residuals.
        let curve = try String(contentsOfFile: "\(bundle)/cases/\(record.id)/fit.csv", encoding: .utf8).split(separator: "\n")
        #expect(curve.first == "input,observed,fitted,residual" && curve.count == 13, "\(curve)")
        let first = curve[1].split(separator: ",").compactMap { Double($0) }
        #expect(first.count == 4 && first[0] == 0 && first[1] == 3.23 && abs(first[1] - first[2] - first[3]) < 1e-15, "\(first)")
        #expect(html.contains("Fit over the data") && html.contains("series observed") && html.contains("series fitted"))
        #expect(html.contains("Residuals"))
    }

    static func agree(_ a: [Double], _ b: [Double], digits: Double) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= pow(10, -digits) * abs($1) }
    }

    @Test(arguments: [false, true]) func parametersAndStandardErrorsMatchCurveFit(absolute: Bool) throws {
        let record = try fit(sigma: "err", absolute: absolute)
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        #expect(Self.agree(fit.parameters, Self.parameters, digits: 8), "\(fit.parameters)")
        let errors = try #require(fit.standardErrors)
        #expect(Self.agree(errors, absolute ? Self.absoluteErrors : Self.relativeErrors, digits: 7), "\(errors)")
    }

    /// A constant σ weighs every row alike: the parameters are the unweighted ones, and with
    /// absolute σ the standard errors scale with it.
    @Test func aConstantSigmaIsOneWeightForEveryRow() throws {
        let one = try #require(try fit(sigma: "1.0", absolute: true).fit)
        let two = try #require(try fit(sigma: "2.0", absolute: true).fit)
        #expect(Self.agree(one.parameters, two.parameters, digits: 10))
        let e1 = try #require(one.standardErrors), e2 = try #require(two.standardErrors)
        #expect(Self.agree(e2, e1.map { 2 * $0 }, digits: 10), "\(e1) \(e2)")
    }

    @Test func badSigmaSettingsAreRejectedAtValidate() throws {
        for (sigma, expected) in [("0", "sigma"), ("signal", "also an input or target"), ("-1.5", "sigma")] {
            #expect {
                let manifest = try writeManifest("""
                    name: w
                    data: {kind: csv, file: weighted.csv, inputs: [t], targets: [signal], sigma: \(sigma)}
                    model: {kind: formula, formula: "signal = a*t", parameters: {a: 1}}
                    """)
                try Self.csv.write(toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/weighted.csv", atomically: true, encoding: .utf8)
                _ = try ExperimentPlan.load(path: manifest, registry: .standard)
            } throws: { error in
                "\(error)".contains(expected) && "\(error)".contains("data.sigma")
            }
        }
    }
}

/// Several inputs: fit.csv holds the sample index, and the report draws fitted against observed.
@Suite struct SeveralInputsFitCurveTests {
    @Test func fittedAgainstObservedIsDrawn() throws {
        let manifest = try writeManifest("""
            name: plane
            seed: 1
            data: {kind: csv, file: plane.csv, inputs: [u, v], targets: [w]}
            model: {kind: formula, formula: "w = a*u + b*v", parameters: {a: 1, b: 1}}
            solver: {kind: levenberg-marquardt, jacobian: auto}
            evaluation: [{kind: fit}]
            """)
        var csv = "u,v,w\n"
        for row in 0..<8 { csv += "\(row),\(row * row % 5),\(2 * Double(row) - 0.5 * Double(row * row % 5) + (row % 2 == 0 ? 0.01 : -0.01))\n" }
        try csv.write(toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/plane.csv", atomically: true, encoding: .utf8)
        let plan = try ExperimentPlan.load(path: manifest, registry: .standard)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        let record = try #require(outcome.records.first)
        let curve = try String(contentsOfFile: "\(outcome.bundlePath)/cases/\(record.id)/fit.csv", encoding: .utf8).split(separator: "\n")
        #expect(curve.first == "sample,observed,fitted,residual" && curve.count == 9, "\(curve)")
        let html = try String(contentsOfFile: outcome.bundlePath + "/report.html", encoding: .utf8)
        #expect(html.contains("Fitted against observed") && html.contains("series fitted = observed"))
    }
}
