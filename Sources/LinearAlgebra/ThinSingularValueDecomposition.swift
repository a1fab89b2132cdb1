import CBLASLapack

/// A reusable thin SVD A = U Σ Vᵀ of an m × n column-major matrix (LAPACK dgesdd), for
/// solvers that decompose a Jacobian repeatedly (the covariance, the `svd` LM system);
/// k = min(m, n) singular values in decreasing order. ``SingularValueDecomposition`` is the
/// row-major value type over the same routine.
/// - Complexity: O(m n²) for m ≥ n; no allocation after the first call at a given shape.
public struct ThinSingularValueDecomposition: Sendable {
    /// m.
    public private(set) var rows = 0
    /// n.
    public private(set) var columns = 0
    /// σ₁ ≥ … ≥ σₖ ≥ 0.
    public private(set) var singularValues: [Double] = []
    /// U, m × k column-major: U[i + j·m].
    public private(set) var u: [Double] = []
    /// Vᵀ, k × n column-major: Vᵀ[i + j·k], so vᵢ (column i of V) has entries Vᵀ[i + j·k].
    public private(set) var vTransposed: [Double] = []
    private var work: [Double] = []
    private var integerWork: [Int32] = []
    private var copy: [Double] = []

    /// An empty decomposition, sized by the first ``factor(columnMajor:rows:columns:)``.
    public init() {}

    /// k = min(m, n), the number of singular values.
    public var rank: Int { singularValues.count }

    /// Factors `columnMajor` (m·n values, A[i + j·m]); false if LAPACK did not converge.
    public mutating func factor(columnMajor a: [Double], rows m: Int, columns n: Int) -> Bool {
        let k = min(m, n)
        if m != rows || n != columns {
            rows = m
            columns = n
            singularValues = Array(repeating: 0, count: k)
            u = Array(repeating: 0, count: m * k)
            vTransposed = Array(repeating: 0, count: k * n)
            integerWork = Array(repeating: 0, count: 8 * k)
            copy = Array(repeating: 0, count: m * n)
            var query = 0.0
            _ = LAPACKE_dgesdd_work(
                LAPACK_COL_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n), &copy, Int32(max(m, 1)),
                &singularValues, &u, Int32(max(m, 1)), &vTransposed, Int32(max(k, 1)), &query, -1, &integerWork)
            work = Array(repeating: 0, count: max(1, Int(query)))
        }
        if k == 0 { return true }
        for index in 0..<(m * n) { copy[index] = a[index] }
        let info = LAPACKE_dgesdd_work(
            LAPACK_COL_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n), &copy, Int32(max(m, 1)),
            &singularValues, &u, Int32(max(m, 1)), &vTransposed, Int32(max(k, 1)), &work, Int32(work.count), &integerWork)
        return info == 0
    }

    /// Number of singular values above `relativeTolerance · σ₁`.
    public func numericalRank(relativeTolerance: Double) -> Int {
        guard let largest = singularValues.first, largest > 0 else { return 0 }
        return singularValues.prefix { $0 > relativeTolerance * largest }.count
    }

    /// c = Uᵀ b for the first k columns of U.
    public func projectOntoLeftVectors(_ b: [Double], into c: inout [Double]) {
        let k = singularValues.count
        if c.count != k { c = Array(repeating: 0, count: k) }
        for j in 0..<k {
            var sum = 0.0
            let base = j * rows
            for i in 0..<rows { sum += u[base + i] * b[i] }
            c[j] = sum
        }
    }
}
