import CBLASLapack

/// The thin singular value decomposition A = U·Σ·Vᵀ of an m × n matrix (LAPACK dgesdd,
/// divide and conquer), with k = min(m, n): U is m × k, Σ = diag(σ₁ ≥ … ≥ σₖ ≥ 0), Vᵀ is k × n.
///
/// The most robust (and most expensive) way to solve least squares: it gives the
/// minimum-norm solution of rank-deficient problems and the exact 2-norm condition number.
/// The row-major A is handed to LAPACK as the column-major Aᵀ = V·Σ·Uᵀ, so U and Vᵀ come out
/// directly in row-major order without transposition. `factor(_:)` reuses all storage.
public struct SingularValueDecomposition: Sendable {
    /// σ₁ ≥ σ₂ ≥ … ≥ σₖ ≥ 0.
    public private(set) var singularValues: [Double]
    /// U, m × k with orthonormal columns (the left singular vectors).
    public private(set) var u: Matrix
    /// Vᵀ, k × n with orthonormal rows (the right singular vectors).
    public private(set) var vTransposed: Matrix
    @usableFromInline var scratch: [Double]
    @usableFromInline var work: [Double]
    @usableFromInline var integerWork: [Int32]
    @usableFromInline var workShape: (rows: Int, columns: Int)

    /// An empty decomposition (0 × 0) to be filled by `factor(_:)`.
    public init() {
        singularValues = []
        u = Matrix(rows: 0, columns: 0)
        vTransposed = Matrix(rows: 0, columns: 0)
        scratch = []
        work = []
        integerWork = []
        workShape = (-1, -1)
    }

    /// Decomposes `a`.
    /// - Throws: `.nonFiniteInput` for NaN/∞; `.lapackFailure` if dgesdd does not converge.
    /// - Complexity: about 4mn² + 8n³ flops for m ≥ n.
    public init(_ a: Matrix) throws(LinearAlgebraError) {
        self.init()
        try factor(a)
    }

    /// Decomposes `a`, reusing this value's storage (no allocation when the shape is unchanged).
    /// After a thrown `.lapackFailure` the factors hold partial results until the next successful call;
    /// after `.nonFiniteInput` they are unchanged.
    /// - Throws: as `init(_:)`.
    public mutating func factor(_ a: Matrix) throws(LinearAlgebraError) {
        try requireFinite(a.elements, columns: a.columns, operand: "matrix to decompose")
        let m = a.rows, n = a.columns, k = min(m, n)
        copy(a.elements, into: &scratch)
        if singularValues.count != k { singularValues = Array(repeating: 0, count: k) }
        if u.rows != m || u.columns != k { u.reshape(rows: m, columns: k) }
        if vTransposed.rows != k || vTransposed.columns != n { vTransposed.reshape(rows: k, columns: n) }
        if k == 0 { return }
        if workShape != (m, n) {
            var optimalSize = 0.0
            if integerWork.count != 8 * k { integerWork = Array(repeating: 0, count: 8 * k) }
            _ = runDecomposition(work: &optimalSize, workCount: -1)
            work = Array(repeating: 0, count: max(Int(optimalSize), 1))
            workShape = (m, n)
        }
        var workspace = work  // moved out and back so the buffer stays uniquely referenced
        work = []
        let info = workspace.withUnsafeMutableBufferPointer { workBuffer in
            runDecomposition(work: workBuffer.baseAddress, workCount: Int32(workBuffer.count))
        }
        work = workspace
        if info != 0 { throw .lapackFailure(routine: "dgesdd", info: Int(info)) }
    }

    /// Calls dgesdd on the column-major view of `scratch` (Aᵀ, n × m).
    private mutating func runDecomposition(work: UnsafeMutablePointer<Double>?, workCount: Int32) -> Int32 {
        let m = u.rows, n = vTransposed.columns, k = singularValues.count
        return scratch.withUnsafeMutableBufferPointer { aBuffer in
            singularValues.withUnsafeMutableBufferPointer { sBuffer in
                // Aᵀ = U'·Σ·V'ᵀ with U' = V (column-major n × k is row-major Vᵀ, k × n)
                // and V'ᵀ = Uᵀ (column-major k × m is row-major U, m × k).
                vTransposed.elements.withUnsafeMutableBufferPointer { leftBuffer in
                    u.elements.withUnsafeMutableBufferPointer { rightBuffer in
                        integerWork.withUnsafeMutableBufferPointer { iwork in
                            LAPACKE_dgesdd_work(
                                LAPACK_COL_MAJOR, Int8(UInt8(ascii: "S")), Int32(n), Int32(m),
                                aBuffer.baseAddress, lapackDimension(n), sBuffer.baseAddress,
                                leftBuffer.baseAddress, lapackDimension(n),
                                rightBuffer.baseAddress, lapackDimension(k),
                                work, workCount, iwork.baseAddress)
                        }
                    }
                }
            }
        }
    }

    /// The number of singular values with σᵢ > `relativeTolerance`·σ₁.
    /// A common choice is max(m, n)·ε.
    public func rank(relativeTolerance: Double) -> Int {
        guard let largest = singularValues.first else { return 0 }
        return singularValues.filter { $0 > relativeTolerance * largest }.count
    }

    /// κ₂(A) = σ₁/σₖ; `.infinity` when σₖ = 0, 1 for an empty matrix.
    public var conditionNumber: Double {
        guard let largest = singularValues.first, let smallest = singularValues.last else { return 1 }
        return smallest > 0 ? largest / smallest : .infinity
    }

    /// Writes the minimum-norm least-squares solution x = V·Σ⁺·Uᵀ·b (length n) into `x`,
    /// where Σ⁺ inverts σᵢ > `relativeTolerance`·σ₁ and zeroes the rest (the truncated
    /// pseudo-inverse). Precondition: `b.count == u.rows`.
    ///
    /// Nothing is allocated once `x` has length n, except a k-element stack buffer.
    /// - Complexity: 2k(m + n) flops.
    public func solveLeastSquares(_ b: [Double], relativeTolerance: Double, into x: inout [Double]) {
        let m = u.rows, n = vTransposed.columns, k = singularValues.count
        precondition(b.count == m, "right-hand side has \(b.count) entries, matrix has \(m) rows")
        if x.count != n { x = Array(repeating: 0, count: n) }
        if k == 0 {
            for index in x.indices { x[index] = 0 }
            return
        }
        let threshold = relativeTolerance * singularValues[0]
        withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { coefficients in
            u.elements.withUnsafeBufferPointer { uBuffer in
                b.withUnsafeBufferPointer { bBuffer in
                    cblas_dgemv(
                        CblasRowMajor, CblasTrans, Int32(m), Int32(k), 1, uBuffer.baseAddress, Int32(k),
                        bBuffer.baseAddress, 1, 0, coefficients.baseAddress, 1)
                }
            }
            for index in 0..<k {
                let sigma = singularValues[index]
                coefficients[index] = sigma > threshold ? coefficients[index] / sigma : 0
            }
            vTransposed.elements.withUnsafeBufferPointer { vBuffer in
                x.withUnsafeMutableBufferPointer { xBuffer in
                    cblas_dgemv(
                        CblasRowMajor, CblasTrans, Int32(k), Int32(n), 1, vBuffer.baseAddress, Int32(n),
                        coefficients.baseAddress, 1, 0, xBuffer.baseAddress, 1)
                }
            }
        }
    }

    /// Returns the minimum-norm least-squares solution; see `solveLeastSquares(_:relativeTolerance:into:)`.
    public func solveLeastSquares(_ b: [Double], relativeTolerance: Double) -> [Double] {
        var x: [Double] = []
        solveLeastSquares(b, relativeTolerance: relativeTolerance, into: &x)
        return x
    }

    /// The truncated pseudo-inverse A⁺ = V·Σ⁺·Uᵀ (n × m), cutting σᵢ ≤ `relativeTolerance`·σ₁.
    /// - Complexity: 2·k·m·n flops.
    public func pseudoInverse(relativeTolerance: Double) -> Matrix {
        let m = u.rows, n = vTransposed.columns
        let threshold = relativeTolerance * (singularValues.first ?? 0)
        var scaledV = vTransposed  // row i scaled by 1/σᵢ (or zeroed), then A⁺ = (Σ⁺Vᵀ)ᵀ·Uᵀ
        for i in 0..<singularValues.count {
            let sigma = singularValues[i]
            let scale = sigma > threshold ? 1 / sigma : 0
            for j in 0..<n { scaledV[i, j] *= scale }
        }
        var result = Matrix(rows: n, columns: m)
        multiply(scaledV, u, transposeA: .transposed, transposeB: .transposed, into: &result)
        return result
    }
}
