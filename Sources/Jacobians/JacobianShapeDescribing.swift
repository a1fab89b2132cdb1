/// A map that knows its own ``JacobianShape`` better than ``JacobianShape/init(map:)`` can
/// tell from its sizes and capabilities: the work and memory one lane of its sweeps takes
/// (a network's lane work is 2 with respect to its parameters). `auto` and the cost model
/// read it; they never name the model type.
public protocol JacobianShapeDescribing: DifferentiableMap {
    /// The shape the cost model predicts this map's Jacobian strategies on.
    var jacobianShape: JacobianShape { get }
}

extension JacobianShape {
    /// The map's own description when it has one, else its sizes and capabilities.
    public static func described(by map: any DifferentiableMap) -> JacobianShape {
        (map as? any JacobianShapeDescribing)?.jacobianShape ?? JacobianShape(map: map)
    }
}
