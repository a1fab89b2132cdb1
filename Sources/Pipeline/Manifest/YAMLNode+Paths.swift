import YAMLDecoding

/// Manifest-level tree edits on top of YAMLDecoding's key-path lookup and replacement.
extension YAMLNode {
    /// A copy with mapping key `key` removed (no-op for other nodes).
    func removing(key: String) -> YAMLNode {
        guard case .mapping(let entries, let location) = self else { return self }
        return .mapping(entries.filter { $0.key != key }, location)
    }

    /// A copy in which every key of `defaults` missing from this mapping is added (recursively
    /// for nested mappings present on both sides). Non-mappings are returned unchanged.
    func fillingDefaults(from defaults: YAMLNode) -> YAMLNode {
        guard case .mapping(var entries, let location) = self, case .mapping(let defaultEntries, _) = defaults else { return self }
        for defaultEntry in defaultEntries {
            if let index = entries.firstIndex(where: { $0.key == defaultEntry.key }) {
                if case .mapping = entries[index].value, case .mapping = defaultEntry.value {
                    entries[index].value = entries[index].value.fillingDefaults(from: defaultEntry.value)
                }
            } else {
                entries.append(defaultEntry)
            }
        }
        return .mapping(entries, location)
    }
}
