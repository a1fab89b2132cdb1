/// What a data or model section alone says about the memory its stage will hold, computed
/// from the configuration with checked arithmetic before anything is built (`validate`
/// never builds a network or data at full size).
public struct StageFootprint: Sendable, Equatable {
    /// Training rows S the data will have, when the configuration fixes them.
    public var trainingRows: Int?
    /// Bytes the stage's output holds (data: every sample; model: parameters and the
    /// per-sample buffers of its maps over S rows).
    public var bytes: Int

    /// Creates a footprint.
    public init(trainingRows: Int? = nil, bytes: Int) {
        self.trainingRows = trainingRows
        self.bytes = bytes
    }
}
