/// Fonts, sizes and neutral colours shared by every chart, so charts in one report match.
enum ChartStyle {
    /// Sans-serif stack; DejaVu Sans is what Debian renders, and what `TextMetrics` measures.
    static let fontFamily = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, DejaVu Sans, sans-serif"
    static let titleSize = 15.0
    static let subtitleSize = 12.0
    static let axisTitleSize = 12.0
    static let tickLabelSize = 11.0
    static let legendSize = 11.5
    static let valueLabelSize = 11.0
    /// Outer margin around everything.
    static let margin = 14.0
    static let axisColour = Colour(red: 0x55, green: 0x55, blue: 0x55)
    static let mutedText = Colour(red: 0x5f, green: 0x5f, blue: 0x5f)
    static let gridColour = Colour(red: 0xe3, green: 0xe3, blue: 0xe3)
    static let minorGridColour = Colour(red: 0xf1, green: 0xf1, blue: 0xf1)
    static let referenceColour = Colour(red: 0x77, green: 0x77, blue: 0x77)
    static let missingFill = Colour(red: 0xee, green: 0xee, blue: 0xee)
}

/// The symbol drawn at each data point of a line series.
public enum MarkerShape: String, Sendable, Hashable, CaseIterable {
    /// No marker.
    case none
    /// A filled circle.
    case circle
    /// A filled square.
    case square
    /// A triangle pointing up.
    case triangle
    /// A square turned 45°.
    case diamond
    /// A triangle pointing down.
    case invertedTriangle

    /// The shape of the series at `index`, cycling through the visible shapes so that series
    /// differ by shape as well as colour.
    public static func shape(at index: Int) -> MarkerShape {
        let shapes: [MarkerShape] = [.circle, .square, .triangle, .diamond, .invertedTriangle]
        return shapes[((index % shapes.count) + shapes.count) % shapes.count]
    }
}

/// A chart that can be written as SVG.
public protocol SVGChart: Sendable {
    /// The chart's heading, also its accessible name.
    var title: String { get }

    /// The chart as an `<svg>` element. `standalone` adds the SVG namespace for a `.svg`
    /// file; HTML pages inline it without.
    func svg(standalone: Bool) -> String
}
