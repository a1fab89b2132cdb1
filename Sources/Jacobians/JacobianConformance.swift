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
/// The counters each strategy must report come from its own description
/// (``JacobianStrategy/expectedCounters(on:)``, for a cataloged strategy the exact counters of
/// ``CatalogedJacobianStrategy/predictedWork(on:)``), its further promises from
/// ``JacobianStrategy/conformanceProblems(reported:on:)`` (e.g. `ridders`' range of
/// evaluations), and `auto` is held to those of the strategy it chose.
public enum JacobianConformance {
    /// The tolerance a strategy is held to: its promised relative error
    /// (``JacobianStrategy/nominalRelativeError``: 1e-12 for exact strategies, 1e-13 for
    /// complex step, the documented bound for finite differences).
    public static func tolerance(for strategy: any JacobianStrategy) -> Double {
        strategy.nominalRelativeError
    }

    /// The counters the strategy's description prescribes on `map`, or nil when they are
    /// not fixed in advance (ridders, auto before it has chosen).
    public static func expectedCost(of strategy: any JacobianStrategy, on map: any DifferentiableMap) -> JacobianCost? {
        strategy.expectedCounters(on: map)
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
        report.problems += strategy.conformanceProblems(reported: report.cost, on: map)
        if report.cost.workspaceBytes < 0 { report.problems.append("negative workspace bytes") }
        var again = jacobian
        _ = try strategy.jacobian(of: map, at: point, into: &again)
        if again != jacobian && strategy.repeatsIdentically {
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
