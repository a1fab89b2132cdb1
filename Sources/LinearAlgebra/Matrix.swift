/// A dense matrix of `Double` stored contiguously in row-major order.
///
/// Element (i, j) lives at `elements[i * columns + j]`. The storage is a plain
/// Swift array, so copies are copy-on-write and the buffer can be handed to
/// CBLAS/LAPACKE (with `CblasRowMajor` / `LAPACK_ROW_MAJOR`) without copying.
@frozen
public struct Matrix: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Number of rows.
    public var rows: Int { storedRows }
    @usableFromInline var storedRows: Int
    /// Number of columns.
    public var columns: Int { storedColumns }
    @usableFromInline var storedColumns: Int
    /// Row-major storage; `elements.count == rows * columns`.
    public var elements: [Double]

    /// Creates a `rows × columns` matrix with every element equal to `value`.
    @inlinable
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.storedRows = rows
        self.storedColumns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// Creates a matrix from row-major elements; `elements.count` must equal `rows * columns`.
    @inlinable
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(elements.count == rows * columns, "element count \(elements.count) != \(rows)×\(columns)")
        self.storedRows = rows
        self.storedColumns = columns
        self.elements = elements
    }

    /// Creates a matrix from an array of equally long rows.
    public init(_ rowArrays: [[Double]]) {
        let columnCount = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columnCount }, "rows must have equal length")
        self.init(rows: rowArrays.count, columns: columnCount, elements: rowArrays.flatMap { $0 })
    }

    /// The `size × size` identity matrix.
    public static func identity(_ size: Int) -> Matrix {
        var result = Matrix(rows: size, columns: size)
        for index in 0..<size { result.elements[index * size + index] = 1 }
        return result
    }

    /// Element (row, column).
    @inlinable
    public subscript(row: Int, column: Int) -> Double {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// The number of elements, `rows * columns`.
    @inlinable
    public var count: Int { rows * columns }

    /// Row `index` as a new array.
    public func row(_ index: Int) -> [Double] {
        Array(elements[(index * columns)..<((index + 1) * columns)])
    }

    /// Column `index` as a new array.
    public func column(_ index: Int) -> [Double] {
        (0..<rows).map { self[$0, index] }
    }

    /// The transpose, a new `columns × rows` matrix.
    public var transposed: Matrix {
        var result = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns { result.elements[j * rows + i] = elements[i * columns + j] }
        }
        return result
    }

    /// Changes the shape in place, reusing the storage when it is large enough.
    ///
    /// Contents after a reshape are unspecified unless the element count is unchanged.
    /// Used by `into:` APIs so that a caller's buffer adapts without reallocating
    /// once it has reached its largest size.
    public mutating func reshape(rows newRows: Int, columns newColumns: Int) {
        let needed = newRows * newColumns
        if elements.count != needed {
            if elements.count > needed {
                elements.removeLast(elements.count - needed)
            } else {
                elements.append(contentsOf: repeatElement(0, count: needed - elements.count))
            }
        }
        storedRows = newRows
        storedColumns = newColumns
    }

    /// Sets every element to `value` without reallocating.
    @inlinable
    public mutating func fill(_ value: Double) {
        elements.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = value }
        }
    }

    /// The Frobenius norm, sqrt(Σ aᵢⱼ²), computed with scaling against overflow.
    public var frobeniusNorm: Double { euclideanNorm(elements) }

    /// A short human-readable rendering (first rows and columns).
    public var description: String {
        let shownRows = min(rows, 6), shownColumns = min(columns, 6)
        var lines = ["Matrix \(rows)×\(columns)"]
        for i in 0..<shownRows {
            let cells = (0..<shownColumns).map { String(self[i, $0]) }
            lines.append("  [" + cells.joined(separator: ", ") + (columns > shownColumns ? ", …]" : "]"))
        }
        if rows > shownRows { lines.append("  …") }
        return lines.joined(separator: "\n")
    }
}

/// The Euclidean norm of a vector, scaled so that it neither overflows nor underflows.
public func euclideanNorm(_ vector: [Double]) -> Double {
    var scale = 0.0, sumOfSquares = 1.0
    for value in vector where value != 0 {
        let magnitude = abs(value)
        if scale < magnitude {
            sumOfSquares = 1 + sumOfSquares * (scale / magnitude) * (scale / magnitude)
            scale = magnitude
        } else {
            sumOfSquares += (magnitude / scale) * (magnitude / scale)
        }
    }
    if !scale.isFinite { return scale.isNaN ? .nan : .infinity }
    return scale * sumOfSquares.squareRoot()
}
