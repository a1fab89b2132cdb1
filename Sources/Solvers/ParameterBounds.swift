/// Lower and upper bounds per parameter (lmfit's `min`/`max`, SciPy's `bounds`): −∞ and +∞
/// where a side is open. Solvers that handle bounds (``LeastSquaresSolver/handlesBounds``) keep
/// every iterate inside the box; a parameter that ends on a bound is reported as such
/// (``FitResult/boundsActive``) and treated as fixed for the covariance.
public struct ParameterBounds: Sendable, Equatable, Codable {
    /// Lower bounds, n values (−∞: none).
    public var lower: [Double]
    /// Upper bounds, n values (+∞: none).
    public var upper: [Double]

    /// Bounds from both sides (n values each).
    public init(lower: [Double], upper: [Double]) {
        self.lower = lower
        self.upper = upper
    }

    /// Whether any side of any parameter is finite.
    public var isConstraining: Bool {
        lower.contains { $0 > -.infinity } || upper.contains { $0 < .infinity }
    }

    /// Nil when usable for `initial` (the free parameters `free`), otherwise what is wrong and
    /// for which parameter (named by `names` when given).
    func validationFailure(initial: [Double], free: [Int], names: [String]?) -> String? {
        let n = initial.count
        guard lower.count == n, upper.count == n else {
            return "bounds for \(lower.count) (lower) and \(upper.count) (upper) parameters, but there are \(n)"
        }
        func name(_ j: Int) -> String { names.map { "'\($0[j])'" } ?? "\(j)" }
        for j in 0..<n {
            if lower[j].isNaN || upper[j].isNaN || lower[j] == .infinity || upper[j] == -.infinity {
                return "the bounds of parameter \(name(j)) must be numbers (min may be −∞, max +∞), got [\(lower[j]), \(upper[j])]"
            }
            if !(lower[j] < upper[j]) {
                return "parameter \(name(j)) has min \(lower[j]) ≥ max \(upper[j]); to hold a parameter, fix it instead"
            }
        }
        for j in free where !(lower[j] <= initial[j] && initial[j] <= upper[j]) {
            return "the initial value \(initial[j]) of parameter \(name(j)) is outside its bounds [\(lower[j]), \(upper[j])]"
        }
        return nil
    }
}

/// Which bound a parameter ended on.
public enum ActiveBound: String, Sendable, Codable {
    /// x = min.
    case lower
    /// x = max.
    case upper
}
