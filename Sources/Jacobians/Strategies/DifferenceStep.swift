/// The step of the finite-difference strategies along one coordinate, scaled to it as MINPACK's
/// `fdjac2` scales it: h = c·|x|, so a parameter of size 1e-7 gets a step of size c·1e-7 (a
/// step c·max(|x|, 1) would be 10⁷ times the parameter and lose its derivative entirely; see
/// `NISTFiniteDifferenceTests`). A coordinate at or near zero (|x| ≤ 1e-8·τ)
/// takes h = c·τ instead, τ its typical scale: |x₀| of a fit's start when nonzero, else 1.
/// The step is then made exactly representable, h ← (x + h) − x.
enum DifferenceStep {
    /// The step for coordinate value `x` with relative factor `relative` (c) and typical scale
    /// `typical` (τ > 0).
    static func size(relative: Double, at x: Double, typical: Double) -> Double {
        let scale = abs(x) > 1e-8 * typical ? abs(x) : typical
        let step = (x + relative * scale) - x
        // A step lost to rounding (x huge against c·τ) falls back to the next representable value.
        return step != 0 ? step : x.nextUp - x
    }

    /// τ for coordinate `index`: the given typical scales' entry when positive, else 1.
    static func typical(_ scales: [Double]?, _ index: Int) -> Double {
        guard let scales, index < scales.count, scales[index] > 0, scales[index].isFinite else { return 1 }
        return scales[index]
    }
}
