/// The zero pattern of a residual Jacobian whose last parameters form one block per output.
///
/// θ ends with p·h "block weights" then p "block biases": residual row s·p + d (sample s,
/// output d) depends on them only through output d's own h weights, columns
/// c₀ + d·h ..< c₀ + (d + 1)·h, and its bias, column c₀ + p·h + d; its entries in the other
/// p − 1 outputs' columns are exactly zero, whatever the strategy. The first c₀ columns are
/// dense. A network's last layer has this shape (W_L row-major, then b_L), so JᵀJ needs the
/// dense c₀ × c₀ block, p thin coupling blocks and p small diagonal blocks, every other block zero.
public struct OutputBlockSparsity: Sendable, Equatable {
    /// c₀: the dense leading columns.
    public let denseColumns: Int
    /// p: outputs per sample (rows come in whole samples of p).
    public let outputs: Int
    /// h: block weights per output.
    public let blockWeights: Int

    /// Creates the pattern; nil unless it has something to skip (p ≥ 2) and the sizes are
    /// non-negative.
    public init?(denseColumns: Int, outputs: Int, blockWeights: Int) {
        guard denseColumns >= 0, outputs >= 2, blockWeights >= 0 else { return nil }
        self.denseColumns = denseColumns
        self.outputs = outputs
        self.blockWeights = blockWeights
    }

    /// n = c₀ + p·(h + 1).
    public var columns: Int { denseColumns + outputs * (blockWeights + 1) }
}

/// A residual map whose Jacobian has the zero pattern of ``OutputBlockSparsity`` (solvers
/// then skip the zero products of JᵀJ).
public protocol OutputBlockStructured: DifferentiableMap {
    /// The pattern, or nil when this instance has none to offer (one output, another layout).
    var outputBlockSparsity: OutputBlockSparsity? { get }
}
