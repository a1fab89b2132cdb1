import YAMLDecoding

extension YAMLError {
    /// Adds "(did you mean 'x'?)" to an unknown-key error that has none.
    ///
    /// The decoder suggests only keys absent from the mapping; the pipeline fills defaults
    /// into the tree before decoding, so a misspelt optional key's correct spelling is
    /// "present" and would not be suggested without this.
    func suggestingKey(among candidates: [String]) -> YAMLError {
        let prefix = "unknown key '"
        guard message.hasPrefix(prefix), !message.contains("did you mean"),
              let end = message.dropFirst(prefix.count).firstIndex(of: "'") else { return self }
        let typed = String(message[message.index(message.startIndex, offsetBy: prefix.count)..<end])
        guard let suggestion = KeySuggestion.closest(to: typed, among: candidates) else { return self }
        var copy = self
        copy.message = prefix + typed + "' (did you mean '\(suggestion)'?)" + message[message.index(after: end)...]
        return copy
    }
}
