import Synchronization
import Testing
@testable import LinearAlgebra

/// The kernels behind `--threads`: tasks run once each, and the tiled Gram product and Cholesky
/// factorization are exact to rounding and give the same bits on any number of workers.
@Suite struct ParallelKernelTests {
    @Test(arguments: [0, 1, 7, 100], [1, 2, 3, 8])
    func everyTaskRunsExactlyOnceOnAWorkerInRange(count: Int, workers: Int) {
        let runs = Mutex<[Int]>(Array(repeating: 0, count: count))
        let outOfRange = Atomic<Int>(0)
        ParallelTasks.run(count: count, workers: workers) { task, worker in
            runs.withLock { $0[task] += 1 }
            if worker < 0 || worker >= max(1, min(workers, count)) { outOfRange.add(1, ordering: .relaxed) }
        }
        #expect(runs.withLock { $0 } == Array(repeating: 1, count: count))
        #expect(outOfRange.load(ordering: .relaxed) == 0)
    }

    @Test func upperTilesAreEnumeratedRowByRow() {
        let tiles = (0..<10).map { TiledGram.upperTile($0, of: 4) }
        #expect(tiles.map { [$0.0, $0.1] } == [[0, 0], [0, 1], [0, 2], [0, 3], [1, 1], [1, 2], [1, 3], [2, 2], [2, 3], [3, 3]])
    }

    @Test(arguments: [(1, 129), (50, 300), (400, 257), (0, 200)])
    func tiledGramMatchesTheProductAndIsBitwiseEqualOnAnyWorkerCount(rows: Int, columns: Int) {
        let a = TestMatrices.random(rows: rows, columns: columns, seed: rows + columns)
        var one = Matrix(rows: 0, columns: 0)
        TiledGram.gram(of: a, into: &one, workers: 1)
        let reference = multiply(a, a, transposeA: .transposed)
        #expect(TestMatrices.maximumAbsoluteDifference(one, reference) <= 1e-13 * Double(max(rows, 1)))
        #expect(one == one.transposed)
        for workers in [2, 3] {
            var other = Matrix(rows: 0, columns: 0)
            TiledGram.gram(of: a, into: &other, workers: workers)
            let same = other.elements == one.elements
            #expect(same, "\(workers) workers")
        }
    }

    @Test func blocksOfRowsAddUpToTheWholeGramAndGradient() {
        let rows = 300, columns = 270
        let a = TestMatrices.random(rows: rows, columns: columns, seed: 11)
        let r = TestMatrices.randomVector(rows, seed: 12)
        var gram = Array(repeating: Double.nan, count: columns * columns), gradient = Array(repeating: Double.nan, count: columns)
        a.elements.withUnsafeBufferPointer { source in
            r.withUnsafeBufferPointer { residuals in
                gram.withUnsafeMutableBufferPointer { c in
                    gradient.withUnsafeMutableBufferPointer { g in
                        for (first, count) in [(0, 128), (128, 100), (228, 72)] {
                            TiledGram.accumulate(
                                rows: source.baseAddress! + first * columns, rowCount: count, columns: columns, rowStride: columns,
                                residuals: residuals.baseAddress! + first, overwrite: first == 0,
                                gram: c.baseAddress!, gradient: g.baseAddress!, workers: 2)
                        }
                        TiledGram.mirror(gram: c.baseAddress!, columns: columns, workers: 2)
                    }
                }
            }
        }
        let reference = multiply(a, a, transposeA: .transposed)
        let difference = zip(gram, reference.elements).map { abs($0 - $1) }.max() ?? .nan
        #expect(difference <= 1e-12)
        var expectedGradient = Array(repeating: 0.0, count: columns)
        multiply(a, r, transposeA: .transposed, into: &expectedGradient)
        #expect((zip(gradient, expectedGradient).map { abs($0 - $1) }.max() ?? .nan) <= 1e-12)
    }

    @Test(arguments: [257, 300, 521])
    func tiledCholeskyFactorsToRoundingWithTheSameBitsOnAnyWorkerCount(order: Int) {
        let a = TestMatrices.symmetricPositiveDefinite(order: order, shift: 0.5, seed: order)
        func factor(workers: Int) -> [Double] {
            var storage = a.transposed.elements   // column-major
            let info = storage.withUnsafeMutableBufferPointer { TiledCholesky.factorInPlace($0.baseAddress!, order: order, workers: workers) }
            #expect(info == 0)
            for j in 0..<order { for i in (j + 1)..<order { storage[i + j * order] = 0 } }
            return storage
        }
        let one = factor(workers: 1)
        // UᵀU = A to rounding.
        var largest = 0.0
        for i in 0..<order {
            for j in i..<order {
                var sum = 0.0
                for k in 0...i { sum += one[k + i * order] * one[k + j * order] }
                largest = max(largest, abs(sum - a[i, j]))
            }
        }
        let scale = a.elements.map { abs($0) }.max() ?? 1
        #expect(largest <= 1e-13 * scale * Double(order))
        for workers in [2, 3] {
            let same = factor(workers: workers) == one
            #expect(same, "\(workers) workers")
        }
    }

    @Test func tiledCholeskyReportsTheFirstIndefiniteMinor() {
        let order = 300
        var a = Matrix(rows: order, columns: order)
        for i in 0..<order { a[i, i] = i == 290 ? -1 : 2 }
        var storage = a.elements
        let info = storage.withUnsafeMutableBufferPointer { TiledCholesky.factorInPlace($0.baseAddress!, order: order, workers: 2) }
        #expect(info == 291)
    }
}
