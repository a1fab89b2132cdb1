import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document parsed with Foundation's `XMLParser`: proof that it is well-formed XML,
/// plus its elements and the text of every `<text>` for assertions.
final class SVGInspection: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// aria-labels of the enclosing `<g>` elements, outermost first.
        var groups: [String]
    }

    private(set) var elements: [Element] = []
    /// Text content of each `<text>` element, in document order.
    private(set) var texts: [String] = []
    private(set) var parseError: String?
    private var groupStack: [String] = []
    private var currentText: String?

    /// Parses `svg`; `parseError` is set when it is not well-formed.
    init(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        if !parser.parse() {
            parseError = parser.parserError.map { "\($0)" } ?? "unknown XML error"
        }
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes, groups: groupStack))
        if name == "g" { groupStack.append(attributes["aria-label"] ?? "") }
        if name == "text" { currentText = "" }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if currentText != nil { currentText? += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "g" { groupStack.removeLast() }
        if name == "text", let text = currentText {
            texts.append(text)
            currentText = nil
        }
    }

    /// Elements named `name` inside a group labelled `group` (at any depth), or anywhere.
    func elements(named name: String, inGroup group: String? = nil) -> [Element] {
        elements.filter { $0.name == name && (group == nil || $0.groups.contains(group ?? "")) }
    }

    /// Texts of `<text>` elements inside the group labelled `group`.
    func texts(inGroup group: String) -> [String] {
        var result: [String] = []
        var index = 0
        for element in elements where element.name == "text" {
            if element.groups.contains(group) { result.append(texts[index]) }
            index += 1
        }
        return result
    }
}
