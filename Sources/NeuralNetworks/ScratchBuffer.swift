/// A growable block of `Double`s owned by a workspace: grows to the largest size
/// asked for and is then reused, so warm sweeps never allocate.
@usableFromInline
final class ScratchBuffer {
    @usableFromInline private(set) var pointer: UnsafeMutablePointer<Double>
    @usableFromInline private(set) var capacity: Int

    init() {
        pointer = .allocate(capacity: 1)
        capacity = 1
    }

    /// Makes room for `count` values (contents unspecified after growth).
    @inlinable
    func reserve(_ count: Int) {
        if count > capacity {
            pointer.deallocate()
            pointer = .allocate(capacity: count)
            capacity = count
        }
    }

    /// Bytes currently held.
    var byteCount: Int { capacity * MemoryLayout<Double>.stride }

    deinit { pointer.deallocate() }
}
