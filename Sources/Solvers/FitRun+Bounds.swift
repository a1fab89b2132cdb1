import LinearAlgebra

/// Bounds at the end of a fit: which parameters sit on one, whether holding them there is
/// stationary, and the Jacobian without their columns (they are held, as fixed ones, for the
/// covariance).
extension FitRun {
    /// Per parameter (all n), the bound it sits on at the free point `point`; nil without bounds.
    func activeBounds(at point: [Double]) -> [ActiveBound?]? {
        guard let lower = freeLowerBounds, let upper = freeUpperBounds else { return nil }
        var active = [ActiveBound?](repeating: nil, count: problem.initialParameters.count)
        for (k, index) in map.freeIndices.enumerated() {
            if point[k] <= lower[k] { active[index] = .lower } else if point[k] >= upper[k] { active[index] = .upper }
        }
        return active
    }

    /// Whether a gradient component pushes a parameter on `bound` out of the box (−g points
    /// below its lower bound or above its upper one), so that holding it there is stationary.
    func pointsOutOfBox(gradient: Double, bound: ActiveBound?) -> Bool {
        switch bound {
        case .lower?: return gradient >= 0
        case .upper?: return gradient <= 0
        case nil: return false
        }
    }

    /// The name of parameter `index` in messages.
    func parameterName(_ index: Int) -> String { problem.parameterNames?[index] ?? "p\(index)" }

    /// `jacobian` without the columns in `excluded`.
    static func columns(of jacobian: Matrix, excluding excluded: Set<Int>) -> Matrix {
        let kept = (0..<jacobian.columns).filter { !excluded.contains($0) }
        var result = Matrix(rows: jacobian.rows, columns: kept.count)
        for i in 0..<jacobian.rows { for (k, j) in kept.enumerated() { result[i, k] = jacobian[i, j] } }
        return result
    }
}
