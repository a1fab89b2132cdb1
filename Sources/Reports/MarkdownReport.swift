/// Writes a `ReportDocument` as Markdown (summary.md): the same title, metadata, text and
/// tables as report.html; each chart is replaced by a line naming it, since the figures
/// live in report.html.
public enum MarkdownReport {
    /// The document as Markdown, ending with one newline.
    public static func render(_ document: ReportDocument) -> String {
        var parts: [String] = ["# " + document.title]
        if !document.metadata.isEmpty {
            parts.append(document.metadata.map { "- **\($0.key)**: \($0.value)" }.joined(separator: "\n"))
        }
        for section in document.sections {
            parts.append("## " + section.title)
            for block in section.blocks {
                switch block {
                case .paragraph(let text):
                    parts.append(text)
                case .table(let table):
                    let rendered = MarkdownTable(table).text.trimmingSuffixNewlines
                    parts.append(table.caption.map { "*\($0)*\n\n" + rendered } ?? rendered)
                case .chart(let chart, let caption):
                    parts.append("*Chart in report.html: \(chart.title)" + (caption.map { " — " + $0 } ?? "") + "*")
                case .preformatted(let text):
                    parts.append("```\n" + text.trimmingSuffixNewlines + "\n```")
                case .list(let items):
                    parts.append(items.map { "- " + $0 }.joined(separator: "\n"))
                }
            }
        }
        return parts.joined(separator: "\n\n") + "\n"
    }
}

extension String {
    /// The string without trailing newlines.
    var trimmingSuffixNewlines: String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
