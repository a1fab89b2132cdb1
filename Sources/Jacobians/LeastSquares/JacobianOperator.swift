import LinearAlgebra

/// J at one point as a linear operator: J·v, Jᵀu and the diagonal of JᵀJ, with the point's
/// forward state computed once by ``linearize(at:)`` and reused by every product until the
/// next one (as JAX's `linearize`). The matrix-free Levenberg-Marquardt solves its damped
/// systems with these products alone, so it never holds J (m × n) or JᵀJ (n × n).
///
/// Products must be exact to rounding, like the map's own sweeps. Not thread-safe; one per fit.
public protocol JacobianOperator: AnyObject {
    /// m, the length of J·v.
    var rowCount: Int { get }
    /// n, the length of Jᵀu.
    var columnCount: Int { get }
    /// Computes what the products at `point` need (about one forward sweep with derivatives).
    func linearize(at point: [Double])
    /// J·v at the linearization point into `result` (m values; resized when its size differs).
    func apply(_ vector: [Double], into result: inout [Double])
    /// Jᵀu at the linearization point into `result` (n values; resized when its size differs).
    func applyTransposed(_ vector: [Double], into result: inout [Double])
    /// Σᵢ wᵢ² Jᵢⱼ² for every column j (the diagonal of JᵀW²J; W = I when `rowWeights` is nil)
    /// into `result` (n values), without forming J.
    func columnSquaredNorms(rowWeights: [Double]?, into result: inout [Double])
    /// Jᵀu into `transposedImage` and Σᵢ wᵢ²Jᵢⱼ² into `squaredNorms` at the linearization point,
    /// as ``applyTransposed(_:into:)`` and ``columnSquaredNorms(rowWeights:into:)`` give them (the
    /// default calls both); an operator may share one backward sweep between the two.
    func applyTransposedWithColumnSquaredNorms(
        _ vector: [Double], rowWeights: [Double]?, into transposedImage: inout [Double], squaredNorms: inout [Double])
    /// Floating-point operations of one ``apply(_:into:)`` plus one
    /// ``applyTransposed(_:into:)`` (one JᵀJ·v), for rates in GFLOP/s.
    var gaussNewtonProductFlops: Double { get }
    /// Bytes of workspace held.
    var workspaceBytes: Int { get }
}

extension JacobianOperator {
    /// ``applyTransposed(_:into:)``, then ``columnSquaredNorms(rowWeights:into:)``.
    public func applyTransposedWithColumnSquaredNorms(
        _ vector: [Double], rowWeights: [Double]?, into transposedImage: inout [Double], squaredNorms: inout [Double]
    ) {
        applyTransposed(vector, into: &transposedImage)
        columnSquaredNorms(rowWeights: rowWeights, into: &squaredNorms)
    }
}

/// A map with a faster ``JacobianOperator`` of its own than ``SweepJacobianOperator`` (e.g. a
/// network's single-lane products as blocked matrix products over the batch, and the diagonal
/// of JᵀJ from its per-layer factors).
public protocol JacobianOperatorProviding: DifferentiableMap {
    /// A new operator with its own workspace, or nil when this instance offers none.
    func makeJacobianOperator() -> (any JacobianOperator)?
}

/// The ``JacobianOperator`` of any ``DifferentiableMap``: one single-lane pushforward per J·v,
/// one single-lane pullback per Jᵀu, and the column norms from pullbacks of blocks of
/// ``normBlockRows`` unit cotangents (J in row blocks, never whole: O(block·n + m) memory).
public final class SweepJacobianOperator: JacobianOperator {
    /// The map.
    public let map: any DifferentiableMap
    /// Unit cotangent rows per pullback when forming the column norms.
    public static let normBlockRows = 64
    private var point: [Double] = []
    private var tangent: Matrix
    private var tangentImage: Matrix
    private var cotangent: Matrix
    private var cotangentImage: Matrix

    /// An operator over `map`'s own sweeps.
    public init(map: any DifferentiableMap) {
        self.map = map
        tangent = Matrix(rows: map.inputCount, columns: 1)
        tangentImage = Matrix(rows: map.outputCount, columns: 1)
        cotangent = Matrix(rows: 1, columns: map.outputCount)
        cotangentImage = Matrix(rows: 1, columns: map.inputCount)
    }

    /// m.
    public var rowCount: Int { map.outputCount }
    /// n.
    public var columnCount: Int { map.inputCount }

    /// Keeps the point (the map's sweeps evaluate their forward state there).
    public func linearize(at point: [Double]) {
        if self.point.count != point.count { self.point = point } else { for j in point.indices { self.point[j] = point[j] } }
    }

    /// One single-lane pushforward.
    public func apply(_ vector: [Double], into result: inout [Double]) {
        for j in 0..<columnCount { tangent.elements[j] = vector[j] }
        map.pushforward(at: point, tangents: tangent, into: &tangentImage)
        if result.count != rowCount { result = Array(repeating: 0, count: rowCount) }
        for i in 0..<rowCount { result[i] = tangentImage.elements[i] }
    }

    /// One single-lane pullback.
    public func applyTransposed(_ vector: [Double], into result: inout [Double]) {
        cotangent.reshape(rows: 1, columns: rowCount)
        for i in 0..<rowCount { cotangent.elements[i] = vector[i] }
        map.pullback(at: point, cotangents: cotangent, into: &cotangentImage)
        if result.count != columnCount { result = Array(repeating: 0, count: columnCount) }
        for j in 0..<columnCount { result[j] = cotangentImage.elements[j] }
    }

    /// J's rows in blocks of ``normBlockRows`` by pullbacks of unit cotangents (scaled by the
    /// row weights), their squares summed per column, block by block in row order.
    public func columnSquaredNorms(rowWeights: [Double]?, into result: inout [Double]) {
        let m = rowCount, n = columnCount
        if result.count != n { result = Array(repeating: 0, count: n) }
        for j in 0..<n { result[j] = 0 }
        var first = 0
        while first < m {
            let rows = min(Self.normBlockRows, m - first)
            cotangent.reshape(rows: rows, columns: m)
            cotangent.fill(0)
            for lane in 0..<rows { cotangent.elements[lane * m + first + lane] = rowWeights?[first + lane] ?? 1 }
            map.pullback(at: point, cotangents: cotangent, into: &cotangentImage)
            for lane in 0..<rows {
                for j in 0..<n {
                    let value = cotangentImage.elements[lane * n + j]
                    result[j] += value * value
                }
            }
            first += rows
        }
        cotangent.reshape(rows: 1, columns: m)
    }

    /// Not known for a general map: NaN.
    public var gaussNewtonProductFlops: Double { .nan }

    /// The single-lane blocks (the map's own workspace is not counted).
    public var workspaceBytes: Int {
        (tangent.elements.count + tangentImage.elements.count + cotangent.elements.count + cotangentImage.elements.count + point.count)
            * MemoryLayout<Double>.stride
    }
}
