/// One (x, y) observation of a line series. Either coordinate may be NaN (a gap).
public struct DataPoint: Sendable, Hashable {
    /// Horizontal value.
    public var x: Double
    /// Vertical value.
    public var y: Double

    /// The point (x, y).
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
