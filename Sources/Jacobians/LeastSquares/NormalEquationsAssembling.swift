import LinearAlgebra

/// A residual map that can assemble its Gauss-Newton normal equations JᵀJ and Jᵀr without
/// forming J (for example from per-sample factors of a network), so a solver working on the
/// normal equations skips the strategy's Jacobian and the m × n Gram product.
///
/// The assembly must be exact to rounding: every entry a sum of the same products as
/// Σᵢ JᵢₖJᵢₗ (and Σᵢ Jᵢₖrᵢ) in some order. Solvers use it only when they see the map
/// unchanged (no fixed parameters, no σ weights).
public protocol NormalEquationsAssembling: DifferentiableMap {
    /// An assembler sized for this map (buffers allocated once, reused every iteration), or
    /// nil when this instance does not qualify (the solver then forms JᵀJ from J).
    func makeNormalEquationsAssembler() -> (any NormalEquationsAssembler)?
}

/// One map's normal-equations assembly: form the factors at a point, then assemble JᵀJ and
/// Jᵀr from them and the residuals at the same point. Not thread-safe; one per fit.
public protocol NormalEquationsAssembler: AnyObject {
    /// n, the number of parameters (JᵀJ is n × n).
    var parameterCount: Int { get }
    /// Forms the factors at `point` (the Jacobian's share of the work: about one forward
    /// sweep with derivatives).
    func formFactors(at point: [Double])
    /// JᵀJ (n × n, both triangles) into `gram` and Jᵀr into `gradient`, from the factors last
    /// formed and the residuals r at the same point; `gram` and `gradient` are resized when
    /// their sizes differ, and nothing is allocated once they fit.
    func assemble(residuals: [Double], gram: inout Matrix, gradient: inout [Double])
    /// Seconds so far that ``assemble(residuals:gram:gradient:)`` spent on Jacobian work
    /// (forming rows) rather than products; the solver books them as Jacobian time.
    var rowSeconds: Double { get }
}

extension NormalEquationsAssembler {
    /// No Jacobian work inside the assembly (it is all in ``formFactors(at:)``).
    public var rowSeconds: Double { 0 }
}
