import LinearAlgebra

extension Matrix {
    /// Overwrites row `row` with `values` (count = columns).
    @inlinable
    mutating func copyRow(_ row: Int, from values: [Double]) {
        let width = columns
        elements.withUnsafeMutableBufferPointer { target in
            values.withUnsafeBufferPointer { source in
                for column in 0..<width { target[row * width + column] = source[column] }
            }
        }
    }

    /// Overwrites row `row` at `columns` with `values` (count = `columns.count`; an empty
    /// `values`, a zero tangent, writes zeros). The row's other columns are left as they are.
    @inlinable
    mutating func copyRow(_ row: Int, columns: Range<Int>, from values: [Double]) {
        let offset = row * self.columns + columns.lowerBound, count = columns.count
        elements.withUnsafeMutableBufferPointer { target in
            if values.isEmpty {
                for index in 0..<count { target[offset + index] = 0 }
                return
            }
            precondition(values.count == count, "\(values.count) values for \(count) columns")
            values.withUnsafeBufferPointer { source in
                for index in 0..<count { target[offset + index] = source[index] }
            }
        }
    }

    /// Overwrites rows `start ..< start + block.rows` with `block` (same column count).
    @inlinable
    mutating func copyRows(startingAt start: Int, from block: Matrix) {
        let offset = start * columns, count = block.count
        elements.withUnsafeMutableBufferPointer { target in
            block.elements.withUnsafeBufferPointer { source in
                for index in 0..<count { target[offset + index] = source[index] }
            }
        }
    }

    /// Overwrites columns `start ..< start + block.columns` with `block` (same row count).
    @inlinable
    mutating func copyColumns(startingAt start: Int, from block: Matrix) {
        let width = columns, blockWidth = block.columns, height = rows
        elements.withUnsafeMutableBufferPointer { target in
            block.elements.withUnsafeBufferPointer { source in
                for row in 0..<height {
                    for column in 0..<blockWidth {
                        target[row * width + start + column] = source[row * blockWidth + column]
                    }
                }
            }
        }
    }
}

/// Bytes of `count` doubles.
@inlinable
func byteCount(_ count: Int) -> Int { count * MemoryLayout<Double>.stride }

extension Matrix {
    /// Sets column `column` to value(row) for every row.
    @inlinable
    mutating func setColumn(_ column: Int, _ value: (Int) -> Double) {
        let width = columns, height = rows
        elements.withUnsafeMutableBufferPointer { target in
            for row in 0..<height { target[row * width + column] = value(row) }
        }
    }

    /// Multiplies column `column` by `factor`.
    @inlinable
    mutating func scaleColumn(_ column: Int, by factor: Double) {
        let width = columns, height = rows
        elements.withUnsafeMutableBufferPointer { target in
            for row in 0..<height { target[row * width + column] *= factor }
        }
    }

    /// Sets row `row` to value(column) for every column.
    @inlinable
    mutating func setRow(_ row: Int, _ value: (Int) -> Double) {
        let width = columns
        elements.withUnsafeMutableBufferPointer { target in
            for column in 0..<width { target[row * width + column] = value(column) }
        }
    }
}
