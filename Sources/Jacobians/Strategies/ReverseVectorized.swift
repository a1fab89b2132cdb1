import LinearAlgebra

/// `reverse-vectorized`: all m cotangent rows (the identity) as lanes of one
/// backward sweep, as `jacrev` with `vmap`; with `chunk`, ⌈m/chunk⌉ sweeps of at
/// most `chunk` lanes each, to bound memory.
///
/// - Cost: ⌈m/chunk⌉ pullbacks (1 without chunk) carrying m lanes in total.
/// - Exact to rounding; chunked and unchunked agree up to BLAS summation order.
public struct ReverseVectorized: JacobianStrategy {
    /// Lanes per sweep; nil for all m at once.
    public var chunk: Int?
    /// Creates the strategy; `chunk` must be positive when given.
    public init(chunk: Int? = nil) {
        precondition(chunk.map { $0 > 0 } ?? true, "chunk must be positive")
        self.chunk = chunk
    }
    /// `reverse-vectorized`.
    public var name: String { "reverse-vectorized" }
    /// True.
    public var isExact: Bool { true }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// Pulls identity blocks back; without chunking the sweep writes J in place.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        let m = map.outputCount, n = map.inputCount
        let blocks = IdentityLaneBlocks(total: m, chunk: chunk)
        if blocks.isWhole {
            let seed = Matrix.identity(m)
            map.pullback(at: point, cotangents: seed, into: &jacobian)
            return JacobianCost(pullbacks: 1, cotangentLanes: m, workspaceBytes: byteCount(m * m))
        }
        jacobian.reshape(rows: m, columns: n)
        var seed = Matrix(rows: blocks.width, columns: m)
        var block = Matrix(rows: blocks.width, columns: n)
        for lanes in blocks {
            seed.setIdentityRows(lanes, size: m)
            map.pullback(at: point, cotangents: seed, into: &block)
            jacobian.copyRows(startingAt: lanes.lowerBound, from: block)
        }
        return JacobianCost(pullbacks: blocks.count, cotangentLanes: m, workspaceBytes: byteCount(blocks.width * (m + n)))
    }
}
