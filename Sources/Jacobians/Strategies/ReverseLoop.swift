import LinearAlgebra

/// `reverse-loop`: one vector-Jacobian product per output row, U = e_iᵀ
/// (what `torch.autograd.functional.jacobian` does by default).
///
/// - Cost: m pullbacks with one cotangent lane each.
/// - Exact to rounding.
public struct ReverseLoop: JacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// `reverse-loop`.
    public var name: String { "reverse-loop" }
    /// True.
    public var isExact: Bool { true }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Row i of J is e_iᵀ·J; the seed and row buffers are allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var cotangent = Matrix(rows: 1, columns: m)
        var row = Matrix(rows: 1, columns: n)
        for output in 0..<m {
            if output > 0 { cotangent.elements[output - 1] = 0 }
            cotangent.elements[output] = 1
            map.pullback(at: point, cotangents: cotangent, into: &row)
            jacobian.copyRow(output, from: row.elements)
        }
        return JacobianCost(pullbacks: m, cotangentLanes: m, workspaceBytes: byteCount(m + n))
    }
}
