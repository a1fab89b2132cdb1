import LinearAlgebra

/// `forward-loop`: one Jacobian-vector product per input column, V = e_j.
///
/// - Cost: n pushforwards with one tangent lane each.
/// - Exact to rounding.
public struct ForwardLoop: JacobianStrategy {
    /// Creates the strategy.
    public init() {}
    /// `forward-loop`.
    public var name: String { "forward-loop" }
    /// True.
    public var isExact: Bool { true }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Column j of J is J·e_j; the seed and column buffers are allocated once per call.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        jacobian.reshape(rows: m, columns: n)
        var tangent = Matrix(rows: n, columns: 1)
        var column = Matrix(rows: m, columns: 1)
        for input in 0..<n {
            if input > 0 { tangent.elements[input - 1] = 0 }
            tangent.elements[input] = 1
            map.pushforward(at: point, tangents: tangent, into: &column)
            jacobian.copyColumns(startingAt: input, from: column)
        }
        return JacobianCost(pushforwards: n, tangentLanes: n, workspaceBytes: byteCount(m + n))
    }
}
