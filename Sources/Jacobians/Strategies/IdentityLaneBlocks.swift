import LinearAlgebra

/// The lane blocks of a vectorized strategy over `total` identity lanes (the n tangent
/// columns of `forward-vectorized` or the m cotangent rows of `reverse-vectorized`): all
/// lanes in one block without a chunk, otherwise ⌈total/chunk⌉ consecutive blocks of at most
/// `chunk` lanes, each given as its range of lane indices.
struct IdentityLaneBlocks: Sequence {
    /// The number of lanes, n or m.
    let total: Int
    /// Lanes per block: `chunk` clamped to 1…total (total without a chunk).
    let width: Int

    /// Blocks of `chunk` lanes (all `total` at once when nil).
    init(total: Int, chunk: Int?) {
        self.total = total
        width = Swift.max(1, Swift.min(chunk ?? total, total))
    }

    /// True when one block holds every lane: the strategy seeds the whole identity and
    /// the sweep writes J in place.
    var isWhole: Bool { width >= total }

    /// ⌈total/width⌉, the number of sweeps.
    var count: Int { (total + width - 1) / width }

    /// Yields start..<min(start + width, total) for start = 0, width, 2·width, ….
    struct Iterator: IteratorProtocol {
        var start = 0
        let total: Int, width: Int
        /// The next block of lanes, nil after the last.
        mutating func next() -> Range<Int>? {
            guard start < total else { return nil }
            defer { start += width }
            return start..<Swift.min(start + width, total)
        }
    }

    /// The blocks in order.
    func makeIterator() -> Iterator { Iterator(total: total, width: width) }
}

extension Matrix {
    /// Makes this the columns `lanes` of the identity I_size (size × lanes.count), the tangent
    /// seed of one forward block; reuses the storage.
    mutating func setIdentityColumns(_ lanes: Range<Int>, size: Int) {
        let count = lanes.count
        reshape(rows: size, columns: count)
        fill(0)
        for lane in 0..<count { elements[(lanes.lowerBound + lane) * count + lane] = 1 }
    }

    /// Makes this the rows `lanes` of the identity I_size (lanes.count × size), the cotangent
    /// seed of one reverse block; reuses the storage.
    mutating func setIdentityRows(_ lanes: Range<Int>, size: Int) {
        let count = lanes.count
        reshape(rows: count, columns: size)
        fill(0)
        for lane in 0..<count { elements[lane * size + lanes.lowerBound + lane] = 1 }
    }
}
