import YAMLDecoding

/// The `replicates:` field: how many independent starts (data and θ₀ drawn again) each
/// sweep case runs with. Replicate k = 0 … N − 1 enters both seeds (see ``CaseSeeds``).
enum Replicates {
    /// The checked replicate count of `root` (defaults filled in) for a grid of `sweepCases`.
    ///
    /// - Throws: `YAMLError` at `replicates` when it is not an integer, below 1, or makes the
    ///   plan larger than `maximumCases` (`limits.max-cases`; the product is checked for overflow).
    static func count(in root: YAMLNode, sweepCases: Int, maximumCases: Int) throws -> Int {
        guard let node = root["replicates"] else { return 1 }
        let count: Int
        do {
            count = try YAMLNodeDecoder().decode(Int.self, from: node)
        } catch {
            throw YAMLError(location: node.location, keyPath: "replicates", message: "replicates must be an integer of at least 1, got \(node.summary)")
        }
        guard count >= 1 else {
            throw YAMLError(location: node.location, keyPath: "replicates", message: "replicates must be at least 1, got \(count)")
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: max(sweepCases, 1))
        guard !overflow, total <= maximumCases else {
            throw YAMLError(
                location: node.location, keyPath: "replicates",
                message: "replicates \(count) × \(sweepCases) sweep case\(sweepCases == 1 ? "" : "s") is more than limits.max-cases = \(maximumCases) cases")
        }
        return count
    }
}
