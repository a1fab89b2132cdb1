/// A report as data: title, metadata, and sections of paragraphs, tables and charts.
///
/// The pipeline builds one from a bundle's summary data; `HTMLReport.render` writes
/// report.html and `MarkdownReport.render` summary.md from the same value, so the two never
/// disagree.
public struct ReportDocument: Sendable {
    /// One key–value line of the report header ("experiment", "run", "machine", ...).
    public struct Metadata: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The value.
        public var value: String

        /// A metadata line.
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Page heading and HTML `<title>`.
    public var title: String
    /// Header lines, in order.
    public var metadata: [Metadata]
    /// Body sections, in order.
    public var sections: [ReportSection]

    /// A document; see the properties.
    public init(title: String, metadata: [Metadata] = [], sections: [ReportSection] = []) {
        self.title = title
        self.metadata = metadata
        self.sections = sections
    }
}

/// A titled part of a report.
public struct ReportSection: Sendable {
    /// Section heading.
    public var title: String
    /// Content in order.
    public var blocks: [ReportBlock]

    /// A section; see the properties.
    public init(_ title: String, blocks: [ReportBlock] = []) {
        self.title = title
        self.blocks = blocks
    }

    /// Anchor id for links: the title lower-cased, runs of other characters than ASCII
    /// letters and digits replaced by one `-` ("NIST: LRE" → "nist-lre").
    public var anchor: String {
        var slug = ""
        for character in title.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                slug.append(character)
            } else if !slug.isEmpty && !slug.hasSuffix("-") {
                slug.append("-")
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return slug.isEmpty ? "section" : slug
    }
}

/// One piece of section content.
public enum ReportBlock: Sendable {
    /// Plain text; `code` spans in backquotes are shown in monospace.
    case paragraph(String)
    /// A table.
    case table(ReportTable)
    /// A chart with an optional caption under it.
    case chart(any SVGChart, caption: String?)
    /// Preformatted monospace text (a command to reproduce, a log excerpt).
    case preformatted(String)
    /// A bulleted list of plain-text items (with `code` spans).
    case list([String])
}
