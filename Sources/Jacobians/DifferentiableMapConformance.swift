import LinearAlgebra
import Numerics

/// The compatibility kit every ``DifferentiableMap`` passes (every model kind, a user's own map):
///
/// ```swift
/// let report = DifferentiableMapConformance.check(myMap, at: x)
/// #expect(report.passed, "\(report)")
/// ```
///
/// With J the m × n Jacobian at x, it checks (see ``DifferentiableMapConformanceCheck``):
/// evaluation (m finite values, bitwise repeatable); the adjoint identity ⟨u, Jv⟩ = ⟨uJ, v⟩;
/// that lanes of a tangent block V (n × k) and of a cotangent block U (k × m) are independent;
/// that J·Iₙ = Iₘ·J; that results are reshaped from a wrong-shaped buffer; and, per
/// capability, the per-sample structure, complex evaluation and the complex-step derivative,
/// and Swift's differentiable output. Random directions come from a ``SeededGenerator`` seeded by
/// `seed`, uniform on [−1, 1).
///
/// Tolerances (all relative, for double rounding, ε ≈ 2.2e-16 times modest growth):
/// - ``tolerance`` = 1e-12 for every comparison of two derivative computations, relative to
///   the norms involved: ‖u‖·‖J‖_F·‖v‖ for the adjoint identity, ‖J‖_F·‖v_l‖ (‖u_l‖·‖J‖_F) for a
///   pushforward (pullback) lane, ‖J‖_F for whole Jacobians, ‖J_{:,j}‖ for complex-step column j
///   (‖J‖_F·1e-8 when the column is smaller, so a column that cancels to ~0 is compared to
///   the rounding of its neighbours);
/// - ``valueTolerance`` = 1e-12 for values computed by two code paths (complex or
///   differentiable evaluation against `evaluate`), relative to ‖f(x)‖ + ‖J·diag(x)‖_F (see
///   ``valueScale(values:jacobian:point:)``): rounding inside f is relative to its
///   intermediate quantities, which a residual r = g(x) − y near a fit (‖r‖ ≪ ‖g‖) no longer shows.
/// Only `evaluate` is held to bitwise repeatability. Every map of the project passes with both
/// tolerances at 1e-14 as well; 1e-12 leaves room for other BLAS builds and kernel variants.
public enum DifferentiableMapConformance {
    /// Relative tolerance of every derivative comparison (see the type's documentation).
    public static let tolerance = 1e-12
    /// Relative tolerance of values computed along a second code path, relative to
    /// ``valueScale(values:jacobian:point:)``.
    public static let valueTolerance = 1e-12
    /// Lanes of the multi-lane tangent and cotangent blocks (and random directions per identity).
    public static let lanes = 3
    /// Complex-step size factor: h = `complexStepScale` · max(|xⱼ|, 1).
    public static let complexStepScale = 1e-20

    /// Checks `map` at `point` (n values) and returns every problem found (see the type's
    /// documentation). Never traps on a non-conforming map that keeps to its declared sizes.
    public static func check(
        _ map: any DifferentiableMap, at point: [Double], seed: UInt64 = 1
    ) -> DifferentiableMapConformanceReport {
        var report = DifferentiableMapConformanceReport(map: String(describing: type(of: map)))
        let n = map.inputCount, m = map.outputCount
        report.checks.append(.evaluation)
        guard point.count == n else {
            report.record(.evaluation, "the point has \(point.count) values, the map \(n) inputs")
            return report
        }
        guard let values = checkEvaluation(map, at: point, into: &report) else { return report }
        report.checks += [.forwardEqualsReverse, .resultShapes, .adjointIdentity, .pushforwardLanes, .pullbackLanes]
        var forward = Matrix(rows: 1, columns: 1), reverse = Matrix(rows: 1, columns: 1)
        map.pushforward(at: point, tangents: .identity(n), into: &forward)
        map.pullback(at: point, cotangents: .identity(m), into: &reverse)
        guard hasShape(forward, m, n, "pushforward of Iₙ", &report),
              hasShape(reverse, m, n, "pullback of Iₘ", &report) else { return report }
        let jacobian = forward
        let difference = JacobianConformance.relativeDifference(reverse, forward)
        if !(difference <= tolerance) {
            report.record(.forwardEqualsReverse, "‖Iₘ·J − J·Iₙ‖_F / ‖J‖_F = \(difference) exceeds \(tolerance)")
        }
        var random = SeededGenerator(seed: seed)
        checkDirections(map, at: point, jacobian: jacobian, random: &random, into: &report)
        let scale = valueScale(values: values, jacobian: jacobian, point: point)
        if let structured = map as? any PerSampleStructured {
            report.checks.append(.perSampleStructure)
            checkPerSample(structured, at: point, jacobian: jacobian, into: &report)
        }
        if let complex = map as? any ComplexEvaluable {
            report.checks += [.complexEvaluation, .complexStep]
            checkComplex(complex, at: point, values: values, valueScale: scale, jacobian: jacobian, into: &report)
        }
        if let differentiable = map as? any SwiftDifferentiableMap {
            report.checks.append(.differentiableOutput)
            let output = differentiable.differentiableOutput(at: point)
            if output.count != m {
                report.record(.differentiableOutput, "\(output.count) values, expected \(m)")
            } else if !(distance(output, values) <= valueTolerance * scale) {
                report.record(.differentiableOutput, "‖output − f(x)‖ = \(distance(output, values)) exceeds \(valueTolerance)·(‖f‖ + ‖J·diag(x)‖_F) = \(valueTolerance * scale)")
            }
            if let perSample = map as? any SwiftDifferentiablePerSampleMap {
                checkSampleOutputs(perSample, at: point, values: values, valueScale: scale, into: &report)
            }
        }
        return report
    }

    /// For a ``SwiftDifferentiablePerSampleMap``: the samples' outputs, each from its own
    /// variables, concatenated equal f(x) (under the `differentiableOutput` check).
    private static func checkSampleOutputs(
        _ map: some SwiftDifferentiablePerSampleMap, at point: [Double], values: [Double], valueScale: Double,
        into report: inout DifferentiableMapConformanceReport
    ) {
        let m = map.outputCount, n = map.inputCount
        guard map.sampleCount * map.outputsPerSample == m else {
            report.record(.differentiableOutput, "S·p = \(map.sampleCount)·\(map.outputsPerSample) differs from m = \(m)")
            return
        }
        var outputs: [Double] = []
        outputs.reserveCapacity(m)
        for sample in 0..<map.sampleCount {
            let columns = map.sampleVariables(sample)
            guard columns.lowerBound >= 0, columns.upperBound <= n else {
                report.record(.differentiableOutput, "sample \(sample): variables \(columns) outside 0..<\(n)")
                return
            }
            let sampleOutput = map.differentiableSampleOutput(sample, variables: Array(point[columns]))
            guard sampleOutput.count == map.outputsPerSample else {
                report.record(.differentiableOutput, "sample \(sample): \(sampleOutput.count) values, expected p = \(map.outputsPerSample)")
                return
            }
            outputs += sampleOutput
        }
        if !(distance(outputs, values) <= valueTolerance * valueScale) {
            report.record(.differentiableOutput, "‖per-sample outputs − f(x)‖ = \(distance(outputs, values)) exceeds \(valueTolerance)·(‖f‖ + ‖J·diag(x)‖_F) = \(valueTolerance * valueScale)")
        }
    }

    /// ‖f(x)‖₂ + ‖J·diag(x)‖_F: the size of f plus how much f moves when every xⱼ is perturbed
    /// relatively by 1 (to first order), so that `valueTolerance` times it bounds the effect of
    /// rounding x and the intermediate quantities of f (a relative perturbation of 1e-12 of x).
    public static func valueScale(values: [Double], jacobian: Matrix, point: [Double]) -> Double {
        var squares = 0.0
        for j in 0..<min(point.count, jacobian.columns) {
            let columnNorm = euclideanNorm(jacobian.column(j)) * abs(point[j])
            squares += columnNorm * columnNorm
        }
        return norm(values) + squares.squareRoot()
    }

    /// f(x) after checking count, finiteness and bitwise repeatability; nil when unusable.
    static func checkEvaluation(
        _ map: any DifferentiableMap, at point: [Double], into report: inout DifferentiableMapConformanceReport
    ) -> [Double]? {
        let m = map.outputCount
        var first = [Double](repeating: .nan, count: m + 3), second: [Double] = [1]
        map.evaluate(at: point, into: &first)
        map.evaluate(at: point, into: &second)
        guard first.count == m, second.count == m else {
            report.record(.evaluation, "wrote \(first.count) and \(second.count) values into buffers of \(m + 3) and 1, expected \(m)")
            return nil
        }
        if let index = first.firstIndex(where: { !$0.isFinite }) {
            report.record(.evaluation, "output \(index) is \(first[index])")
            return nil
        }
        if first.map(\.bitPattern) != second.map(\.bitPattern) {
            report.record(.evaluation, "a second call gave different values (‖difference‖ = \(distance(first, second)))")
        }
        return first
    }

    /// Adjoint identity, lane independence and reshaping, with seeded random blocks V, U.
    static func checkDirections(
        _ map: any DifferentiableMap, at point: [Double], jacobian: Matrix,
        random: inout SeededGenerator, into report: inout DifferentiableMapConformanceReport
    ) {
        let n = map.inputCount, m = map.outputCount, k = lanes, scale = jacobian.frobeniusNorm
        let tangents = random.matrix(rows: n, columns: k), cotangents = random.matrix(rows: k, columns: m)
        var pushed = Matrix(rows: m, columns: k, repeating: .nan), pulled = Matrix(rows: k, columns: n, repeating: .nan)
        map.pushforward(at: point, tangents: tangents, into: &pushed)
        map.pullback(at: point, cotangents: cotangents, into: &pulled)
        guard hasShape(pushed, m, k, "pushforward of \(k) lanes", &report),
              hasShape(pulled, k, n, "pullback of \(k) lanes", &report) else { return }
        var reshapedPush = Matrix(rows: 1, columns: 1), reshapedPull = Matrix(rows: 1, columns: 1)
        map.pushforward(at: point, tangents: tangents, into: &reshapedPush)
        map.pullback(at: point, cotangents: cotangents, into: &reshapedPull)
        for (name, result, expected) in [("pushforward", reshapedPush, pushed), ("pullback", reshapedPull, pulled)] {
            guard hasShape(result, expected.rows, expected.columns, "\(name) into a 1 × 1 buffer", &report) else { continue }
            let difference = JacobianConformance.relativeDifference(result, expected)
            if !(difference <= tolerance) {
                report.record(.resultShapes, "\(name) into a 1 × 1 buffer differs from one into a right-shaped buffer by \(difference) (relative)")
            }
        }
        for lane in 0..<k {
            let v = tangents.column(lane), u = cotangents.row(lane)
            let bound = tolerance * norm(u) * scale * norm(v)
            var single = Matrix(rows: m, columns: 1, repeating: .nan), singleRow = Matrix(rows: 1, columns: n, repeating: .nan)
            map.pushforward(at: point, tangents: Matrix(rows: n, columns: 1, elements: v), into: &single)
            map.pullback(at: point, cotangents: Matrix(rows: 1, columns: m, elements: u), into: &singleRow)
            guard hasShape(single, m, 1, "pushforward of 1 lane", &report),
                  hasShape(singleRow, 1, n, "pullback of 1 lane", &report) else { return }
            let pushDifference = distance(pushed.column(lane), single.elements)
            if !(pushDifference <= tolerance * scale * norm(v)) {
                report.record(.pushforwardLanes, "lane \(lane) of a \(k)-lane block differs from the single-lane J·v by \(pushDifference) > \(tolerance)·‖J‖_F·‖v‖")
            }
            let pullDifference = distance(pulled.row(lane), singleRow.elements)
            if !(pullDifference <= tolerance * norm(u) * scale) {
                report.record(.pullbackLanes, "lane \(lane) of a \(k)-lane block differs from the single-lane u·J by \(pullDifference) > \(tolerance)·‖u‖·‖J‖_F")
            }
            let blockGap = abs(dot(u, pushed.column(lane)) - dot(pulled.row(lane), v))
            if !(blockGap <= bound) {
                report.record(.adjointIdentity, "lane \(lane) of \(k)-lane blocks: |⟨u, Jv⟩ − ⟨uJ, v⟩| = \(blockGap) exceeds \(tolerance)·‖u‖·‖J‖_F·‖v‖ = \(bound)")
            }
            let singleGap = abs(dot(u, single.elements) - dot(singleRow.elements, v))
            if !(singleGap <= bound) {
                report.record(.adjointIdentity, "single lanes (direction \(lane)): |⟨u, Jv⟩ − ⟨uJ, v⟩| = \(singleGap) exceeds \(bound)")
            }
        }
    }

    /// S·p = m, `perSampleJacobian` = J, `perSampleGradients` rows = rows s·p + d of J.
    static func checkPerSample(
        _ map: any PerSampleStructured, at point: [Double], jacobian: Matrix,
        into report: inout DifferentiableMapConformanceReport
    ) {
        let samples = map.sampleCount, p = map.outputsPerSample, n = map.inputCount
        guard samples >= 0, p >= 0, samples * p == map.outputCount else {
            report.record(.perSampleStructure, "S·p = \(samples)·\(p) ≠ m = \(map.outputCount)")
            return
        }
        var whole = Matrix(rows: 1, columns: 1)
        map.perSampleJacobian(at: point, into: &whole)
        if hasShape(whole, jacobian.rows, n, "perSampleJacobian into a 1 × 1 buffer", &report) {
            let difference = JacobianConformance.relativeDifference(whole, jacobian)
            if !(difference <= tolerance) {
                report.record(.perSampleStructure, "‖perSampleJacobian − J‖_F / ‖J‖_F = \(difference) exceeds \(tolerance)")
            }
        }
        var expected = Matrix(rows: samples, columns: n), gradients = Matrix(rows: 1, columns: 1)
        for output in 0..<p {
            map.perSampleGradients(at: point, outputIndex: output, into: &gradients)
            guard hasShape(gradients, samples, n, "perSampleGradients(outputIndex: \(output)) into a 1 × 1 buffer", &report) else { return }
            for sample in 0..<samples { expected.copyRow(sample, from: jacobian.row(sample * p + output)) }
            let difference = JacobianConformance.relativeDifference(gradients, expected)
            if !(difference <= tolerance) {
                report.record(.perSampleStructure, "perSampleGradients(outputIndex: \(output)) differs from rows s·p + \(output) of J by \(difference) (relative)")
            }
        }
    }

    /// f(x + 0i) = f(x) + 0i and Im f(x + i·h·eⱼ)/h = J_{:,j}.
    static func checkComplex(
        _ map: any ComplexEvaluable, at point: [Double], values: [Double], valueScale: Double, jacobian: Matrix,
        into report: inout DifferentiableMapConformanceReport
    ) {
        let m = map.outputCount, bound = valueTolerance * valueScale
        var z = point.map { Complex($0) }
        var output: [Complex<Double>] = []
        map.evaluate(at: z, into: &output)
        guard output.count == m else {
            report.record(.complexEvaluation, "wrote \(output.count) values into an empty buffer, expected \(m)")
            return
        }
        let realGap = distance(output.map(\.real), values), imaginary = norm(output.map(\.imaginary))
        if !(realGap <= bound) {
            report.record(.complexEvaluation, "‖Re f(x + 0i) − f(x)‖ = \(realGap) exceeds \(valueTolerance)·(‖f‖ + ‖J·diag(x)‖_F) = \(bound)")
        }
        if !(imaginary <= bound) {
            report.record(.complexEvaluation, "‖Im f(x + 0i)‖ = \(imaginary) exceeds \(bound)")
        }
        let floor = 1e-8 * jacobian.frobeniusNorm
        for j in 0..<point.count {
            let h = complexStepScale * max(abs(point[j]), 1)
            z[j] = Complex(point[j], h)
            map.evaluate(at: z, into: &output)
            z[j] = Complex(point[j])
            let column = jacobian.column(j)
            let gap = distance(output.map { $0.imaginary / h }, column)
            let scale = max(norm(column), floor)
            if !(gap <= tolerance * scale) {
                report.record(.complexStep, "column \(j): ‖Im f(x + ih·e_j)/h − J_{:,j}‖ = \(gap) exceeds \(tolerance)·\(scale)")
            }
        }
    }

    /// True when `matrix` is rows × columns; records a shape problem otherwise.
    static func hasShape(
        _ matrix: Matrix, _ rows: Int, _ columns: Int, _ what: String, _ report: inout DifferentiableMapConformanceReport
    ) -> Bool {
        if matrix.rows == rows && matrix.columns == columns && matrix.elements.count == rows * columns { return true }
        report.record(.resultShapes, "\(what) is \(matrix.rows) × \(matrix.columns), expected \(rows) × \(columns)")
        return false
    }

    static func norm(_ a: [Double]) -> Double { euclideanNorm(a) }

    /// ‖a − b‖₂ (infinity when the lengths differ).
    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        guard a.count == b.count else { return .infinity }
        return euclideanNorm(zip(a, b).map { $0 - $1 })
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

extension SeededGenerator {
    /// A rows × columns matrix of values uniform on [−1, 1), row by row: the kit's directions.
    mutating func matrix(rows: Int, columns: Int) -> Matrix {
        Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in nextUniform(in: -1, 1) })
    }
}
