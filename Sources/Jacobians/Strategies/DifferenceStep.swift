/// The step of the finite-difference strategies along one coordinate, scaled to it.
///
/// - With a typical scale τ > 0 for the coordinate (a fit's starting |x₀|, a manifest's
///   `typical-scale`, or the model's initial parameters in an evaluation): h = c·max(|x|, τ),
///   so a parameter of size 1e-7 gets a step of size c·1e-7, and a parameter that heads towards
///   zero keeps the step of its scale (no step so small that rounding swamps the difference).
/// - Without one (τ unknown or 0): h = c·|x| as MINPACK's `fdjac2`, or c at |x| ≤ 1e-8.
///
/// A step c·max(|x|, 1) would be 10⁷ times a parameter of size 1e-7 and lose its derivative
/// entirely (see `NISTFiniteDifferenceTests`). The step is then made exactly representable,
/// h ← (x + h) − x.
enum DifferenceStep {
    /// The step for coordinate value `x` with relative factor `relative` (c) and typical scale
    /// `typical` (τ; 0 when unknown).
    static func size(relative: Double, at x: Double, typical: Double) -> Double {
        let magnitude = abs(x)
        let scale = typical > 0 ? max(magnitude, typical) : (magnitude > 1e-8 ? magnitude : 1)
        let step = (x + relative * scale) - x
        // A step lost to rounding (x huge against c·τ) falls back to the next representable value.
        return step != 0 ? step : x.nextUp - x
    }

    /// τ for coordinate `index`: the given typical scales' entry when positive and finite, else
    /// 0 (unknown).
    static func typical(_ scales: [Double]?, _ index: Int) -> Double {
        guard let scales, index < scales.count, scales[index] > 0, scales[index].isFinite else { return 0 }
        return scales[index]
    }
}

/// A finite-difference strategy whose steps take a typical scale per coordinate
/// (``DifferenceStep``): `forward-difference`, `central-difference`.
public protocol TypicalScaleStepping: JacobianStrategy {
    /// Typical magnitudes of the coordinates; nil: none.
    var typicalScale: [Double]? { get set }
}

extension TypicalScaleStepping {
    /// A copy with `typical` (a fit's |x₀|) as its typical scale; one given by a manifest's
    /// `typical-scale` is kept.
    public func withTypicalScale(_ typical: [Double]) -> any JacobianStrategy {
        guard typicalScale == nil else { return self }
        var copy = self
        copy.typicalScale = typical
        return copy
    }
}
