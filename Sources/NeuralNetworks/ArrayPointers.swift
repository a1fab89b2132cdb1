/// A one-element buffer handed to sweeps in place of an empty array's (absent)
/// base address; nothing is ever read from or written to it.
nonisolated(unsafe) private let emptyArrayStandIn = UnsafeMutablePointer<Double>.allocate(capacity: 1)

extension Array where Element == Double {
    /// Calls `body` with the base address of the storage (a stand-in when empty).
    @inline(__always)
    func withBaseAddress<Result>(_ body: (UnsafePointer<Double>) -> Result) -> Result {
        withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(emptyArrayStandIn)) }
    }

    /// Calls `body` with the mutable base address of the storage (a stand-in when empty).
    @inline(__always)
    mutating func withMutableBaseAddress<Result>(_ body: (UnsafeMutablePointer<Double>) -> Result) -> Result {
        withUnsafeMutableBufferPointer { body($0.baseAddress ?? emptyArrayStandIn) }
    }
}

/// Calls `body` with the base address of `array`'s storage, or nil when there is no array.
@inline(__always)
func withOptionalBaseAddress<Result>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) -> Result) -> Result {
    guard let array else { return body(nil) }
    return array.withBaseAddress { body($0) }
}
