/// "Did you mean" for misspelt keys and values: the closest candidate by edit distance.
public enum KeySuggestion {
    /// The candidate closest to `typed`, or nil when none is close.
    ///
    /// A candidate that equals `typed` after lower-casing and dropping `-` and `_` wins
    /// (`max_iterations` → `max-iterations`). Otherwise the smallest optimal-string-alignment
    /// distance (insert, delete, substitute, swap adjacent) wins if it is at most
    /// max(1, ⌊longer length / 3⌋); ties go to the alphabetically first candidate.
    /// Cost: O(|typed|·|candidate|) per candidate.
    public static func closest(to typed: String, among candidates: some Sequence<String>) -> String? {
        let typedNormalised = normalised(typed)
        var best: (distance: Int, candidate: String)?
        for candidate in candidates.sorted() where candidate != typed {
            let distance = normalised(candidate) == typedNormalised ? 0 : editDistance(typed, candidate)
            let limit = max(1, max(typed.count, candidate.count) / 3)
            guard distance <= limit else { continue }
            if best == nil || distance < best?.distance ?? .max { best = (distance, candidate) }
        }
        return best?.candidate
    }

    /// ` (did you mean 'x'?)` or the empty string.
    public static func phrase(for typed: String, among candidates: some Sequence<String>) -> String {
        closest(to: typed, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
    }

    private static func normalised(_ text: String) -> String {
        String(text.lowercased().filter { $0 != "-" && $0 != "_" })
    }

    /// Optimal string alignment distance between `a` and `b` over Characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let width = b.count + 1
        var previous2 = [Int](repeating: 0, count: width)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: width)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                var value = min(previous[j] + 1, current[j - 1] + 1, substitution)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
            }
            swap(&previous2, &previous)
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
