/// One property of a ``DifferentiableMap`` that ``DifferentiableMapConformance`` checks.
public enum DifferentiableMapConformanceCheck: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `evaluate` writes m finite values (into a buffer of any length) and a second call
    /// gives bitwise the same values.
    case evaluation = "evaluate"
    /// ⟨u, J v⟩ = ⟨Jᵀu, v⟩ = ⟨u J, v⟩ for seeded random u ∈ Rᵐ, v ∈ Rⁿ, with single-lane and
    /// multi-lane tangent and cotangent blocks.
    case adjointIdentity = "adjoint identity"
    /// Column l of J·[v₁ … v_k] equals J·v_l computed alone (pushforward lanes are independent).
    case pushforwardLanes = "pushforward lanes"
    /// Row l of [u₁; …; u_k]·J equals u_l·J computed alone (pullback lanes are independent).
    case pullbackLanes = "pullback lanes"
    /// J = J·Iₙ (pushforward of the identity) equals J = Iₘ·J (pullback of the identity).
    case forwardEqualsReverse = "forward and reverse Jacobians"
    /// Results written into a buffer of the wrong shape (1 × 1) are reshaped to m × k, k × n or
    /// S × n and hold the same values as when written into a buffer of the right shape.
    case resultShapes = "result shapes"
    /// For a ``PerSampleStructured`` map: S·p = m, `perSampleJacobian` equals J and
    /// `perSampleGradients(outputIndex: d)` row s equals row s·p + d of J.
    case perSampleStructure = "per-sample structure"
    /// For a ``ComplexEvaluable`` map: f(x + 0i) has real part f(x) and imaginary part 0
    /// (to rounding of the complex elementary functions).
    case complexEvaluation = "complex evaluation"
    /// For a ``ComplexEvaluable`` map: Im f(x + i·h·eⱼ)/h equals column j of J.
    case complexStep = "complex step"
    /// For a ``SwiftDifferentiableMap``: `differentiableOutput(at:)` equals f(x); for a
    /// ``SwiftDifferentiablePerSampleMap`` also the samples' `differentiableSampleOutput`s, concatenated.
    case differentiableOutput = "differentiable output"

    /// The check's name, as it prefixes its problems.
    public var description: String { rawValue }
}

/// What ``DifferentiableMapConformance/check(_:at:seed:)`` found on one map at one point.
public struct DifferentiableMapConformanceReport: Sendable, CustomStringConvertible {
    /// The map's type name.
    public var map: String
    /// The checks that ran (capability checks run only for maps that adopt the capability).
    public var checks: [DifferentiableMapConformanceCheck] = []
    /// The checks that found at least one problem.
    public var failedChecks: Set<DifferentiableMapConformanceCheck> = []
    /// Every violation found, each prefixed by its check's name; empty when the map conforms.
    public var problems: [String] = []

    /// Creates an empty report for the map named `map`.
    public init(map: String) { self.map = map }

    /// True when no problem was found.
    public var passed: Bool { problems.isEmpty }

    /// One line per problem, prefixed by the map's type name, or one line listing the checks passed.
    public var description: String {
        if problems.isEmpty { return "\(map): ok (\(checks.map(\.rawValue).joined(separator: ", ")))" }
        return problems.map { "\(map): \($0)" }.joined(separator: "\n")
    }

    mutating func record(_ check: DifferentiableMapConformanceCheck, _ message: String) {
        failedChecks.insert(check)
        problems.append("\(check.rawValue): \(message)")
    }
}
