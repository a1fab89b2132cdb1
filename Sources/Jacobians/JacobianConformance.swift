import LinearAlgebra

/// What one strategy did on one map, checked against the reference Jacobian and
/// against the cost formula of the design.
public struct JacobianConformanceReport: Sendable, CustomStringConvertible {
    /// The strategy's manifest name.
    public var strategy: String
    /// Why the strategy could not run; the other fields are then empty.
    public var notApplicable: String?
    /// ‖J − J_ref‖_F / ‖J_ref‖_F.
    public var relativeError: Double = 0
    /// The tolerance the relative error was held to.
    public var tolerance: Double = 0
    /// What the strategy reported.
    public var cost = JacobianCost()
    /// What the design's formula says it must report (workspace bytes excluded), when fixed.
    public var expectedCost: JacobianCost?
    /// Every violation found; empty when the strategy conforms.
    public var problems: [String] = []

    /// True when applicable and no problem was found.
    public var passed: Bool { notApplicable == nil && problems.isEmpty }

    /// One line per problem, prefixed by the strategy name.
    public var description: String {
        if let notApplicable { return "\(strategy): not applicable (\(notApplicable))" }
        if problems.isEmpty { return "\(strategy): ok (relative error \(relativeError) ≤ \(tolerance))" }
        return problems.map { "\(strategy): \($0)" }.joined(separator: "\n")
    }
}

/// The compatibility kit every Jacobian strategy passes, usable from any test
/// target (and by the pipeline's accuracy checks) on any ``DifferentiableMap``:
///
/// ```swift
/// let report = try JacobianConformance.check(CentralDifference(), on: myMap, at: x)
/// #expect(report.passed, "\(report)")
/// ```
///
/// A report checks: the Jacobian's shape; agreement with the reference
/// (`forward-vectorized` unless given) to the strategy's tolerance in relative
/// Frobenius norm (1e-12 exact, 1e-13 complex step, the documented bound for
/// finite differences); the counters against the formulas below; and that a
/// second call into the same (now warm) buffer gives the identical matrix.
///
/// | strategy | counters |
/// | --- | --- |
/// | reverse-loop | m pullbacks, m cotangent lanes |
/// | forward-loop | n pushforwards, n tangent lanes |
/// | reverse-vectorized(chunk c) | ⌈m/c⌉ pullbacks, m lanes |
/// | forward-vectorized(chunk c) | ⌈n/c⌉ pushforwards, n lanes |
/// | per-sample | p pullbacks, S·p lanes |
/// | forward-difference | n + 1 evaluations |
/// | central-difference | 2n evaluations |
/// | ridders | an even number of evaluations in [4n, 2n·depth] |
/// | complex-step | n evaluations |
/// | swift-autodiff | 1 evaluation, m pullbacks, m lanes |
/// | auto | those of the strategy it chose |
public enum JacobianConformance {
    /// The tolerance a strategy is held to: 1e-12 for exact strategies, 1e-13 for
    /// complex step, the documented bound (`nominalRelativeError`) otherwise.
    public static func tolerance(for strategy: any JacobianStrategy) -> Double {
        if strategy is ComplexStep { return 1e-13 }
        return strategy.isExact ? 1e-12 : strategy.nominalRelativeError
    }

    /// The counters the design's "cost in passes" column prescribes, or nil when
    /// they are not fixed in advance (ridders, auto before it has chosen).
    public static func expectedCost(of strategy: any JacobianStrategy, on map: any DifferentiableMap) -> JacobianCost? {
        let n = map.inputCount, m = map.outputCount
        func sweeps(_ total: Int, _ chunk: Int?) -> Int {
            let lanes = max(1, min(chunk ?? total, total))
            return (total + lanes - 1) / lanes
        }
        switch strategy {
        case is ReverseLoop: return JacobianCost(pullbacks: m, cotangentLanes: m)
        case is ForwardLoop: return JacobianCost(pushforwards: n, tangentLanes: n)
        case let vectorized as ReverseVectorized:
            return JacobianCost(pullbacks: sweeps(m, vectorized.chunk), cotangentLanes: m)
        case let vectorized as ForwardVectorized:
            return JacobianCost(pushforwards: sweeps(n, vectorized.chunk), tangentLanes: n)
        case is PerSampleGradients:
            guard let structured = map as? any PerSampleStructured else { return nil }
            return JacobianCost(pullbacks: structured.outputsPerSample, cotangentLanes: m)
        case is ForwardDifference: return JacobianCost(forwardEvaluations: n + 1)
        case is CentralDifference: return JacobianCost(forwardEvaluations: 2 * n)
        case is ComplexStep: return JacobianCost(forwardEvaluations: n)
        case is SwiftAutodiff: return JacobianCost(forwardEvaluations: 1, pullbacks: m, cotangentLanes: m)
        case let auto as AutoStrategy:
            guard let chosen = auto.lastDecision?.strategy else { return nil }
            return expectedCost(of: chosen, on: map)
        default: return nil
        }
    }

    /// Runs `strategy` on `map` at `point` twice and checks it (see the type's
    /// documentation). `reference` defaults to `forward-vectorized`.
    public static func check(
        _ strategy: any JacobianStrategy, on map: any DifferentiableMap, at point: [Double],
        reference: Matrix? = nil, tolerance: Double? = nil
    ) throws -> JacobianConformanceReport {
        var report = JacobianConformanceReport(strategy: strategy.name)
        if let reason = strategy.inapplicabilityReason(for: map) {
            report.notApplicable = reason
            return report
        }
        let expected = try reference ?? ForwardVectorized().jacobian(of: map, at: point)
        let m = map.outputCount, n = map.inputCount
        var jacobian = Matrix(rows: 1, columns: 1)
        report.cost = try strategy.jacobian(of: map, at: point, into: &jacobian)
        report.tolerance = tolerance ?? self.tolerance(for: strategy)
        if jacobian.rows != m || jacobian.columns != n {
            report.problems.append("shape \(jacobian.rows)×\(jacobian.columns), expected \(m)×\(n)")
            return report
        }
        report.relativeError = relativeDifference(jacobian, expected)
        if !(report.relativeError <= report.tolerance) {
            report.problems.append("relative Frobenius error \(report.relativeError) exceeds \(report.tolerance)")
        }
        if let formula = expectedCost(of: strategy, on: map) {
            report.expectedCost = formula
            var counted = report.cost
            counted.workspaceBytes = 0
            if counted != formula {
                report.problems.append("counters \(describe(report.cost)) differ from the formula \(describe(formula))")
            }
        }
        if strategy is RiddersExtrapolation {
            let evaluations = report.cost.forwardEvaluations
            let depth = (strategy as? RiddersExtrapolation)?.maximumExtrapolations ?? 10
            if evaluations % 2 != 0 || evaluations < 4 * n || evaluations > 2 * n * depth {
                report.problems.append("\(evaluations) evaluations, expected an even number in [\(4 * n), \(2 * n * depth)]")
            }
        }
        if report.cost.workspaceBytes < 0 { report.problems.append("negative workspace bytes") }
        var again = jacobian
        _ = try strategy.jacobian(of: map, at: point, into: &again)
        if again != jacobian && !(strategy is AutoStrategy) {
            report.problems.append("a second call into the warm buffer gave a different Jacobian (relative difference \(relativeDifference(again, jacobian)))")
        }
        return report
    }

    /// ‖a − b‖_F / ‖b‖_F (absolute when ‖b‖ = 0); infinity when shapes differ.
    public static func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
        guard a.rows == b.rows && a.columns == b.columns else { return .infinity }
        var difference = a
        for index in difference.elements.indices { difference.elements[index] -= b.elements[index] }
        let scale = b.frobeniusNorm
        return scale > 0 ? difference.frobeniusNorm / scale : difference.frobeniusNorm
    }

    static func describe(_ cost: JacobianCost) -> String {
        "evaluations \(cost.forwardEvaluations), pushforwards \(cost.pushforwards)×\(cost.tangentLanes) lanes, "
            + "pullbacks \(cost.pullbacks)×\(cost.cotangentLanes) lanes"
    }
}
