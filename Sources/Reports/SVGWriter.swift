/// Accumulates SVG elements into one string, with every number written by `SVGNumber`
/// and every text escaped, so the output is deterministic and well-formed XML.
struct SVGWriter {
    /// Horizontal anchoring of a text element.
    enum TextAnchor: String {
        case start, middle, end
    }

    /// The element markup written so far (without the enclosing `<svg>`).
    private(set) var body = ""

    init() {
        body.reserveCapacity(16_384)
    }

    private static func n(_ value: Double) -> String { SVGNumber.format(value) }

    /// `<rect>`; `stroke` nil means no outline.
    mutating func rectangle(
        x: Double, y: Double, width: Double, height: Double, fill: Colour?,
        stroke: Colour? = nil, strokeWidth: Double = 1, opacity: Double? = nil
    ) {
        body += "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(width, 0)))\" height=\"\(Self.n(max(height, 0)))\""
        body += " fill=\"\(fill?.hex ?? "none")\""
        if let stroke {
            body += " stroke=\"\(stroke.hex)\" stroke-width=\"\(Self.n(strokeWidth))\""
        }
        if let opacity { body += " fill-opacity=\"\(Self.n(opacity))\"" }
        body += "/>\n"
    }

    /// `<line>` with an optional dash pattern such as `"4 3"`.
    mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: Colour,
        width: Double = 1, dash: String? = nil
    ) {
        body += "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\""
        body += " stroke=\"\(stroke.hex)\" stroke-width=\"\(Self.n(width))\""
        if let dash { body += " stroke-dasharray=\"\(Self.sanitised(dash))\"" }
        body += "/>\n"
    }

    /// A dash pattern reduced to the characters a dash array may contain.
    private static func sanitised(_ dash: String) -> String {
        String(dash.filter { $0.isNumber || $0 == " " || $0 == "," || $0 == "." })
    }

    /// `<path>` through `runs` of points: each run starts a new subpath (`M`), so gaps in a
    /// series stay gaps. Runs of fewer than two points are left out.
    mutating func polyline(runs: [[(x: Double, y: Double)]], stroke: Colour, width: Double = 1.75, dash: String? = nil) {
        var d = ""
        for run in runs where run.count >= 2 {
            for (index, point) in run.enumerated() {
                if !d.isEmpty { d += " " }
                d += (index == 0 ? "M" : "L") + Self.n(point.x) + " " + Self.n(point.y)
            }
        }
        guard !d.isEmpty else { return }
        body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(stroke.hex)\" stroke-width=\"\(Self.n(width))\""
        body += " stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let dash { body += " stroke-dasharray=\"\(Self.sanitised(dash))\"" }
        body += "/>\n"
    }

    /// A marker of `shape` centred at (x, y), `size` pixels across, filled with `colour`
    /// and outlined in white so overlapping markers stay distinct.
    mutating func marker(_ shape: MarkerShape, x: Double, y: Double, size: Double, colour: Colour) {
        let r = size / 2
        let outline = " fill=\"\(colour.hex)\" stroke=\"#ffffff\" stroke-width=\"0.75\"/>\n"
        switch shape {
        case .none:
            return
        case .circle:
            body += "<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(r))\"" + outline
        case .square:
            let s = r * 0.9
            body += "<rect x=\"\(Self.n(x - s))\" y=\"\(Self.n(y - s))\" width=\"\(Self.n(2 * s))\" height=\"\(Self.n(2 * s))\"" + outline
        case .triangle, .invertedTriangle:
            let h = r * 1.15
            let tip = shape == .triangle ? -h : h
            let d = "M\(Self.n(x)) \(Self.n(y + tip)) L\(Self.n(x + h)) \(Self.n(y - tip * 0.8)) L\(Self.n(x - h)) \(Self.n(y - tip * 0.8)) Z"
            body += "<path d=\"\(d)\"" + outline
        case .diamond:
            let h = r * 1.25
            body += "<path d=\"M\(Self.n(x)) \(Self.n(y - h)) L\(Self.n(x + h)) \(Self.n(y)) L\(Self.n(x)) \(Self.n(y + h)) L\(Self.n(x - h)) \(Self.n(y)) Z\"" + outline
        }
    }

    /// `<text>` with its baseline placed so the glyphs are vertically centred on `y`
    /// (baseline = y + 0.35·fontSize; `dominant-baseline` is not honoured everywhere).
    /// `halo` outlines the glyphs in white (painted under the fill) so text stays legible
    /// where it crosses lines.
    mutating func text(
        _ content: String, x: Double, y: Double, fontSize: Double, anchor: TextAnchor = .start,
        fill: Colour = .ink, bold: Bool = false, italic: Bool = false, rotation: Double? = nil, halo: Bool = false
    ) {
        let baseline = y + 0.35 * fontSize
        body += "<text x=\"\(Self.n(x))\" y=\"\(Self.n(baseline))\" font-size=\"\(Self.n(fontSize))\""
        if anchor != .start { body += " text-anchor=\"\(anchor.rawValue)\"" }
        if fill != .ink { body += " fill=\"\(fill.hex)\"" }
        if bold { body += " font-weight=\"bold\"" }
        if italic { body += " font-style=\"italic\"" }
        if halo { body += " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"" }
        if let rotation {
            body += " transform=\"rotate(\(Self.n(rotation)) \(Self.n(x)) \(Self.n(y)))\""
        }
        body += ">\(content.xmlEscaped)</text>\n"
    }

    /// Opens a `<g>` with an accessible label (for screen readers and for tests to find
    /// parts of a chart); close it with `endGroup()`.
    mutating func beginGroup(label: String) {
        body += "<g aria-label=\"\(label.xmlEscaped)\">\n"
    }

    /// Closes the innermost `<g>`.
    mutating func endGroup() {
        body += "</g>\n"
    }

    /// The complete `<svg>` element, `width × height` pixels, with `title` as its
    /// accessible name. `standalone` adds the SVG namespace, needed for a `.svg` file but
    /// not for SVG inlined in HTML.
    func document(width: Double, height: Double, title: String, standalone: Bool) -> String {
        var svg = "<svg"
        if standalone { svg += " xmlns=\"http://www.w3.org/2000/svg\"" }
        svg += " width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\""
        svg += " role=\"img\" font-family=\"\(ChartStyle.fontFamily)\" fill=\"\(Colour.ink.hex)\">\n"
        svg += "<title>\(title.xmlEscaped)</title>\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += body
        svg += "</svg>\n"
        return svg
    }
}
