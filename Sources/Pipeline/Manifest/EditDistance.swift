/// "Did you mean": the closest candidate by Levenshtein distance.
enum EditDistance {
    /// The candidate nearest to `typed` when within max(2, ⌊length/3⌋) edits; ties go to the
    /// alphabetically first. Cost: O(|typed|·|candidate|) per candidate.
    static func closest(to typed: String, among candidates: some Sequence<String>) -> String? {
        var best: (Int, String)?
        for candidate in candidates.sorted() where candidate != typed {
            let distance = between(typed, candidate)
            guard distance <= max(2, max(typed.count, candidate.count) / 3) else { continue }
            if best == nil || distance < best?.0 ?? .max { best = (distance, candidate) }
        }
        return best?.1
    }

    /// Levenshtein distance.
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count), current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
