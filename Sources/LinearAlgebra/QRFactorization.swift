import CBLASLapack

/// The QR factorization A·P = Q·R of an m × n matrix with m ≥ n (LAPACK dgeqrf, or dgeqp3 with
/// column pivoting), for least-squares solves that do not square the condition number.
///
/// Q (m × m, orthogonal) is kept as Householder reflectors and applied with dormqr; R is n × n
/// upper triangular; P is the identity unless `pivoting` was requested, in which case
/// |r₁₁| ≥ |r₂₂| ≥ … and the diagonal reveals the numerical rank. `factor(_:pivoting:)` reuses
/// all storage, so a per-iteration caller allocates only on the first call for a given shape.
public struct QRFactorization: Sendable {
    /// Column-major m × n: R on and above the diagonal, reflectors below (LAPACK layout).
    @usableFromInline var packed: [Double]
    @usableFromInline var reflectorScales: [Double]
    @usableFromInline var pivots: [Int32]
    @usableFromInline var work: [Double]
    @usableFromInline var workShape: (rows: Int, columns: Int, pivoting: Bool)
    @usableFromInline var isFactored: Bool

    /// Number of rows m of the factored matrix.
    public private(set) var rows: Int
    /// Number of columns n of the factored matrix.
    public private(set) var columns: Int
    /// Whether the factorization used column pivoting (dgeqp3).
    public private(set) var isPivoted: Bool
    /// How many of the `rows` are an appended diagonal (n after `factor(_:appendingDiagonal:pivoting:)`, else 0).
    public private(set) var appendedDiagonalRows: Int

    /// An empty factorization (0 × 0) to be filled by `factor(_:pivoting:)`.
    public init() {
        packed = []
        reflectorScales = []
        pivots = []
        work = []
        workShape = (-1, -1, false)
        isFactored = true
        rows = 0
        columns = 0
        isPivoted = false
        appendedDiagonalRows = 0
    }

    /// Factors `a` (m × n, m ≥ n).
    /// - Throws: `.dimensionMismatch` when m < n, `.nonFiniteInput` for NaN/∞.
    /// - Complexity: 2n²(m − n/3) flops.
    public init(_ a: Matrix, pivoting: Bool = false) throws(LinearAlgebraError) {
        self.init()
        try factor(a, pivoting: pivoting)
    }

    /// Refactors with `a`, reusing this value's storage (no allocation when the shape and the
    /// pivoting choice are unchanged). After a thrown error the value is unusable until the
    /// next successful `factor`.
    /// - Throws: as `init(_:pivoting:)`.
    public mutating func factor(_ a: Matrix, pivoting: Bool = false) throws(LinearAlgebraError) {
        try factor(a, diagonal: nil, pivoting: pivoting)
    }

    /// Factors the augmented (m + n) × n matrix [A; diag(d)] without the caller building it:
    /// the damped least-squares problem min ‖A·x − b‖² + ‖D·x‖² of Levenberg-Marquardt
    /// (D = √λ·I or √λ·diag(JᵀJ)^½), solved without squaring the condition number.
    ///
    /// `solveLeastSquares` then accepts a right-hand side of length m (the zero block for the
    /// diagonal rows is implied) or m + n. Storage is reused as for `factor(_:pivoting:)`.
    /// - Throws: `.dimensionMismatch` when `diagonal.count != a.columns`, `.nonFiniteInput` for NaN/∞.
    /// - Complexity: 2n²(m + 2n/3) flops.
    public mutating func factor(
        _ a: Matrix, appendingDiagonal diagonal: [Double], pivoting: Bool = false
    ) throws(LinearAlgebraError) {
        guard diagonal.count == a.columns else {
            throw .dimensionMismatch("appended diagonal has \(diagonal.count) entries, matrix has \(a.columns) columns")
        }
        try requireFinite(diagonal, columns: 0, operand: "appended diagonal")
        try factor(a, diagonal: diagonal, pivoting: pivoting)
    }

    /// Copies A (and diag(d) below it) into column-major `packed`, then factors.
    private mutating func factor(_ a: Matrix, diagonal: [Double]?, pivoting: Bool) throws(LinearAlgebraError) {
        let appended = diagonal == nil ? 0 : a.columns
        let m = a.rows + appended, n = a.columns, sourceRows = a.rows
        guard m >= n else {
            throw .dimensionMismatch("QR least squares needs rows ≥ columns, got \(m)×\(n)")
        }
        isFactored = false
        try requireFinite(a.elements, columns: n, operand: "matrix to factor")
        rows = m
        columns = n
        isPivoted = pivoting
        appendedDiagonalRows = appended
        if packed.count != m * n { packed = Array(repeating: 0, count: m * n) }
        if reflectorScales.count != n { reflectorScales = Array(repeating: 0, count: n) }
        if pivots.count != n { pivots = Array(repeating: 0, count: n) }
        packed.withUnsafeMutableBufferPointer { destination in
            a.elements.withUnsafeBufferPointer { source in
                for i in 0..<sourceRows { for j in 0..<n { destination[j * m + i] = source[i * n + j] } }
            }
            if let diagonal {
                for j in 0..<n {
                    for i in sourceRows..<m { destination[j * m + i] = 0 }
                    destination[j * m + sourceRows + j] = diagonal[j]
                }
            }
        }
        if n == 0 { isFactored = true; return }
        if workShape != (m, n, pivoting) {
            var optimalSize = 0.0
            _ = runFactorization(pivoting: pivoting, work: &optimalSize, workCount: -1)
            work = Array(repeating: 0, count: max(Int(optimalSize), 1))
            workShape = (m, n, pivoting)
        }
        var info: Int32 = 0
        var workspace = work  // moved out and back so the buffer stays uniquely referenced
        work = []
        workspace.withUnsafeMutableBufferPointer { workBuffer in
            info = runFactorization(pivoting: pivoting, work: workBuffer.baseAddress, workCount: Int32(workBuffer.count))
        }
        work = workspace
        if info != 0 { throw .lapackFailure(routine: pivoting ? "dgeqp3" : "dgeqrf", info: Int(info)) }
        if !pivoting { for j in 0..<n { pivots[j] = Int32(j + 1) } }
        isFactored = true
    }

    /// Calls dgeqrf or dgeqp3 on `packed` (a workspace query when `workCount == -1`).
    private mutating func runFactorization(
        pivoting: Bool, work: UnsafeMutablePointer<Double>?, workCount: Int32
    ) -> Int32 {
        let m = Int32(rows), n = Int32(columns), leading = lapackDimension(rows)
        return packed.withUnsafeMutableBufferPointer { aBuffer in
            reflectorScales.withUnsafeMutableBufferPointer { tauBuffer in
                if pivoting {
                    return pivots.withUnsafeMutableBufferPointer { pivotBuffer in
                        for index in pivotBuffer.indices { pivotBuffer[index] = 0 }
                        return LAPACKE_dgeqp3_work(
                            LAPACK_COL_MAJOR, m, n, aBuffer.baseAddress, leading, pivotBuffer.baseAddress,
                            tauBuffer.baseAddress, work, workCount)
                    }
                }
                return LAPACKE_dgeqrf_work(
                    LAPACK_COL_MAJOR, m, n, aBuffer.baseAddress, leading, tauBuffer.baseAddress, work, workCount)
            }
        }
    }

    /// R, the n × n upper-triangular factor, as a new row-major matrix.
    public var upperTriangular: Matrix {
        precondition(isFactored, "QR factorization failed; call factor(_:pivoting:) again first")
        var result = Matrix(rows: columns, columns: columns)
        for i in 0..<columns { for j in i..<columns { result[i, j] = packed[j * rows + i] } }
        return result
    }

    /// The column permutation P as 0-based indices: column j of A·P is column
    /// `columnPermutation[j]` of A. The identity when not pivoting.
    public var columnPermutation: [Int] { pivots.map { Int($0) - 1 } }

    /// |rᵢᵢ|, the magnitudes of R's diagonal.
    @usableFromInline
    func diagonalMagnitude(_ index: Int) -> Double { abs(packed[index * rows + index]) }

    /// The largest |rᵢᵢ|.
    private var largestDiagonalMagnitude: Double {
        var largest = 0.0
        for index in 0..<columns { largest = max(largest, diagonalMagnitude(index)) }
        return largest
    }

    /// The number of diagonal elements with |rᵢᵢ| > `relativeTolerance` · maxⱼ |rⱼⱼ|.
    ///
    /// Reliable as a numerical rank only with `pivoting: true`; without pivoting it is an
    /// upper bound that can miss dependent columns.
    public func rank(relativeTolerance: Double) -> Int {
        precondition(isFactored, "QR factorization failed; call factor(_:pivoting:) again first")
        let threshold = relativeTolerance * largestDiagonalMagnitude
        var count = 0
        for index in 0..<columns where diagonalMagnitude(index) > threshold { count += 1 }
        return count
    }

    /// Writes Q·b or Qᵀ·b into `result` (dormqr, unblocked for a single vector: no workspace).
    private func applyQ(transposed: Bool, to b: [Double], into result: inout [Double]) {
        precondition(isFactored, "QR factorization failed; call factor(_:pivoting:) again first")
        precondition(b.count == rows, "vector has \(b.count) entries, Q is \(rows)×\(rows)")
        copy(b, into: &result)
        applyQ(transposed: transposed, inPlace: &result)
    }

    /// Overwrites `vector` (length m) with Q·vector or Qᵀ·vector.
    private func applyQ(transposed: Bool, inPlace result: inout [Double]) {
        if columns == 0 || rows == 0 { return }
        var scratch = 0.0
        _ = packed.withUnsafeBufferPointer { aBuffer in
            reflectorScales.withUnsafeBufferPointer { tauBuffer in
                result.withUnsafeMutableBufferPointer { cBuffer in
                    LAPACKE_dormqr_work(
                        LAPACK_COL_MAJOR, Int8(UInt8(ascii: "L")), Int8(UInt8(ascii: transposed ? "T" : "N")),
                        Int32(rows), 1, Int32(columns), aBuffer.baseAddress, lapackDimension(rows),
                        tauBuffer.baseAddress, cBuffer.baseAddress, lapackDimension(rows), &scratch, 1)
                }
            }
        }
    }

    /// Writes Qᵀ·b (length m) into `result`; no allocation once `result` has length m.
    /// Precondition: `b.count == rows`.
    /// - Complexity: 4·m·n − 2n² flops.
    public func multiplyQTransposed(_ b: [Double], into result: inout [Double]) {
        applyQ(transposed: true, to: b, into: &result)
    }

    /// Returns Qᵀ·b (length m); see `multiplyQTransposed(_:into:)`.
    public func multiplyQTransposed(_ b: [Double]) -> [Double] {
        var result: [Double] = []
        multiplyQTransposed(b, into: &result)
        return result
    }

    /// Writes Q·b (length m) into `result`. Precondition: `b.count == rows`.
    public func multiplyQ(_ b: [Double], into result: inout [Double]) {
        applyQ(transposed: false, to: b, into: &result)
    }

    /// Returns Q·b (length m).
    public func multiplyQ(_ b: [Double]) -> [Double] {
        var result: [Double] = []
        multiplyQ(b, into: &result)
        return result
    }

    /// The default singularity threshold: |rᵢᵢ| ≤ max(m, n)·ε·maxⱼ|rⱼⱼ| counts as zero.
    public var defaultSingularityTolerance: Double { Double(max(rows, columns)) * Double.ulpOfOne }

    /// Solves min ‖A·x − b‖₂ by x = P·R⁻¹·(Qᵀb)₁..ₙ (dormqr then dtrtrs), writing x (length n)
    /// into `x`.
    ///
    /// `x` temporarily holds m entries, so once its capacity has reached m the solve does not
    /// allocate (a pivoted solve uses an n-element stack buffer for the permutation).
    /// - Throws: `.dimensionMismatch` when `b.count` is neither `rows` nor (after
    ///   `factor(_:appendingDiagonal:pivoting:)`) the row count of A; `.singular(pivot:)` when some
    ///   |rᵢᵢ| ≤ `relativeTolerance`·maxⱼ|rⱼⱼ| (default max(m, n)·ε), i.e. A is rank deficient
    ///   to that tolerance — use `SingularValueDecomposition` for a minimum-norm solution.
    /// - Complexity: 4mn − n² flops. Relative error about cond(A)·ε (not cond² as with normal equations).
    public func solveLeastSquares(
        _ b: [Double], relativeTolerance: Double? = nil, into x: inout [Double]
    ) throws(LinearAlgebraError) {
        precondition(isFactored, "QR factorization failed; call factor(_:pivoting:) again first")
        guard b.count == rows || b.count == rows - appendedDiagonalRows else {
            throw .dimensionMismatch("right-hand side has \(b.count) entries, matrix has \(rows) rows")
        }
        let n = columns
        let threshold = (relativeTolerance ?? defaultSingularityTolerance) * largestDiagonalMagnitude
        for index in 0..<n where !(diagonalMagnitude(index) > threshold) { throw .singular(pivot: index) }
        copy(b, into: &x)
        if x.count < rows { x.append(contentsOf: repeatElement(0, count: rows - x.count)) }
        applyQ(transposed: true, inPlace: &x)
        if n == 0 { x.removeAll(keepingCapacity: true); return }
        let info = packed.withUnsafeBufferPointer { aBuffer in
            x.withUnsafeMutableBufferPointer { xBuffer in
                LAPACKE_dtrtrs_work(
                    LAPACK_COL_MAJOR, Int8(UInt8(ascii: "U")), Int8(UInt8(ascii: "N")), Int8(UInt8(ascii: "N")),
                    Int32(n), 1, aBuffer.baseAddress, lapackDimension(rows), xBuffer.baseAddress, lapackDimension(rows))
            }
        }
        if info > 0 { throw .singular(pivot: Int(info) - 1) }
        if info < 0 { throw .lapackFailure(routine: "dtrtrs", info: Int(info)) }
        if isPivoted {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: n) { solution in
                for j in 0..<n { solution[j] = x[j] }
                for j in 0..<n { x[Int(pivots[j]) - 1] = solution[j] }
            }
        }
        x.removeLast(rows - n)
    }

    /// Returns the least-squares solution (length n); see `solveLeastSquares(_:relativeTolerance:into:)`.
    public func solveLeastSquares(_ b: [Double], relativeTolerance: Double? = nil) throws(LinearAlgebraError) -> [Double] {
        var x: [Double] = []
        try solveLeastSquares(b, relativeTolerance: relativeTolerance, into: &x)
        return x
    }

    /// An estimate of 1/κ₁(R) = 1/κ₁(A) from R alone (LAPACK dtrcon, 1-norm), in [0, 1].
    ///
    /// Near ε or below means A is numerically rank deficient. Usually within a factor of 10.
    /// - Complexity: O(n²) flops.
    public func reciprocalConditionEstimate() -> Double {
        precondition(isFactored, "QR factorization failed; call factor(_:pivoting:) again first")
        let n = columns
        if n == 0 { return 1 }
        return estimateReciprocalCondition(order: n) { work, integerWork, reciprocalCondition in
            packed.withUnsafeBufferPointer { aBuffer in
                LAPACKE_dtrcon_work(
                    LAPACK_COL_MAJOR, Int8(UInt8(ascii: "1")), Int8(UInt8(ascii: "U")), Int8(UInt8(ascii: "N")),
                    Int32(n), aBuffer.baseAddress, lapackDimension(rows), reciprocalCondition, work, integerWork)
            }
        }
    }
}

/// Copies `source` into `destination`, resizing it only when the lengths differ.
@usableFromInline
func copy(_ source: [Double], into destination: inout [Double]) {
    if destination.count != source.count {
        destination.removeAll(keepingCapacity: true)
        destination.append(contentsOf: source)
        return
    }
    destination.withUnsafeMutableBufferPointer { target in
        source.withUnsafeBufferPointer { origin in
            for index in origin.indices { target[index] = origin[index] }
        }
    }
}

/// Runs a LAPACK condition estimator (dpocon, dtrcon) with stack workspaces of 3n doubles and
/// n integers; returns its reciprocal condition, or 0 when the routine reports an error.
@usableFromInline
func estimateReciprocalCondition(
    order n: Int,
    _ estimator: (UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Double>) -> Int32
) -> Double {
    var reciprocalCondition = 0.0
    let info = withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * n) { work in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: n) { integerWork in
            estimator(work.baseAddress, integerWork.baseAddress, &reciprocalCondition)
        }
    }
    return info == 0 ? reciprocalCondition : 0
}
