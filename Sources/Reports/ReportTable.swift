/// A table for report.html and summary.md: titled columns and rows of text cells, where a
/// column may colour its cells by their numeric value (e.g. NIST LRE digits, 0 red → 11 green).
public struct ReportTable: Sendable, Hashable {
    /// Horizontal alignment of a column.
    public enum Alignment: String, Sendable, Hashable {
        /// Text columns.
        case left
        /// Short flags and categories.
        case center
        /// Numbers, so digits line up.
        case right
    }

    /// One column.
    public struct Column: Sendable, Hashable {
        /// Header text.
        public var title: String
        /// Alignment of header and cells (numbers: `.right`).
        public var alignment: Alignment
        /// When set, cells of this column with a finite `value` get a background from it
        /// in HTML (Markdown shows the text only).
        public var colourScale: ColourScale?

        /// A column; see the properties.
        public init(_ title: String, alignment: Alignment = .left, colourScale: ColourScale? = nil) {
            self.title = title
            self.alignment = alignment
            self.colourScale = colourScale
        }
    }

    /// One cell: the text shown and, optionally, the number it stands for.
    public struct Cell: Sendable, Hashable, ExpressibleByStringLiteral {
        /// Shown text.
        public var text: String
        /// The number behind the text, used by a column's colour scale; nil for none.
        public var value: Double?

        /// A cell showing `text`, coloured by `value` where the column has a scale.
        public init(_ text: String, value: Double? = nil) {
            self.text = text
            self.value = value
        }

        /// A text cell.
        public init(stringLiteral text: String) {
            self.init(text)
        }

        /// A cell showing `value` in `format` and carrying it for colouring.
        public static func number(_ value: Double, format: ValueFormat = .automatic) -> Cell {
            Cell(format.string(value), value: value)
        }
    }

    /// Columns, left to right.
    public var columns: [Column]
    /// Rows of cells; a short row is padded with empty cells, extra cells are ignored.
    public var rows: [[Cell]]
    /// Text shown above the table (HTML caption; a line before the table in Markdown).
    public var caption: String?

    /// A table; see the properties.
    public init(columns: [Column], rows: [[Cell]], caption: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.caption = caption
    }

    /// The cell at (row, column), empty where the row is short.
    func cell(row: Int, column: Int) -> Cell {
        column < rows[row].count ? rows[row][column] : Cell("")
    }
}
