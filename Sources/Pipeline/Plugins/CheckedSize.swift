/// Sizes from a manifest or a flag through checked arithmetic: an overflow is a
/// ``ConfigurationProblem`` naming the field, never a trap.
public enum CheckedSize {
    /// Bytes of one `Double`.
    public static let doubleBytes = MemoryLayout<Double>.stride

    /// The product of `factors`; throws when it overflows `Int`.
    public static func product(_ factors: [Int], field: String) throws -> Int {
        var total = 1
        for factor in factors {
            let (value, overflow) = total.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw overflowProblem(field: field, factors.map(String.init).joined(separator: " × ")) }
            total = value
        }
        return total
    }

    /// The sum of `terms`; throws when it overflows `Int`.
    public static func sum(_ terms: [Int], field: String) throws -> Int {
        var total = 0
        for term in terms {
            let (value, overflow) = total.addingReportingOverflow(term)
            guard !overflow else { throw overflowProblem(field: field, terms.map(String.init).joined(separator: " + ")) }
            total = value
        }
        return total
    }

    /// Bytes of `count` doubles; throws when that overflows `Int`.
    public static func bytes(doubles count: Int, field: String) throws -> Int {
        try product([count, doubleBytes], field: field)
    }

    static func overflowProblem(field: String, _ expression: String) -> ConfigurationProblem {
        let shown = expression.count > 80 ? String(expression.prefix(80)) + "…" : expression
        return ConfigurationProblem(field: field, "size overflows: \(shown) is larger than this machine can count (\(Int.max))")
    }
}
