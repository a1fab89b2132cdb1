/// What one Jacobian computation did, counted exactly as it happened.
///
/// These counters are what tests check against the "cost in passes" column of
/// the design: e.g. `reverse-loop` on an m-output map performs m pullbacks with
/// one cotangent lane each, `forward-vectorized` performs one pushforward with n
/// tangent lanes.
public struct JacobianCost: Sendable, Equatable, Hashable, Codable {
    /// Plain evaluations of f (real or complex).
    public var forwardEvaluations: Int = 0
    /// Calls of `pushforward`.
    public var pushforwards: Int = 0
    /// Total tangent lanes carried over all pushforwards.
    public var tangentLanes: Int = 0
    /// Calls of `pullback` (and per-sample batched backward sweeps).
    public var pullbacks: Int = 0
    /// Total cotangent lanes carried over all pullbacks.
    public var cotangentLanes: Int = 0
    /// Bytes of workspace the strategy allocated for this computation.
    public var workspaceBytes: Int = 0

    /// Creates a cost record.
    public init(
        forwardEvaluations: Int = 0, pushforwards: Int = 0, tangentLanes: Int = 0,
        pullbacks: Int = 0, cotangentLanes: Int = 0, workspaceBytes: Int = 0
    ) {
        self.forwardEvaluations = forwardEvaluations
        self.pushforwards = pushforwards
        self.tangentLanes = tangentLanes
        self.pullbacks = pullbacks
        self.cotangentLanes = cotangentLanes
        self.workspaceBytes = workspaceBytes
    }

    /// Adds another record field by field.
    public static func + (lhs: JacobianCost, rhs: JacobianCost) -> JacobianCost {
        JacobianCost(
            forwardEvaluations: lhs.forwardEvaluations + rhs.forwardEvaluations,
            pushforwards: lhs.pushforwards + rhs.pushforwards,
            tangentLanes: lhs.tangentLanes + rhs.tangentLanes,
            pullbacks: lhs.pullbacks + rhs.pullbacks,
            cotangentLanes: lhs.cotangentLanes + rhs.cotangentLanes,
            workspaceBytes: lhs.workspaceBytes + rhs.workspaceBytes
        )
    }
}
