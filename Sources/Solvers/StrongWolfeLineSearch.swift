/// A line search for φ(α) = f(x + αd) that returns a step satisfying the strong Wolfe
/// conditions φ(α) ≤ φ(0) + c₁αφ'(0) and |φ'(α)| ≤ c₂|φ'(0)| (Nocedal & Wright,
/// Algorithms 3.5 and 3.6: bracketing, then zoom with safeguarded cubic interpolation).
struct StrongWolfeLineSearch {
    var c1 = 1e-4
    var c2 = 0.9
    var maximumEvaluations = 20

    /// One trial: φ(α) and φ'(α), or nil when f is not finite there.
    typealias Trial = (value: Double, slope: Double)

    /// Returns the accepted α and its trial, or nil after `maximumEvaluations` trials.
    func search(initial: Double, value0: Double, slope0: Double, evaluate: (Double) -> Trial?) -> (alpha: Double, trial: Trial)? {
        var previousAlpha = 0.0
        var previous: Trial = (value0, slope0)
        var alpha = initial
        var evaluations = 0
        while evaluations < maximumEvaluations {
            evaluations += 1
            guard let current = evaluate(alpha) else {
                // Not finite: shrink towards the last good point.
                alpha = previousAlpha + 0.25 * (alpha - previousAlpha)
                continue
            }
            if current.value > value0 + c1 * alpha * slope0 || (evaluations > 1 && current.value >= previous.value) {
                return zoom(low: (previousAlpha, previous), high: (alpha, current), value0: value0, slope0: slope0,
                            budget: maximumEvaluations - evaluations, evaluate: evaluate)
            }
            if abs(current.slope) <= -c2 * slope0 { return (alpha, current) }
            if current.slope >= 0 {
                return zoom(low: (alpha, current), high: (previousAlpha, previous), value0: value0, slope0: slope0,
                            budget: maximumEvaluations - evaluations, evaluate: evaluate)
            }
            previousAlpha = alpha
            previous = current
            alpha *= 2
        }
        return nil
    }

    private func zoom(
        low: (Double, Trial), high: (Double, Trial), value0: Double, slope0: Double, budget: Int,
        evaluate: (Double) -> Trial?
    ) -> (alpha: Double, trial: Trial)? {
        var (aLow, tLow) = low
        var (aHigh, tHigh) = high
        for _ in 0..<max(budget, 0) {
            let width = aHigh - aLow
            var alpha = cubicMinimizer(aLow, tLow, aHigh, tHigh) ?? (aLow + 0.5 * width)
            let lower = min(aLow, aHigh) + 0.1 * abs(width), upper = max(aLow, aHigh) - 0.1 * abs(width)
            if !(alpha >= lower && alpha <= upper) { alpha = aLow + 0.5 * width }
            guard let trial = evaluate(alpha) else {
                aHigh = alpha
                tHigh = (.infinity, 0)
                continue
            }
            if trial.value > value0 + c1 * alpha * slope0 || trial.value >= tLow.value {
                aHigh = alpha
                tHigh = trial
            } else {
                if abs(trial.slope) <= -c2 * slope0 { return (alpha, trial) }
                if trial.slope * (aHigh - aLow) >= 0 {
                    aHigh = aLow
                    tHigh = tLow
                }
                aLow = alpha
                tLow = trial
            }
            if abs(aHigh - aLow) <= 1e-16 * max(abs(aLow), 1) { break }
        }
        // Out of budget: accept the best point found if it decreased the value enough.
        if aLow > 0 && tLow.value <= value0 + c1 * aLow * slope0 { return (aLow, tLow) }
        return nil
    }

    /// The minimiser of the cubic through (a, φa, φ'a), (b, φb, φ'b), or nil.
    private func cubicMinimizer(_ a: Double, _ ta: Trial, _ b: Double, _ tb: Trial) -> Double? {
        guard ta.value.isFinite, tb.value.isFinite else { return nil }
        let d1 = ta.slope + tb.slope - 3 * (ta.value - tb.value) / (a - b)
        let discriminant = d1 * d1 - ta.slope * tb.slope
        guard discriminant >= 0 else { return nil }
        let d2 = (b > a ? 1.0 : -1.0) * discriminant.squareRoot()
        let result = b - (b - a) * (tb.slope + d2 - d1) / (tb.slope - ta.slope + 2 * d2)
        return result.isFinite ? result : nil
    }
}
