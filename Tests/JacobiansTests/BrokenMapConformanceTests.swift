import Jacobians
import LinearAlgebra
import Numerics
import Testing

/// One way a map can break its contract.
enum MapBreakage: String, CaseIterable, Sendable, CustomStringConvertible {
    case none = "unbroken"
    case pullbackOffByFactor = "pullback off by a factor 2"
    case pushforwardIgnoresSecondLane = "pushforward leaves lane 2 zero"
    case pullbackIgnoresSecondLane = "pullback leaves lane 2 zero"
    case pushforwardAccumulates = "pushforward adds to a right-shaped result"
    case pushforwardKeepsWrongShape = "pushforward does not reshape its result"
    case evaluationDrifts = "evaluate differs on each call"
    case nonFiniteOutput = "evaluate writes a NaN"
    case complexDropsImaginaryParts = "complex evaluation drops imaginary parts"
    case complexShiftsValues = "complex evaluation adds 1e-6"
    case perSampleJacobianWrongRow = "perSampleJacobian negates row 0"

    var description: String { rawValue }

    /// Exactly the checks the kit must report for this breakage.
    var failingChecks: Set<DifferentiableMapConformanceCheck> {
        switch self {
        case .none: []
        case .pullbackOffByFactor: [.adjointIdentity, .forwardEqualsReverse]
        // The Jacobian J·Iₙ loses its columns ≥ 1, so everything compared with it fails too.
        case .pushforwardIgnoresSecondLane:
            [.pushforwardLanes, .adjointIdentity, .forwardEqualsReverse, .perSampleStructure, .complexStep]
        case .pullbackIgnoresSecondLane: [.pullbackLanes, .adjointIdentity, .forwardEqualsReverse]
        // Right-shaped buffers are prefilled with NaN: adding to them poisons the result.
        case .pushforwardAccumulates: [.resultShapes, .pushforwardLanes, .adjointIdentity]
        case .pushforwardKeepsWrongShape: [.resultShapes]
        case .evaluationDrifts, .nonFiniteOutput: [.evaluation]
        case .complexDropsImaginaryParts: [.complexStep]
        case .complexShiftsValues: [.complexEvaluation]
        case .perSampleJacobianWrongRow: [.perSampleStructure]
        }
    }
}

/// A network residual map that delegates everything to the real map except one broken operation.
final class BrokenMap: PerSampleStructured, ComplexEvaluable {
    let base: any PerSampleStructured & ComplexEvaluable
    let breakage: MapBreakage
    private var calls = 0

    init(_ base: any PerSampleStructured & ComplexEvaluable, breakage: MapBreakage) {
        self.base = base
        self.breakage = breakage
    }

    var inputCount: Int { base.inputCount }
    var outputCount: Int { base.outputCount }
    var sampleCount: Int { base.sampleCount }
    var outputsPerSample: Int { base.outputsPerSample }

    func evaluate(at point: [Double], into output: inout [Double]) {
        base.evaluate(at: point, into: &output)
        calls += 1
        if breakage == .evaluationDrifts { output[0] *= 1 + Double(calls) * 1e-15 }
        if breakage == .nonFiniteOutput { output[0] = .nan }
    }

    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        let before = result
        if breakage == .pushforwardKeepsWrongShape && (result.rows != outputCount || result.columns != tangents.columns) { return }
        base.pushforward(at: point, tangents: tangents, into: &result)
        if breakage == .pushforwardIgnoresSecondLane && result.columns > 1 {
            for row in 0..<result.rows { result[row, 1] = 0 }
        }
        if breakage == .pushforwardAccumulates && before.rows == result.rows && before.columns == result.columns {
            for index in result.elements.indices { result.elements[index] += before.elements[index] }
        }
    }

    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        base.pullback(at: point, cotangents: cotangents, into: &result)
        if breakage == .pullbackOffByFactor {
            for index in result.elements.indices { result.elements[index] *= 2 }
        }
        if breakage == .pullbackIgnoresSecondLane && result.rows > 1 {
            for column in 0..<result.columns { result[1, column] = 0 }
        }
    }

    func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        base.perSampleGradients(at: point, outputIndex: outputIndex, into: &result)
    }

    func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        base.perSampleJacobian(at: point, into: &jacobian)
        if breakage == .perSampleJacobianWrongRow {
            for column in 0..<jacobian.columns { jacobian[0, column] = -jacobian[0, column] }
        }
    }

    func evaluate(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        base.evaluate(at: point, into: &output)
        if breakage == .complexDropsImaginaryParts { output = output.map { Complex($0.real) } }
        if breakage == .complexShiftsValues { output = output.map { $0 + Complex(1e-6) } }
    }
}

/// Proof that the map conformance kit can fail: each broken wrapper is reported under exactly
/// the checks its breakage violates, and the unbroken wrapper passes.
@Suite struct BrokenMapConformanceTests {
    @Test(arguments: MapBreakage.allCases)
    func theKitReportsTheBrokenProperty(_ breakage: MapBreakage) throws {
        let (base, point) = ConformanceModel.mixed3x4x5x4x2.make()
        let structured = try #require(base as? any PerSampleStructured & ComplexEvaluable)
        let report = DifferentiableMapConformance.check(BrokenMap(structured, breakage: breakage), at: point)
        #expect(report.failedChecks == breakage.failingChecks, "\(breakage): \(report)")
        #expect(report.passed == (breakage == .none))
        for check in report.failedChecks {
            #expect(report.problems.contains { $0.hasPrefix(check.rawValue + ": ") }, "no problem line for \(check)")
        }
    }

    @Test func everyCheckCanFail() {
        let covered = MapBreakage.allCases.reduce(into: Set<DifferentiableMapConformanceCheck>()) { $0.formUnion($1.failingChecks) }
        // Swift's differentiable output is the one capability the network residual wrapper lacks
        // (``SmallMapConformanceTests`` breaks it).
        #expect(covered == Set(DifferentiableMapConformanceCheck.allCases).subtracting([.differentiableOutput]))
    }
}
