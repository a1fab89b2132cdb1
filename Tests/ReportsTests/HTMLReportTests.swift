import Foundation
import Testing
@testable import Reports

@Suite struct HTMLReportTests {
    let html = HTMLReport.render(ChartFixtures.document)

    @Test func pageIsSelfContained() {
        let lower = html.lowercased()
        #expect(!lower.contains("<script"))
        #expect(!lower.contains("http"), "no URL of any kind, so nothing can be fetched")
        for reference in ["src=", "<link", "@import", "url("] {
            #expect(!lower.contains(reference), "found \(reference)")
        }
    }

    @Test func pageIsWellFormedXMLWithInlineCharts() {
        let inspection = SVGInspection(html)
        #expect(inspection.parseError == nil, "\(inspection.parseError ?? "")")
        #expect(inspection.elements(named: "svg").count == 1)
        #expect(inspection.elements(named: "figcaption").count == 1)
        #expect(inspection.elements(named: "section").map { $0.attributes["id"] } == ["answer", "jacobian-timing", "nist"])
    }

    @Test func lreCellsAreColouredByTheirDigits() throws {
        let scale = ColourScale.redYellowGreen(from: 0, to: 11)
        let red = try #require(scale.colour(for: 0))
        let nearlyGreen = try #require(scale.colour(for: 9.8))
        #expect(html.contains("style=\"background:\(red.hex);color:\(red.contrastingText.hex)\">0.0</td>"))
        #expect(html.contains("style=\"background:\(nearlyGreen.hex);"))
        #expect(html.contains("<td class=\"right\">—</td>"), "a cell without a value is not coloured")
    }

    @Test func textIsEscapedAndCodeSpansAreMarkedUp() {
        #expect(html.contains("tolerance 1e-10 &amp; &quot;exact&quot; &lt;strategies&gt;"))
        #expect(html.contains("<code>forward-vectorized</code>"))
        #expect(HTMLReport.inline("a `b` c `d") == "a <code>b</code> c `d")
    }

    @Test func metadataAndContentsArePresent() {
        #expect(html.contains("<dt>machine</dt><dd>2-core x86_64, OpenBLAS 0.3, 1 thread</dd>"))
        #expect(html.contains("<a href=\"#nist\">NIST</a>"))
    }

    @Test func sectionAnchorsAreSlugsAndUnique() {
        #expect(ReportSection("NIST: LRE (digits)").anchor == "nist-lre-digits")
        #expect(ReportSection("¿?").anchor == "section")
        let page = HTMLReport.render(ReportDocument(title: "t", sections: [ReportSection("A"), ReportSection("A")]))
        #expect(page.contains("<section id=\"a\">") && page.contains("<section id=\"a-2\">"))
    }
}

@Suite struct MarkdownTableTests {
    @Test func columnsAreAlignedAndPadded() {
        let table = ReportTable(
            columns: [.init("strategy"), .init("time", alignment: .right), .init("ok", alignment: .center)],
            rows: [["forward-loop", "41×", "yes"], ["a|b", "2.44k×", "n"]]
        )
        let expected = """
            | strategy     |   time | ok  |
            | :----------- | -----: | :-: |
            | forward-loop |    41× | yes |
            | a\\|b         | 2.44k× |  n  |

            """
        #expect(MarkdownTable(table).text == expected)
    }

    @Test func shortRowsArePaddedWithEmptyCells() {
        let table = ReportTable(columns: [.init("a"), .init("b")], rows: [["1"]])
        #expect(MarkdownTable(table).text.split(separator: "\n").last == "| 1   |     |")
    }

    @Test func summaryCarriesTheSameTablesAsTheReport() {
        let markdown = MarkdownReport.render(ChartFixtures.document)
        #expect(markdown.hasPrefix("# seed-lm — the forum case\n"))
        #expect(markdown.contains("| Misra1a |"))
        #expect(markdown.contains("*Chart in report.html: Jacobian time per strategy"))
        #expect(markdown.contains("```\njacobench run experiments/nist.yaml\n```"))
    }
}
