import Jacobians

/// The smallest memory a case's Jacobian needs — J itself, M × N doubles — against the
/// case's memory budget, checked before any strategy allocates it.
enum JacobianBudget {
    /// Why J of `map` does not fit `budget` (its bytes overflow or exceed it), or nil.
    static func excess(of map: any DifferentiableMap, budget: MemoryBudget) -> String? {
        let m = map.outputCount, n = map.inputCount
        let (values, overflow) = m.multipliedReportingOverflow(by: n)
        let (bytes, bytesOverflow) = values.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        guard overflow || bytesOverflow || bytes > budget.bytes else { return nil }
        let size = overflow || bytesOverflow ? "more than \(RunLimits.describe(bytes: Int.max))" : RunLimits.describe(bytes: bytes)
        return "the Jacobian alone (M = \(m) × N = \(n) doubles) needs \(size), more than the memory budget \(budget.description)"
    }

    /// Whether the cost model's byte counts for `map` (small multiples of M × N doubles) fit
    /// in `Int`: M·N·8·64 does not overflow.
    static func isCountable(_ map: any DifferentiableMap) -> Bool {
        let (values, overflow) = map.outputCount.multipliedReportingOverflow(by: map.inputCount)
        return !overflow && !values.multipliedReportingOverflow(by: 8 * 64).overflow
    }

    /// A case refused because its Jacobian cannot fit (the case is recorded as failed).
    struct Refusal: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason + "; add a limits: section (memory-cap) to record such cases as skipped" }
    }
}
