/// A map that says whether its own derivative products are exact — the capability of a map
/// whose pushforward and pullback are approximations (a black-box closure differentiated by
/// finite differences, `CurveResiduals`), so that no strategy built on them is exact there.
///
/// `auto` asks it first: on a map whose sweeps are not exact it takes the map's own
/// ``jacobianStrategy`` and says why, instead of ranking sweep strategies it would call exact.
/// Maps without this capability have exact sweeps (every model of the engine).
public protocol DerivativeExactnessDescribing: DifferentiableMap {
    /// Whether pushforward, pullback (and per-sample rows) are exact to rounding.
    var sweepsAreExact: Bool { get }
    /// The strategy that differentiates the map by its own method (for finite-difference sweeps,
    /// the difference strategy with the map's steps).
    var jacobianStrategy: any JacobianStrategy { get }
}
