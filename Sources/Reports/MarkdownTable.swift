/// A GitHub-flavoured Markdown table with columns padded to equal width, so it reads as a
/// table in a terminal too.
///
/// `|` in cells is escaped as `\|` and line breaks become spaces. Widths count characters
/// (extended grapheme clusters), which matches a terminal for the text this project writes.
public struct MarkdownTable: Sendable, Hashable {
    /// The table rendered.
    public let table: ReportTable

    /// The Markdown form of `table`.
    public init(_ table: ReportTable) {
        self.table = table
    }

    private static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "|": escaped += "\\|"
            case "\n", "\r\n", "\r": escaped += " "
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// The table text, one line per row, ending with a newline. Alignment row: `:---`,
    /// `:---:`, `---:`; each column at least three characters wide.
    public var text: String {
        let columns = table.columns
        guard !columns.isEmpty else { return "" }
        let header = columns.map { Self.escape($0.title) }
        let body = table.rows.indices.map { row in
            columns.indices.map { Self.escape(table.cell(row: row, column: $0).text) }
        }
        var widths = header.map { max(3, $0.count) }
        for row in body {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func pad(_ text: String, _ index: Int) -> String {
            let space = String(repeating: " ", count: widths[index] - text.count)
            switch columns[index].alignment {
            case .left: return text + space
            case .right: return space + text
            case .center:
                let half = (widths[index] - text.count) / 2
                return String(repeating: " ", count: half) + text + String(repeating: " ", count: widths[index] - text.count - half)
            }
        }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { pad($0.element, $0.offset) }.joined(separator: " | ") + " |\n"
        }
        let rule = columns.enumerated().map { index, column -> String in
            let width = widths[index]
            switch column.alignment {
            case .left: return ":" + String(repeating: "-", count: width - 1)
            case .center: return ":" + String(repeating: "-", count: width - 2) + ":"
            case .right: return String(repeating: "-", count: width - 1) + ":"
            }
        }
        var text = line(header)
        text += "| " + rule.joined(separator: " | ") + " |\n"
        for row in body { text += line(row) }
        return text
    }
}
