import Testing
@testable import Reports

/// Golden-file tests of complete chart and report output. Regenerate with
/// `JACOBENCH_RECORD_SNAPSHOTS=1 swift test --skip-build --filter ReportsTests` (see
/// `expectSnapshot`), and look at the result before committing it.
@Suite struct ChartSnapshotTests {
    @Test func strategyBarChart() {
        expectSnapshot(ChartFixtures.strategyBars.svg(standalone: true), named: "strategy-bars.svg")
    }

    @Test func groupedBarChart() {
        expectSnapshot(ChartFixtures.groupedBars.svg(standalone: true), named: "grouped-bars.svg")
    }

    @Test func logLogLineChartWithReferenceSlopes() {
        expectSnapshot(ChartFixtures.scalingLines.svg(standalone: true), named: "scaling-lines.svg")
    }

    @Test func convergenceCurves() {
        expectSnapshot(ChartFixtures.convergence.svg(standalone: true), named: "convergence.svg")
    }

    @Test func crossoverGrid() {
        expectSnapshot(ChartFixtures.crossover.svg(standalone: true), named: "crossover.svg")
    }

    @Test func htmlReport() {
        expectSnapshot(HTMLReport.render(ChartFixtures.document), named: "report.html")
    }

    @Test func markdownReport() {
        expectSnapshot(MarkdownReport.render(ChartFixtures.document), named: "summary.md")
    }

    @Test func renderingIsDeterministic() {
        #expect(ChartFixtures.scalingLines.svg(standalone: true) == ChartFixtures.scalingLines.svg(standalone: true))
        #expect(HTMLReport.render(ChartFixtures.document) == HTMLReport.render(ChartFixtures.document))
    }
}
