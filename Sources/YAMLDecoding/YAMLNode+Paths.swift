/// Looking up and replacing values by key path, for `--set key=value` overrides and sweeps.
///
/// A path is a list of components: mapping keys, or decimal indices into sequences.
/// `YAMLNode.pathComponents("jacobian.strategies[2].chunk")` gives
/// `["jacobian", "strategies", "2", "chunk"]`.
extension YAMLNode {
    /// Splits a dotted key path with optional `[index]` parts into components.
    /// Keys cannot contain `.` or `[` in this notation.
    public static func pathComponents(_ dotted: String) -> [String] {
        var components: [String] = []
        for part in dotted.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                components.append(String(rest[..<bracket]))
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    components.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                    rest = rest[rest.index(after: close)...]
                }
                if !rest.isEmpty { components.append(String(rest)) }
            } else {
                components.append(String(rest))
            }
        }
        return components
    }

    /// The node at `path`, or nil when some component is absent.
    public func value(atPath path: [String]) -> YAMLNode? {
        var node = self
        for component in path {
            switch node {
            case .mapping(let entries, _):
                guard let entry = entries.first(where: { $0.key == component }) else { return nil }
                node = entry.value
            case .sequence(let items, _):
                guard let index = Int(component), items.indices.contains(index) else { return nil }
                node = items[index]
            case .scalar:
                return nil
            }
        }
        return node
    }

    /// This tree with the value at `path` replaced by `newValue`; when the last component is a
    /// key absent from its mapping, the entry is appended (located at `newValue`). A null value
    /// on the way (`solver:` with nothing) counts as an empty mapping.
    ///
    /// - Throws: `YAMLError` located at the node where the path cannot continue: an
    ///   intermediate key that is missing (with a did-you-mean among the mapping's keys), a
    ///   scalar where a mapping or sequence is needed, or an index out of range.
    /// - Complexity: O(path length × mapping width); nodes off the path are shared, not copied.
    public func replacingValue(atPath path: [String], with newValue: YAMLNode) throws -> YAMLNode {
        try replacing(path[...], with: newValue, walked: [])
    }

    private func replacing(_ path: ArraySlice<String>, with newValue: YAMLNode, walked: [YAMLPathComponent]) throws -> YAMLNode {
        guard let component = path.first else { return newValue }
        let rest = path.dropFirst()
        let target = YAMLPathComponent.render(walked + [.key(component)] + rest.map { .key($0) })
        switch self {
        case .mapping(var entries, let location):
            guard let position = entries.firstIndex(where: { $0.key == component }) else {
                guard rest.isEmpty else {
                    let suggestion = KeySuggestion.phrase(for: component, among: entries.map(\.key))
                    throw YAMLError(
                        location: location, keyPath: YAMLPathComponent.render(walked),
                        message: "no key '\(component)' to set '\(target)' in\(suggestion)")
                }
                entries.append(YAMLMappingEntry(key: component, keyLocation: newValue.location, value: newValue))
                return .mapping(entries, location)
            }
            entries[position].value = try entries[position].value.replacing(
                rest, with: newValue, walked: walked + [.key(component)])
            return .mapping(entries, location)
        case .sequence(var items, let location):
            guard let index = Int(component), items.indices.contains(index) else {
                throw YAMLError(
                    location: location, keyPath: YAMLPathComponent.render(walked),
                    message: "cannot set '\(target)': '\(component)' is not an index of this \(items.count)-item sequence")
            }
            items[index] = try items[index].replacing(rest, with: newValue, walked: walked + [.index(index)])
            return .sequence(items, location)
        case .scalar where isNull:
            return try YAMLNode.mapping([], location).replacing(path, with: newValue, walked: walked)
        case .scalar:
            throw YAMLError(
                location: location, keyPath: YAMLPathComponent.render(walked),
                message: "cannot set '\(target)': expected a mapping here, found \(summary)")
        }
    }
}
