import MessageText
/// State shared by every decoder and container of one `YAMLNodeDecoder.decode` call:
/// the root node, which keys each mapping was asked for, and error construction.
///
/// Keys are tracked per mapping path (relative to the decoded root), so a mapping
/// decoded twice (by a `kind` peek and then the full type) accumulates both sets.
final class YAMLDecodingSession {
    let root: YAMLNode
    /// The path of `root` inside its document, used only when rendering messages.
    let prefix: [YAMLPathComponent]
    let prefixCount: Int
    let userInfo: [CodingUserInfoKey: any Sendable]
    /// Keys asked for (decode, decodeIfPresent, contains, nested containers) per visited mapping.
    private(set) var askedKeys: [[YAMLPathComponent]: Set<String>] = [:]

    init(root: YAMLNode, prefix: [String], userInfo: [CodingUserInfoKey: any Sendable]) {
        self.root = root
        self.prefix = prefix.map { .key($0) }
        self.prefixCount = prefix.count
        self.userInfo = userInfo
    }

    /// Path components of `codingPath` relative to the root.
    func components(_ codingPath: [any CodingKey]) -> [YAMLPathComponent] {
        codingPath.dropFirst(prefixCount).map(YAMLPathComponent.init)
    }

    /// `a.b[1].c` for a coding path, with the document prefix.
    func render(_ codingPath: [any CodingKey]) -> String {
        YAMLPathComponent.render(prefix + components(codingPath))
    }

    func markVisited(_ path: [YAMLPathComponent]) {
        if askedKeys[path] == nil { askedKeys[path] = [] }
    }

    func ask(_ key: String, at path: [YAMLPathComponent]) {
        askedKeys[path, default: []].insert(key)
    }

    func asked(at path: [YAMLPathComponent]) -> Set<String> { askedKeys[path] ?? [] }

    /// An error at `node` (its location) and `codingPath`.
    func error(_ message: String, at node: YAMLNode, codingPath: [any CodingKey]) -> YAMLError {
        YAMLError(location: node.location, keyPath: render(codingPath), message: message)
    }

    // MARK: Unknown keys

    /// The first key, in document order, of a visited mapping that the decoded types never
    /// asked for; with a suggestion among the keys they did ask for.
    func firstUnknownKey() -> YAMLError? { firstUnknownKey(in: root, path: []) }

    private func firstUnknownKey(in node: YAMLNode, path: [YAMLPathComponent]) -> YAMLError? {
        switch node {
        case .scalar:
            return nil
        case .sequence(let items, _):
            for (index, item) in items.enumerated() {
                if let error = firstUnknownKey(in: item, path: path + [.index(index)]) { return error }
            }
            return nil
        case .mapping(let entries, _):
            let asked = askedKeys[path]
            for entry in entries {
                if let asked, !asked.contains(entry.key) {
                    return unknownKeyError(entry, in: entries, asked: asked, path: path)
                }
                if let error = firstUnknownKey(in: entry.value, path: path + [.key(entry.key)]) { return error }
            }
            return nil
        }
    }

    private func unknownKeyError(
        _ entry: YAMLMappingEntry, in entries: [YAMLMappingEntry], asked: Set<String>, path: [YAMLPathComponent]
    ) -> YAMLError {
        let present = Set(entries.map(\.key))
        let suggestion = KeySuggestion.phrase(for: entry.key, among: asked.subtracting(present))
        return YAMLError(
            location: entry.keyLocation, keyPath: YAMLPathComponent.render(prefix + path),
            message: "unknown key \(QuotedText.quoted(entry.key))\(suggestion)")
    }

    /// The message for a missing key: `missing key 'x'`, plus a hint when a present key that
    /// no type asked for so far looks like a misspelling of it. Only a hint: a type may still
    /// ask for that key after the missing one, so it is not called unknown here.
    func missingKeyMessage(_ missing: String, in entries: [YAMLMappingEntry], path: [YAMLPathComponent]) -> String {
        let asked = asked(at: path)
        let near = entries.first { !asked.contains($0.key) && KeySuggestion.closest(to: $0.key, among: [missing]) != nil }
        guard let near else { return "missing key '\(missing)'" }
        let at = near.keyLocation
        return "missing key '\(missing)' (is '\(near.key)' at \(at.line):\(at.column) a misspelling of it?)"
    }

    // MARK: Errors thrown by Decodable implementations

    /// The node a coding path points at (the deepest one that exists).
    func node(at codingPath: [any CodingKey]) -> YAMLNode {
        var node = root
        for key in codingPath.dropFirst(prefixCount) {
            switch node {
            case .mapping(let entries, _):
                guard let entry = entries.first(where: { $0.key == key.stringValue }) else { return node }
                node = entry.value
            case .sequence(let items, _):
                guard let index = key.intValue, items.indices.contains(index) else { return node }
                node = items[index]
            case .scalar:
                return node
            }
        }
        return node
    }

    /// A located `YAMLError` for a `DecodingError` thrown by some `init(from:)`.
    func translate(_ error: DecodingError) -> YAMLError {
        switch error {
        case .keyNotFound(let key, let context):
            let node = node(at: context.codingPath)
            guard case .mapping(let entries, _) = node else {
                return self.error("missing key '\(key.stringValue)'", at: node, codingPath: context.codingPath)
            }
            let message = missingKeyMessage(key.stringValue, in: entries, path: components(context.codingPath))
            return self.error(message, at: node, codingPath: context.codingPath)
        case .valueNotFound(let type, let context):
            return self.error("expected \(type), found null", at: node(at: context.codingPath), codingPath: context.codingPath)
        case .typeMismatch(let type, let context):
            let node = node(at: context.codingPath)
            return self.error("expected \(type), found \(node.summary): \(context.debugDescription)", at: node, codingPath: context.codingPath)
        case .dataCorrupted(let context):
            let node = node(at: context.codingPath)
            return self.error("invalid value \(node.summary): \(context.debugDescription)", at: node, codingPath: context.codingPath)
        @unknown default:
            return YAMLError(location: root.location, message: "\(error)")
        }
    }
}
