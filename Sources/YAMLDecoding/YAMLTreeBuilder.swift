import CYAML

/// Builds a `YAMLNode` tree from libyaml events: a stack of open collections, an anchor
/// table, and the rules for keys (scalars only, no duplicates, `<<` merges).
struct YAMLTreeBuilder {
    /// An open collection awaiting its children: a sequence's items, or a mapping's entries so
    /// far, the key waiting for its value and merge sources. Kept in the stack and changed in
    /// place (`stack[top]`), so adding a child never copies its siblings.
    private struct Frame {
        let isSequence: Bool
        var items: [YAMLNode] = []
        var entries: [YAMLMappingEntry] = []
        var firstLineOfKey: [String: Int] = [:]
        var pendingKey: YAMLScalar?
        var mergeSources: [(position: Int, node: YAMLNode)] = []
        let location: SourceLocation
        let anchor: String?
        var weight = 1
        /// Height of the tallest child so far (a scalar has height 1).
        var height = 0
    }

    private let file: String
    private var stack: [Frame] = []
    private var anchors: [String: (node: YAMLNode, weight: Int, height: Int)] = [:]
    private var documents = 0
    private var expandedNodes = 0
    private var aliasesSeen = false
    /// The document's root once complete.
    private(set) var root: YAMLNode?

    init(file: String) { self.file = file }

    private func location(_ mark: yaml_mark_t) -> SourceLocation { SourceLocation(file: file, mark: mark) }

    private func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil) -> String? {
        guard let pointer else { return nil }
        if let length {
            return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        }
        return String(cString: pointer)
    }

    /// Handles one event.
    mutating func consume(_ event: borrowing yaml_event_t) throws {
        let start = location(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(location: start, message: "a second YAML document starts here; Jacobench reads one document per file")
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let style: YAMLScalar.Style
            switch data.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            let scalar = YAMLScalar(
                value: text(data.value, length: data.length) ?? "",
                style: style, tag: text(data.tag), location: start)
            try complete(.scalar(scalar), anchor: text(data.anchor), weight: 1, height: 1)
        case YAML_ALIAS_EVENT:
            let name = text(event.data.alias.anchor) ?? ""
            guard let anchored = anchors[name] else {
                if isOpen(anchor: name) {
                    throw YAMLError(location: start, message: "alias '*\(name)' refers to a collection that contains it; recursive structures are not supported")
                }
                throw YAMLError(location: start, message: "alias '*\(name)' refers to no anchor defined before it")
            }
            aliasesSeen = true
            try checkDepth(stack.count + anchored.height, at: start, through: name)
            try complete(anchored.node, anchor: nil, weight: anchored.weight, height: anchored.height)
        case YAML_SEQUENCE_START_EVENT:
            try checkDepth(stack.count + 1, at: start, through: nil)
            stack.append(Frame(isSequence: true, location: start, anchor: text(event.data.sequence_start.anchor)))
        case YAML_MAPPING_START_EVENT:
            try checkDepth(stack.count + 1, at: start, through: nil)
            stack.append(Frame(isSequence: false, location: start, anchor: text(event.data.mapping_start.anchor)))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return }
            let node = frame.isSequence ? YAMLNode.sequence(frame.items, frame.location) : try merged(frame)
            try complete(node, anchor: frame.anchor, weight: frame.weight, height: frame.height + 1)
        default:
            break
        }
    }

    /// Throws when a collection (or an alias's copy) would reach past `YAMLParser.maximumDepth`.
    private func checkDepth(_ depth: Int, at location: SourceLocation, through alias: String?) throws {
        guard depth > YAMLParser.maximumDepth else { return }
        let via = alias.map { " (through alias '*\($0)')" } ?? ""
        throw YAMLError(location: location, message: "collections nest deeper than \(YAMLParser.maximumDepth) levels here\(via); Jacobench reads at most \(YAMLParser.maximumDepth)")
    }

    /// True when an enclosing, unfinished collection carries `anchor`.
    private func isOpen(anchor: String) -> Bool {
        stack.contains { $0.anchor == anchor }
    }

    /// Places a finished node into its parent (or as the root) and records its anchor.
    private mutating func complete(_ node: YAMLNode, anchor: String?, weight: Int, height: Int) throws {
        expandedNodes += weight
        if expandedNodes > YAMLParser.maximumExpandedNodes {
            let message = aliasesSeen
                ? "the document expands to more than \(YAMLParser.maximumExpandedNodes) nodes through aliases"
                : "the document has more than \(YAMLParser.maximumExpandedNodes) nodes; a manifest is far smaller"
            throw YAMLError(location: node.location, message: message)
        }
        if let anchor { anchors[anchor] = (node, weight, height) }
        guard !stack.isEmpty else {
            // An empty document is an empty mapping.
            if case .scalar(let scalar) = node, scalar.value.isEmpty, scalar.style == .plain, scalar.tag == nil {
                root = .mapping([], scalar.location)
            } else {
                root = node
            }
            return
        }
        let top = stack.count - 1
        stack[top].height = max(stack[top].height, height)
        if stack[top].isSequence {
            stack[top].weight += weight
            stack[top].items.append(node)
        } else {
            try Self.add(node, weight: weight, to: &stack[top])
        }
    }

    /// Adds a key or a value to an open mapping.
    private static func add(_ node: YAMLNode, weight: Int, to mapping: inout Frame) throws {
        mapping.weight += weight
        guard let key = mapping.pendingKey else {
            guard case .scalar(let scalar) = node else {
                throw YAMLError(location: node.location, message: "mapping keys must be scalars, found \(node.summary)")
            }
            mapping.pendingKey = scalar
            return
        }
        mapping.pendingKey = nil
        if key.value == "<<" && !key.isQuoted {
            switch node {
            case .mapping:
                mapping.mergeSources.append((mapping.entries.count, node))
            case .sequence(let items, _):
                for item in items {
                    guard case .mapping = item else {
                        throw YAMLError(location: item.location, keyPath: "<<", message: "a merge key takes mappings, found \(item.summary)")
                    }
                    mapping.mergeSources.append((mapping.entries.count, item))
                }
            default:
                throw YAMLError(location: node.location, keyPath: "<<", message: "a merge key takes a mapping or a sequence of mappings, found \(node.summary)")
            }
            return
        }
        if let firstLine = mapping.firstLineOfKey[key.value] {
            throw YAMLError(
                location: key.location,
                message: "duplicate key '\(key.value)' on line \(key.location.line) (first defined on line \(firstLine))")
        }
        mapping.firstLineOfKey[key.value] = key.location.line
        mapping.entries.append(YAMLMappingEntry(key: key.value, keyLocation: key.location, value: node))
    }

    /// The finished mapping with merge sources folded in at the position of their `<<`.
    private func merged(_ mapping: Frame) throws -> YAMLNode {
        guard !mapping.mergeSources.isEmpty else { return .mapping(mapping.entries, mapping.location) }
        var present = Set(mapping.entries.map(\.key))
        var result: [YAMLMappingEntry] = []
        var next = 0
        for (position, source) in mapping.mergeSources {
            while next < position {
                result.append(mapping.entries[next])
                next += 1
            }
            guard case .mapping(let entries, _) = source else { continue }
            for entry in entries where !present.contains(entry.key) {
                present.insert(entry.key)
                result.append(entry)
            }
        }
        result.append(contentsOf: mapping.entries[next...])
        return .mapping(result, mapping.location)
    }
}
