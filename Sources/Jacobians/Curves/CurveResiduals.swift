import LinearAlgebra
import Numerics
import _Differentiation

/// The residuals r(θ) = y − f(x, θ) of a ``CurveModel`` over a data set: S samples of p
/// outputs, row s·p + d for output d of sample s (``PerSampleStructured``), n parameters.
///
/// Built by ``CurveModel/residuals(x:y:parameterCount:typicalScale:)``. This class is the map
/// of a plain closure: it has no complex evaluation and no differentiable body, so
/// `complex-step` and `swift-autodiff` say they do not apply, and its sweeps (pushforward,
/// pullback, per-sample rows) are products with the central-difference Jacobian J_h at the
/// point (2n evaluations, cached per point), the same J_h `central-difference` computes with the
/// same typical scale. So on this map every strategy is as inexact as central differences
/// (``sweepsAreExact`` is false, ``isExact(_:)`` false for all); fit it with
/// `central-difference` (``jacobianStrategy``), as `CurveFit` does. The subclasses
/// ``ComplexCurveResiduals`` and ``DifferentiableCurveResiduals`` compute J exactly, and there
/// every exact strategy is exact.
///
/// Owns its buffers and a cached Jacobian (not thread-safe), like every model.
public class CurveResiduals<Input: CurveInput>: PerSampleStructured, DerivativeExactnessDescribing {
    /// The samples' inputs x_s.
    public let inputs: [Input]
    /// The observations, S·p values, row s·p + d.
    public let observations: [Double]
    /// p, outputs per sample.
    public let outputsPerSample: Int
    /// τ_j for the central-difference steps (nil: none).
    public let typicalScale: [Double]?
    let body: CurveBody<Input>
    private let parameters: Int
    private var shifted: [Double] = []
    private var forwardValues: [Double] = []
    private var backwardValues: [Double] = []
    var complexPoint: [Complex<Double>] = []
    var complexValues: [Complex<Double>] = []
    private var cachedPoint: [Double]?
    private var cachedJacobian = Matrix(rows: 0, columns: 0)

    init(body: CurveBody<Input>, inputs: [Input], observations: [Double], outputsPerSample: Int, parameterCount: Int, typicalScale: [Double]?) {
        self.body = body
        self.inputs = inputs
        self.observations = observations
        self.outputsPerSample = outputsPerSample
        self.parameters = parameterCount
        self.typicalScale = typicalScale
    }

    /// n, the parameter count.
    public var inputCount: Int { parameters }
    /// S·p.
    public var outputCount: Int { observations.count }
    /// S.
    public var sampleCount: Int { inputs.count }

    /// How the closure is differentiated (central differences here; the subclasses' exact methods).
    public var derivatives: CurveDerivatives {
        switch body {
        case .real: return .centralDifference
        case .complex: return .complexStep
        case .differentiable: return .swiftAutodiff
        }
    }

    /// Whether pushforward, pullback and the per-sample rows are exact to rounding: false for a
    /// plain closure (central differences), true for the complex and differentiable forms.
    public var sweepsAreExact: Bool { derivatives.isExact }

    /// Whether `strategy` computes this map's Jacobian exact to rounding: an exact strategy
    /// (its catalog line) on a map whose sweeps are exact. On a plain closure's map none is:
    /// the sweep strategies carry the central differences' error, and `central-difference` is
    /// inexact itself.
    public func isExact(_ strategy: any JacobianStrategy) -> Bool { sweepsAreExact && strategy.isExact }

    /// The strategy that differentiates this map by its own method: `central-difference` (with
    /// this map's typical scale) for a plain closure, `complex-step` for a complex one, and
    /// `per-sample` (one compiler pullback per sample and output) for a differentiable one.
    public var jacobianStrategy: any JacobianStrategy {
        switch body {
        case .real: return CentralDifference(typicalScale: typicalScale)
        case .complex: return ComplexStep()
        case .differentiable: return PerSampleGradients()
        }
    }

    /// Writes r(θ) = y − f(x, θ). A sample whose closure returns another number of values
    /// than p, or a θ of another length than n, gives NaN residuals (a solver then stops with
    /// `non-finite-residuals`); nothing traps.
    ///
    /// - Complexity: S closure calls (complex ones for the complex form).
    public func evaluate(at point: [Double], into output: inout [Double]) {
        let m = outputCount, p = outputsPerSample
        if output.count != m { output = Array(repeating: 0, count: m) }
        guard point.count == parameters else {
            for i in 0..<m { output[i] = .nan }
            return
        }
        switch body {
        case let .real(model), let .differentiable(model, _):
            for (sample, x) in inputs.enumerated() {
                let offset = sample * p
                if model(x, point, &output, offset, p) == p {
                    for i in offset..<(offset + p) { output[i] = observations[i] - output[i] }
                } else {
                    for i in offset..<(offset + p) { output[i] = .nan }
                }
            }
        case .complex:
            loadComplexPoint(point)
            complexResiduals(at: complexPoint, into: &complexValues)
            for i in 0..<m { output[i] = complexValues[i].real }
        }
    }

    /// J·V: for a plain or differentiable closure, the product with this point's Jacobian
    /// (computed once per point by the form's method and cached).
    ///
    /// - Parameters:
    ///   - tangents: n × k.
    ///   - result: m × k (reshaped).
    /// - Complexity: the Jacobian once per point (2n evaluations, or S·p pullbacks), then 2mnk flops.
    public func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        precondition(tangents.rows == parameters, "tangents have \(tangents.rows) rows, expected \(parameters)")
        multiply(jacobian(at: point), tangents, into: &result)
    }

    /// U·J with this point's Jacobian (computed once per point by the form's method and cached).
    ///
    /// - Parameters:
    ///   - cotangents: k × m.
    ///   - result: k × n (reshaped).
    /// - Complexity: the Jacobian once per point, then 2mnk flops.
    public func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        precondition(cotangents.columns == outputCount, "cotangents have \(cotangents.columns) columns, expected \(outputCount)")
        multiply(cotangents, jacobian(at: point), into: &result)
    }

    /// Rows s·p + d (d = `outputIndex`) of this point's Jacobian, S × n.
    public func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        precondition((0..<outputsPerSample).contains(outputIndex), "output index \(outputIndex) out of 0..<\(outputsPerSample)")
        let jacobian = jacobian(at: point)
        let n = parameters, p = outputsPerSample
        result.reshape(rows: sampleCount, columns: n)
        for sample in 0..<sampleCount {
            let source = (sample * p + outputIndex) * n, target = sample * n
            for column in 0..<n { result.elements[target + column] = jacobian.elements[source + column] }
        }
    }

    /// This point's Jacobian, copied.
    public func perSampleJacobian(at point: [Double], into jacobian: inout Matrix) {
        let computed = self.jacobian(at: point)
        jacobian.reshape(rows: computed.rows, columns: computed.columns)
        for index in 0..<computed.elements.count { jacobian.elements[index] = computed.elements[index] }
    }

    /// Throws the first problem the closure shows at `parameters`: another number of values
    /// than the data's p for some sample, or a value that is not finite.
    ///
    /// - Throws: ``CurveFitError/modelOutputCountMismatch(sample:expected:found:)``,
    ///   ``CurveFitError/nonFiniteModel(sample:)``, or
    ///   ``CurveFitError/nonFiniteInitialParameter(index:value:)`` /
    ///   ``CurveFitError/invalidProblem(_:)`` for a θ that is not n finite values.
    public func check(at parameters: [Double]) throws {
        guard parameters.count == self.parameters else {
            throw CurveFitError.invalidProblem("\(parameters.count) parameters given to a model of \(self.parameters)")
        }
        if let index = parameters.firstIndex(where: { !$0.isFinite }) {
            throw CurveFitError.nonFiniteInitialParameter(index: index, value: parameters[index])
        }
        let p = outputsPerSample
        var values = [Double](repeating: 0, count: p)
        var complexSample = [Complex<Double>](repeating: .zero, count: p)
        loadComplexPoint(parameters)
        for (sample, x) in inputs.enumerated() {
            let found: Int, finite: Bool
            switch body {
            case let .real(model), let .differentiable(model, _):
                found = model(x, parameters, &values, 0, p)
                finite = values.allSatisfy { $0.isFinite }
            case let .complex(model):
                found = model(x, complexPoint, &complexSample, 0, p)
                finite = complexSample.allSatisfy { $0.real.isFinite && $0.imaginary.isFinite }
            }
            guard found == p else { throw CurveFitError.modelOutputCountMismatch(sample: sample, expected: p, found: found) }
            guard finite else { throw CurveFitError.nonFiniteModel(sample: sample) }
        }
    }

    // MARK: - The Jacobian by the closure's own method

    /// J(θ), m × n, computed by the form's method and cached for the point (bitwise).
    func jacobian(at point: [Double]) -> Matrix {
        if let cachedPoint, cachedPoint.count == point.count,
           zip(cachedPoint, point).allSatisfy({ $0.bitPattern == $1.bitPattern }) {
            return cachedJacobian
        }
        guard point.count == parameters else {
            cachedJacobian = Matrix(rows: outputCount, columns: parameters, repeating: .nan)
            cachedPoint = nil
            return cachedJacobian
        }
        switch body {
        case .real: centralDifferenceJacobian(at: point, into: &cachedJacobian)
        case .complex: complexStepJacobian(at: point, into: &cachedJacobian)
        case let .differentiable(_, sample): pullbackJacobian(of: sample, at: point, into: &cachedJacobian)
        }
        cachedPoint = point
        return cachedJacobian
    }

    /// Column j = (r(θ + h_j e_j) − r(θ − h_j e_j))·(1/(2h_j)), h_j from ``DifferenceStep`` with
    /// relative factor ∛ε and this map's typical scale: the arithmetic of ``CentralDifference``.
    private func centralDifferenceJacobian(at point: [Double], into jacobian: inout Matrix) {
        let m = outputCount, n = parameters
        jacobian.reshape(rows: m, columns: n)
        let relative = Double.root(Double.ulpOfOne, 3)
        shifted = point
        for column in 0..<n {
            let x = point[column]
            let step = DifferenceStep.size(relative: relative, at: x, typical: DifferenceStep.typical(typicalScale, column))
            shifted[column] = x + step
            evaluate(at: shifted, into: &forwardValues)
            shifted[column] = x - step
            evaluate(at: shifted, into: &backwardValues)
            shifted[column] = x
            jacobian.setColumn(column) { forwardValues[$0] - backwardValues[$0] }
            jacobian.scaleColumn(column, by: 1 / (2 * step))
        }
    }

    /// Column j = Im r(θ + i·h_j e_j)/h_j, h_j = 1e-20·max(|θ_j|, 1): the arithmetic of ``ComplexStep``.
    private func complexStepJacobian(at point: [Double], into jacobian: inout Matrix) {
        let m = outputCount, n = parameters
        jacobian.reshape(rows: m, columns: n)
        loadComplexPoint(point)
        for column in 0..<n {
            let step = 1e-20 * max(abs(point[column]), 1)
            complexPoint[column] = Complex(point[column], step)
            complexResiduals(at: complexPoint, into: &complexValues)
            complexPoint[column] = Complex(point[column])
            jacobian.setColumn(column) { complexValues[$0].imaginary / step }
        }
    }

    /// Row s·p + d = −∇_θ f_d(x_s, θ): per sample one `valueWithPullback` and p pullbacks with
    /// seeds e_d. A sample whose closure returns another count than p gets NaN rows.
    private func pullbackJacobian(
        of sample: @differentiable(reverse) (@noDerivative Input, [Double]) -> [Double], at point: [Double], into jacobian: inout Matrix
    ) {
        let n = parameters, p = outputsPerSample
        jacobian.reshape(rows: outputCount, columns: n)
        var seed = [Double](repeating: 0, count: p)
        for (index, x) in inputs.enumerated() {
            let (value, pullback) = valueWithPullback(at: point) { theta in sample(x, theta) }
            for d in 0..<p {
                let row = (index * p + d) * n
                guard value.count == p else {
                    for column in 0..<n { jacobian.elements[row + column] = .nan }
                    continue
                }
                seed[d] = 1
                let gradient = pullback(Array<Double>.DifferentiableView(seed)).base
                seed[d] = 0
                // A zero tangent may come back as an empty array.
                for column in 0..<n { jacobian.elements[row + column] = gradient.count == n ? -gradient[column] : 0 }
            }
        }
    }

    // MARK: - Complex evaluation (the complex form)

    /// θ as complex numbers with zero imaginary parts, in ``complexPoint``.
    func loadComplexPoint(_ point: [Double]) {
        if complexPoint.count != point.count { complexPoint = Array(repeating: .zero, count: point.count) }
        for (index, value) in point.enumerated() { complexPoint[index] = Complex(value) }
    }

    /// r(z) = y − f(x, z) in complex arithmetic; NaN for every residual when the model has no
    /// complex body, z has another length than n, or a sample returns another count than p.
    func complexResiduals(at point: [Complex<Double>], into output: inout [Complex<Double>]) {
        let m = outputCount, p = outputsPerSample
        if output.count != m { output = Array(repeating: .zero, count: m) }
        guard case let .complex(model) = body, point.count == parameters else {
            for i in 0..<m { output[i] = Complex(.nan, .nan) }
            return
        }
        for (sample, x) in inputs.enumerated() {
            let offset = sample * p
            if model(x, point, &output, offset, p) == p {
                for i in offset..<(offset + p) { output[i] = Complex(observations[i]) - output[i] }
            } else {
                for i in offset..<(offset + p) { output[i] = Complex(.nan, .nan) }
            }
        }
    }
}
