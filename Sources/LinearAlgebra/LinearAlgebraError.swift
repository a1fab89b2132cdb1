/// A failure of a dense factorization or solve, with a message a user can act on.
public enum LinearAlgebraError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The leading minor of order `minorOrder` (1-based) is not positive definite, so the
    /// Cholesky factorization does not exist (the matrix is not SPD, or is SPD only to rounding).
    case notPositiveDefinite(minorOrder: Int)
    /// A triangular factor has a zero (or negligible, relative to its largest) diagonal element
    /// at 0-based index `pivot`, so the system has no unique solution.
    case singular(pivot: Int)
    /// Operand shapes do not fit; the string names both shapes.
    case dimensionMismatch(String)
    /// The input holds a NaN or an infinity; the string names the operand and the first position.
    case nonFiniteInput(String)
    /// A LAPACK routine reported an illegal argument or failed to converge (`info` as returned).
    case lapackFailure(routine: String, info: Int)

    /// A one-line explanation naming what to change.
    public var description: String {
        switch self {
        case .notPositiveDefinite(let order):
            return "matrix is not positive definite (leading minor of order \(order) is not positive); "
                + "add damping to the diagonal or use a QR/SVD solve"
        case .singular(let pivot):
            return "matrix is singular to working precision (diagonal element \(pivot) of the triangular factor "
                + "is negligible); use a rank-revealing SVD solve or regularise the problem"
        case .dimensionMismatch(let detail):
            return "dimension mismatch: \(detail)"
        case .nonFiniteInput(let detail):
            return "non-finite input: \(detail); check the model output and parameters for NaN or infinity"
        case .lapackFailure(let routine, let info):
            return info < 0
                ? "LAPACK \(routine) rejected argument \(-info) (internal error; please report)"
                : "LAPACK \(routine) failed to converge (info \(info))"
        }
    }
}

/// Throws `.nonFiniteInput` naming the first NaN or infinity in `elements`.
@usableFromInline
func requireFinite(_ elements: [Double], columns: Int, operand: String) throws(LinearAlgebraError) {
    let firstBad: Int? = elements.withUnsafeBufferPointer { buffer in
        for index in buffer.indices where !buffer[index].isFinite { return index }
        return nil
    }
    if let index = firstBad {
        let position = columns > 0 ? "(\(index / columns), \(index % columns))" : "\(index)"
        throw .nonFiniteInput("\(operand) has \(elements[index]) at \(position)")
    }
}

/// Converts a dimension to LAPACK's integer type, at least 1 (for leading dimensions).
@inline(__always)
func lapackDimension(_ value: Int) -> Int32 { Int32(max(value, 1)) }
