/// Colour-blind-safe series colours.
///
/// The first seven are Okabe & Ito's palette (2008), distinguishable under the common
/// colour-vision deficiencies; then four of Paul Tol's "muted" colours and, last, Okabe-Ito
/// yellow (weak on white, so used only when eleven colours are not enough). Line charts
/// also vary marker shape and dash pattern by series, so no reading relies on colour alone.
public enum ChartPalette {
    /// The palette in the order series receive it.
    public static let colours: [Colour] = [
        "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#000000",
        "#882255", "#999933", "#332288", "#44aa99", "#f0e442",
    ].compactMap { Colour(hex: $0) }

    /// The colour of the series at `index`, cycling after the last.
    public static func colour(at index: Int) -> Colour {
        colours[((index % colours.count) + colours.count) % colours.count]
    }

    /// A fixed name → colour assignment in the order given, so that one name (a strategy,
    /// an optimizer) keeps its colour across every chart of a report. Pass the complete,
    /// canonically ordered list of names, not just the ones a chart happens to show.
    public static func assignment(for names: [String]) -> [String: Colour] {
        var result: [String: Colour] = [:]
        for name in names where result[name] == nil {
            result[name] = colour(at: result.count)
        }
        return result
    }
}
