import Foundation
import JSONDocuments
import Testing
@testable import Pipeline
import Reports

/// report.html and summary.md from one document built from a bundle's data: the sections
/// present follow the data, the HTML is self-contained, and the numbers are the bundle's.
@Suite struct BundleReportTests {
    /// A timed case: N, M and each strategy's (forward units, median µs).
    func timedCase(_ id: String, n: Int, m: Int, timings: [(String, Double, Double)], autoChoice: String) -> JSONValue {
        var metrics: [String: JSONValue] = ["jacobian.columns": .integer(n), "jacobian.rows": .integer(m)]
        for (name, units, median) in timings {
            metrics["jacobian.\(name).forward_units"] = .number(String(units))
            metrics["jacobian.\(name).median_us"] = .number(String(median))
        }
        metrics["jacobian.auto.choice"] = .string(autoChoice)
        metrics["jacobian.swift-autodiff.not_applicable"] = .string("no differentiable form")
        return .object(["id": .string(id), "sweep": .object(["model.layers": .string(id)]), "seed": .integer(1),
                        "status": .string("ok"), "error": .null, "metrics": .object(metrics)])
    }

    func summary(_ cases: [JSONValue]) -> JSONValue {
        .object(["schema": .integer(1), "experiment": .string("grid"), "run": .string("r1"), "complete": .bool(true),
                 "metric_kinds": .object([:]), "cases": .array(cases)])
    }

    var crossoverInputs: BundleReport.Inputs {
        let small = timedCase("small", n: 12, m: 576, timings: [
            ("forward-vectorized", 2, 10), ("reverse-loop", 40, 200), ("central-difference", 1.5, 7.5), ("auto", 2, 10),
        ], autoChoice: "forward-vectorized")
        let wide = timedCase("wide", n: 579, m: 12, timings: [
            ("forward-vectorized", 30, 600), ("reverse-loop", 5, 100), ("central-difference", 20, 400), ("auto", 10, 200),
        ], autoChoice: "forward-vectorized")
        return BundleReport.Inputs(
            summary: summary([small, wide]), description: "Two cells.",
            environment: .object(["cpu_model": .string("Test CPU 9000"), "host": .string("box"), "blas": .string("OpenBLAS x"), "blas_threads": .integer(1)]))
    }

    @Test func timingAndCrossoverSectionsComeFromTheMetrics() {
        let document = BundleReport.document(crossoverInputs)
        let html = HTMLReport.render(document)
        #expect(!html.contains("<script"))
        #expect(!html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"))
        #expect(html.contains("Test CPU 9000 (box)"))
        #expect(document.sections.map(\.title) == ["Cases", "Jacobian time per strategy", "Crossover", "Metrics"])
        let markdown = MarkdownReport.render(document)
        // central-difference is faster but inexact: the winners are forward-vectorized (small) and reverse-loop (wide).
        #expect(markdown.contains("`auto` within 10% of the measured best in 1 of 2 cells; worst ratio 2×."))
        #expect(markdown.contains("| small | ok"))
        // The per-case table lists strategies fastest first, in forward-pass units and µs.
        let row = markdown.split(separator: "\n").first { $0.hasPrefix("| central-difference ") && $0.contains("7.5 µs") }
        #expect(row?.contains("1.5× | 7.5 µs |") == true, "\(markdown)")
        #expect(markdown.contains("not applicable: no differentiable form"))
        #expect(html.contains("Fastest strategy per (N, M)"))
        #expect(html.contains("Jacobian time against parameters N") == false) // one M per N: no line of two points
    }

    /// The crossover map as a text table (rows M, columns N): winners with auto's score, and
    /// a skipped cell with its reason in the skipped-cells table.
    @Test func crossoverTableNamesWinnersAndSkippedCells() throws {
        var inputs = crossoverInputs
        let skipped: JSONValue = .object([
            "id": .string("huge"), "sweep": .object([:]), "seed": .integer(3), "status": .string("skipped"),
            "error": .string("predicted peak 1.2 GiB > memory-cap 1.0 GiB"),
            "metrics": .object(["jacobian.columns": .integer(579), "jacobian.rows": .integer(576)]),
        ])
        inputs.summary = summary((inputs.summary["cases"]?.arrayValue ?? []) + [skipped])
        let markdown = MarkdownReport.render(BundleReport.document(inputs))
        let lines = markdown.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("| M \\ N") })
        #expect(header.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } == ["M \\ N", "12", "579"])
        let row576 = try #require(lines.first { $0.hasPrefix("| 576 ") })
        #expect(row576.contains("forward-vectorized, auto ✓") && row576.contains("skipped"))
        let row12 = try #require(lines.first { $0.hasPrefix("| 12 ") })
        #expect(row12.contains("reverse-loop, auto 2×"))
        let skippedRow = try #require(lines.first { $0.hasPrefix("| huge ") && $0.contains("| 579 | 576 |") })
        #expect(skippedRow.contains("predicted peak 1.2 GiB > memory-cap 1.0 GiB"))
        #expect(lines.contains { $0.hasPrefix("| huge ") && $0.contains("| skipped (predicted peak 1.2 GiB > memory-cap 1.0 GiB) |") })
        #expect(HTMLReport.render(BundleReport.document(inputs)).contains(">skipped<"))
    }

    @Test func timePerIterationTableSplitsJacobianAndSolve() {
        func fitted(_ id: String, n: Int, jacobian: Double, solve: Double) -> JSONValue {
            .object(["id": .string(id), "sweep": .object([:]), "seed": .integer(1), "status": .string("ok"), "error": .null,
                     "metrics": .object([
                        "fit.iterations": .integer(50), "fit.parameters": .integer(n), "fit.residuals": .integer(768),
                        "fit.jacobian_us_per_iteration": .number(String(jacobian)), "fit.linear_solve_us_per_iteration": .number(String(solve)),
                        "fit.jacobian_strategy": .string("auto → per-sample"), "memory.peak_bytes": .number("229000000"),
                     ])])
        }
        let inputs = BundleReport.Inputs(summary: summary([fitted("small", n: 111, jacobian: 842, solve: 2270), fitted("big", n: 1731, jacobian: 13600, solve: 3.7e6)]), description: "")
        let document = BundleReport.document(inputs)
        #expect(document.sections.map(\.title).contains("Time per iteration"))
        let markdown = MarkdownReport.render(document)
        let row = markdown.split(separator: "\n").first { $0.hasPrefix("| big ") && $0.contains("1731") }
        #expect(row?.contains("| 768 |") == true && row?.contains("13.6 ms") == true && row?.contains("3.7 s") == true && row?.contains("218.4 MiB") == true, "\(markdown)")
    }

    @Test func scalingLinesAppearWithTwoSizesAlongAnAxis() {
        var inputs = crossoverInputs
        let cases = (inputs.summary["cases"]?.arrayValue ?? []) + [
            timedCase("mid", n: 579, m: 576, timings: [("forward-vectorized", 8, 300), ("reverse-loop", 50, 900)], autoChoice: "forward-vectorized"),
        ]
        inputs.summary = summary(cases)
        let html = HTMLReport.render(BundleReport.document(inputs))
        #expect(html.contains("Jacobian time against parameters N"))
        #expect(html.contains("Jacobian time against residuals M"))
        #expect(html.contains("slope 2"))
    }

    @Test func nistTableIsColouredByDigitsAndConvergenceNeedsATrace() {
        let metrics: [String: JSONValue] = [
            "nist.lre_min": .number("11.0"), "nist.lre_ssr": .number("0.0"), "fit.status": .string("converged"), "fit.iterations": .integer(7),
        ]
        let item: JSONValue = .object(["id": .string("Misra1a"), "sweep": .object([:]), "seed": .integer(1), "status": .string("ok"),
                                       "error": .null, "metrics": .object(metrics)])
        let without = BundleReport.document(BundleReport.Inputs(summary: summary([item]), description: ""))
        #expect(without.sections.map(\.title) == ["Cases", "NIST: LRE", "Metrics"])
        let html = HTMLReport.render(without)
        #expect(html.contains("background:#1a9641"))  // 11 digits: green end
        #expect(html.contains("background:#d7191c"))  // 0 digits: red end
        let trace = "iteration,cost,damping,step_norm,gradient_norm,accepted,elapsed_seconds\n0,10,1,0,1,1,0\n1,1,1,1,1,1,0.001\n2,0.1,1,1,1,1,0.002\n"
        let with = BundleReport.document(BundleReport.Inputs(summary: summary([item]), description: "", traces: ["Misra1a": trace]))
        #expect(with.sections.map(\.title) == ["Cases", "Convergence", "NIST: LRE", "Metrics"])
        let withHTML = HTMLReport.render(with)
        #expect(withHTML.contains("Cost against iteration") && withHTML.contains("Cost against time"))
    }

    @Test func aRunWritesReportHTMLAndSummaryFromTheSameDocument() throws {
        let manifest = """
            name: line-report
            description: A line for the report.
            data: {kind: line, samples: 4, slope: 3.0}
            model: {kind: line}
            solver: {kind: exact-line, max-iterations: 2}
            evaluation:
              - {kind: probe}
            """
        let plan = try ExperimentPlan.load(path: try writeManifest(manifest), registry: .testing)
        let outcome = try ExperimentRunner(plan: plan, cancellation: CancellationFlag()).run(resultsDirectory: try temporaryDirectory())
        let html = try String(contentsOfFile: outcome.bundlePath + "/report.html", encoding: .utf8)
        let markdown = try String(contentsOfFile: outcome.bundlePath + "/summary.md", encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && !html.contains("<script"))
        #expect(html.contains("A line for the report.") && markdown.contains("A line for the report."))
        #expect(html.contains("Cost against iteration") && html.contains("probe.parameter"))
        #expect(markdown.contains("## Convergence") && markdown.contains("## Metrics"))
        // Regenerating from the files gives the same text.
        try FileManager.default.removeItem(atPath: outcome.bundlePath + "/report.html")
        try BundleReport.write(bundlePath: outcome.bundlePath)
        #expect(try String(contentsOfFile: outcome.bundlePath + "/report.html", encoding: .utf8) == html)
        #expect(try String(contentsOfFile: outcome.bundlePath + "/summary.md", encoding: .utf8) == markdown)
    }

    @Test func aFolderWithoutSummaryIsNotABundle() throws {
        #expect(throws: BundleError.self) { try BundleReport.write(bundlePath: try temporaryDirectory()) }
    }
}
