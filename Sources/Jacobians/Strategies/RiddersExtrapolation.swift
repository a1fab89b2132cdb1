import LinearAlgebra

/// `ridders`: central differences at geometrically shrinking steps, combined by
/// Richardson extrapolation (Ridders' method, as Numerical Recipes' `dfridr` and
/// Ceres' `NumericDiffOptions`), with an error estimate per column.
///
/// For column j: h₀ = `initialRelativeStep`·|x_j| (`initialRelativeStep` when x_j = 0),
/// as Ceres, so that parameters of small scale get proportionally small steps; A₀,ᵢ = central difference
/// at h₀/tⁱ (t = `shrinkFactor`); Aₖ,ᵢ = (t^{2k}·Aₖ₋₁,ᵢ − Aₖ₋₁,ᵢ₋₁)/(t^{2k} − 1).
/// The estimate of a tableau entry is the larger ∞-norm change against its two
/// parents; the best entry is kept. Stops when the diagonal error grows past twice
/// the best (rounding has taken over), when the best error is below
/// `relativeTolerance`·‖column‖∞, or after `maximumExtrapolations` steps.
/// Promised relative Frobenius error: 1e-10 on smooth, well-scaled maps.
///
/// - Cost: 2 evaluations per tableau row, at most 2·n·`maximumExtrapolations`.
public struct RiddersExtrapolation: CatalogedJacobianStrategy {
    /// h₀ relative to |x_j| (absolute when x_j = 0); 1e-2 as in Ceres.
    public var initialRelativeStep: Double
    /// t, the step divisor between tableau rows; 2 as in Ceres.
    public var shrinkFactor: Double
    /// Most tableau rows per column; 10 as in Ceres.
    public var maximumExtrapolations: Int
    /// Early stop once the error estimate is below this fraction of ‖column‖∞; 1e-12.
    public var relativeTolerance: Double

    /// Creates the strategy with Ceres' defaults.
    public init(
        initialRelativeStep: Double = 1e-2, shrinkFactor: Double = 2,
        maximumExtrapolations: Int = 10, relativeTolerance: Double = 1e-12
    ) {
        precondition(initialRelativeStep > 0 && shrinkFactor > 1 && maximumExtrapolations >= 2, "invalid Ridders options")
        self.initialRelativeStep = initialRelativeStep
        self.shrinkFactor = shrinkFactor
        self.maximumExtrapolations = maximumExtrapolations
        self.relativeTolerance = relativeTolerance
    }
    /// 1e-10.
    public var nominalRelativeError: Double { 1e-10 }
    /// Always applicable.
    public func inapplicabilityReason(for map: any DifferentiableMap) -> String? { nil }

    /// The Jacobian; see ``jacobianWithErrorEstimate(of:at:into:)``.
    public func jacobian(of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix) throws -> JacobianCost {
        jacobianWithErrorEstimate(of: map, at: point, into: &jacobian).cost
    }

    /// The Jacobian plus, for each column, the estimated ∞-norm error of the
    /// extrapolated column. Tableau storage is allocated once per call.
    public func jacobianWithErrorEstimate(
        of map: any DifferentiableMap, at point: [Double], into jacobian: inout Matrix
    ) -> (cost: JacobianCost, columnErrors: [Double]) {
        let m = map.outputCount, n = map.inputCount
        let depth = maximumExtrapolations
        jacobian.reshape(rows: m, columns: n)
        // Two tableau columns (previous and current), each `depth` vectors of m.
        var previous = [Double](repeating: 0, count: depth * m)
        var current = [Double](repeating: 0, count: depth * m)
        var best = [Double](repeating: 0, count: m)
        var plus = [Double](repeating: 0, count: m)
        var minus = [Double](repeating: 0, count: m)
        var shifted = point
        var columnErrors = [Double](repeating: 0, count: n)
        var evaluations = 0
        let shrinkSquared = shrinkFactor * shrinkFactor

        func centralDifference(_ input: Int, step: Double, into tableau: inout [Double]) {
            let x = point[input]
            shifted[input] = x + step
            map.evaluate(at: shifted, into: &plus)
            shifted[input] = x - step
            map.evaluate(at: shifted, into: &minus)
            shifted[input] = x
            evaluations += 2
            for row in 0..<m { tableau[row] = (plus[row] - minus[row]) / (2 * step) }
        }

        for input in 0..<n {
            let magnitude = abs(point[input])
            var step = initialRelativeStep * (magnitude > 0 ? magnitude : 1)
            centralDifference(input, step: step, into: &previous)
            for row in 0..<m { best[row] = previous[row] }
            var bestError = Double.infinity
            for level in 1..<depth {
                step /= shrinkFactor
                centralDifference(input, step: step, into: &current)
                var factor = shrinkSquared
                for order in 1...level {
                    var changeAgainstLeft = 0.0, changeAgainstUp = 0.0
                    let here = order * m, left = (order - 1) * m
                    for row in 0..<m {
                        let value = (factor * current[left + row] - previous[left + row]) / (factor - 1)
                        current[here + row] = value
                        changeAgainstLeft = max(changeAgainstLeft, abs(value - current[left + row]))
                        changeAgainstUp = max(changeAgainstUp, abs(value - previous[left + row]))
                    }
                    factor *= shrinkSquared
                    let error = max(changeAgainstLeft, changeAgainstUp)
                    if error <= bestError {
                        bestError = error
                        for row in 0..<m { best[row] = current[here + row] }
                    }
                }
                var diagonalChange = 0.0
                for row in 0..<m {
                    diagonalChange = max(diagonalChange, abs(current[level * m + row] - previous[(level - 1) * m + row]))
                }
                swap(&previous, &current)
                if diagonalChange >= 2 * bestError { break }
                var scale = 0.0
                for row in 0..<m { scale = max(scale, abs(best[row])) }
                if bestError <= relativeTolerance * scale { break }
            }
            jacobian.setColumn(input) { best[$0] }
            columnErrors[input] = bestError
        }
        let bytes = byteCount(2 * depth * m + 3 * m + 2 * n)
        return (JacobianCost(forwardEvaluations: evaluations, workspaceBytes: bytes), columnErrors)
    }
}

extension RiddersExtrapolation {
    /// `ridders`, inexact, option `relative-step` (its initial step); an accuracy reference
    /// `auto` never chooses.
    public static let entry = JacobianStrategyEntry(
        name: "ridders", summary: "Richardson-extrapolated central differences with an error estimate", cost: "≤ 2n·10 forward",
        isExact: false, options: ["relative-step"], notChosenByAuto: "an accuracy reference: many evaluations per column")

    /// Reads `relative-step` as the initial relative step (1e-2 unless given).
    public init(options: JacobianStrategyOptions) { self.init(initialRelativeStep: options.relativeStep ?? 1e-2) }

    /// At most 2·t·n evaluations (t = ``maximumExtrapolations``; an upper bound, it stops
    /// early when converged); workspace 8(2tm + 3m + 2n); 2tn forward-pass units.
    public func predictedWork(on shape: JacobianShape) -> PredictedJacobianWork {
        let m = shape.outputCount, n = shape.inputCount, depth = maximumExtrapolations
        let evaluations = 2 * depth * n
        return PredictedJacobianWork(
            cost: JacobianCost(forwardEvaluations: evaluations, workspaceBytes: JacobianShape.doubleBytes(2 * depth * m + 3 * m + 2 * n)),
            forwardPassUnits: Double(evaluations), lanesOfWidestSweep: 0, isUpperBound: true)
    }

    /// Its bound of evaluations, timed as forward differences' evaluations.
    public func networkMicroseconds(on network: NetworkTimeModel, work: PredictedJacobianWork) -> Double? {
        network.evaluations("forward-difference", Double(work.cost.forwardEvaluations))
    }

    /// An even number of evaluations (two per tableau row) in [4n, 2n·depth].
    public func conformanceProblems(reported: JacobianCost, on map: any DifferentiableMap) -> [String] {
        let evaluations = reported.forwardEvaluations, n = map.inputCount
        guard evaluations % 2 != 0 || evaluations < 4 * n || evaluations > 2 * n * maximumExtrapolations else { return [] }
        return ["\(evaluations) evaluations, expected an even number in [\(4 * n), \(2 * n * maximumExtrapolations)]"]
    }
}
