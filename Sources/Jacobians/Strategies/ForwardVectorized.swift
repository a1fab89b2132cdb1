import LinearAlgebra

/// `forward-vectorized`: all n tangent columns (the identity) as lanes of one
/// forward sweep, as `jacfwd` with `vmap`; with `chunk`, ⌈n/chunk⌉ sweeps of at
/// most `chunk` lanes each, to bound memory.
///
/// - Cost: ⌈n/chunk⌉ pushforwards (1 without chunk) carrying n lanes in total.
/// - Exact to rounding; the reference the conformance suite compares against.
public struct ForwardVectorized: JacobianStrategy {
    /// Lanes per sweep; nil for all n at once.
    public var chunk: Int?
    /// Creates the strategy; `chunk` must be positive when given.
    public init(chunk: Int? = nil) {
        precondition(chunk.map { $0 > 0 } ?? true, "chunk must be positive")
        self.chunk = chunk
    }
    /// `forward-vectorized`.
    public var name: String { "forward-vectorized" }
    /// True.
    public var isExact: Bool { true }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Pushes identity blocks forward; without chunking the sweep writes J in place.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        let blocks = IdentityLaneBlocks(total: n, chunk: chunk)
        if blocks.isWhole {
            let seed = Matrix.identity(n)
            map.pushforward(at: point, tangents: seed, into: &jacobian)
            return JacobianCost(pushforwards: 1, tangentLanes: n, workspaceBytes: byteCount(n * n))
        }
        jacobian.reshape(rows: m, columns: n)
        var seed = Matrix(rows: n, columns: blocks.width)
        var block = Matrix(rows: m, columns: blocks.width)
        for lanes in blocks {
            seed.setIdentityColumns(lanes, size: n)
            map.pushforward(at: point, tangents: seed, into: &block)
            jacobian.copyColumns(startingAt: lanes.lowerBound, from: block)
        }
        return JacobianCost(pushforwards: blocks.count, tangentLanes: n, workspaceBytes: byteCount(blocks.width * (m + n)))
    }
}
