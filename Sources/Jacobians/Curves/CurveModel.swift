import Numerics
import _Differentiation

/// A user's model y = f(x, θ) given as a plain Swift closure, and how its derivatives with
/// respect to θ are taken; it makes the residual map r_i(θ) = y_i − f(x_i, θ) over a data
/// set (``residuals(x:y:parameterCount:typicalScale:)``) that every strategy and solver takes.
///
/// The form of the closure decides the derivatives (``derivatives``); nothing else is written
/// by hand:
///
/// | closure | derivatives | exact |
/// | --- | --- | --- |
/// | `(x, [Double]) -> y` | central differences, h = ∛ε·max(\|θ_j\|, τ_j) | no (≈ 1e-10 relative) |
/// | `(x, [Complex<Double>]) -> Complex` | complex step, h = 1e-20 | to rounding |
/// | `@differentiable(reverse) (x, [Double]) -> y` | the compiler's pullbacks | to rounding |
///
/// `Input` is `Double` (one x per sample) or `[Double]` (several inputs per sample); `Output`
/// is `Double` or `[Double]` (several outputs per sample, residual rows s·p + d as a network's).
/// The closure must be a pure function of x and θ; it receives θ with as many values as the
/// fit's initial parameters. A complex closure must be complex-analytic in θ (no `abs`,
/// `max` or comparisons on θ; `Complex.exp`, `Complex.sqrt`, arithmetic and real constants are fine).
///
///     let plain = CurveModel { (t: Double, θ: [Double]) in θ[0] * exp(-θ[1] * t) + θ[2] }
///     let complex = CurveModel.complex { (t: Double, θ: [Complex<Double>]) in θ[0] * Complex.exp(-θ[1] * Complex(t)) + θ[2] }
///     let exact = CurveModel.differentiable { (t: Double, θ: [Double]) in θ[0] * exp(-θ[1] * t) + θ[2] }
///
/// The exact forms are static functions rather than initializers so that a trailing closure
/// `CurveModel { … }` always means the plain form.
public struct CurveModel<Input: CurveInput, Output: CurveOutput> {
    /// How derivatives with respect to θ are taken, from the closure's form.
    public let derivatives: CurveDerivatives
    /// The closure, normalised to write p values.
    let body: CurveBody<Input>

    /// A plain closure; derivatives by central differences with scaled steps (not exact).
    ///
    /// - Parameter model: f(x, θ) → one value (`Double`) or p values (`[Double]`) per sample.
    public init(_ model: @escaping (Input, [Double]) -> Output) {
        self.init(derivatives: .centralDifference, body: .real { x, theta, values, offset, p in
            let value = model(x, theta)
            let count = value.curveValueCount
            if count == p { for d in 0..<p { values[offset + d] = value.curveValue(at: d) } }
            return count
        })
    }

    init(derivatives: CurveDerivatives, body: CurveBody<Input>) {
        self.derivatives = derivatives
        self.body = body
    }
}

extension CurveModel where Output == Double {
    /// A closure over complex parameters; derivatives by the complex step, exact to rounding.
    ///
    /// - Parameter model: f(x, θ) in complex arithmetic (complex-analytic in θ); at real θ its
    ///   real part is the model's value.
    public static func complex(_ model: @escaping (Input, [Complex<Double>]) -> Complex<Double>) -> CurveModel {
        CurveModel(derivatives: .complexStep, body: .complex { x, theta, values, offset, _ in
            values[offset] = model(x, theta)
            return 1
        })
    }

    /// A differentiable closure; derivatives by the Swift compiler's reverse mode, exact to
    /// rounding.
    ///
    /// - Parameter model: f(x, θ), `@differentiable(reverse)` with respect to θ (x is
    ///   `@noDerivative`).
    public static func differentiable(_ model: @escaping @differentiable(reverse) (@noDerivative Input, [Double]) -> Double) -> CurveModel {
        let plain: (Input, [Double]) -> Double = model
        return CurveModel(derivatives: .swiftAutodiff, body: .differentiable(
            evaluate: { x, theta, values, offset, _ in
                values[offset] = plain(x, theta)
                return 1
            },
            sample: { x, theta in [model(x, theta)] }))
    }
}

extension CurveModel where Output == [Double] {
    /// A closure over complex parameters with several outputs per sample; derivatives by the
    /// complex step, exact to rounding.
    ///
    /// - Parameter model: the p outputs f(x, θ) in complex arithmetic (complex-analytic in θ).
    public static func complex(_ model: @escaping (Input, [Complex<Double>]) -> [Complex<Double>]) -> CurveModel {
        CurveModel(derivatives: .complexStep, body: .complex { x, theta, values, offset, p in
            let value = model(x, theta)
            if value.count == p { for d in 0..<p { values[offset + d] = value[d] } }
            return value.count
        })
    }

    /// A differentiable closure with several outputs per sample; derivatives by the Swift
    /// compiler's reverse mode (p pullbacks per sample), exact to rounding.
    ///
    /// - Parameter model: the p outputs f(x, θ), `@differentiable(reverse)` with respect to θ.
    public static func differentiable(_ model: @escaping @differentiable(reverse) (@noDerivative Input, [Double]) -> [Double]) -> CurveModel {
        let plain: (Input, [Double]) -> [Double] = model
        return CurveModel(derivatives: .swiftAutodiff, body: .differentiable(
            evaluate: { x, theta, values, offset, p in
                let value = plain(x, theta)
                if value.count == p { for d in 0..<p { values[offset + d] = value[d] } }
                return value.count
            },
            sample: model))
    }
}

extension CurveModel {
    /// The residual map r(θ) = y − f(x, θ) of this model over the samples (x_s, y_s): S·p
    /// residuals, row s·p + d for output d of sample s, as a map of `parameterCount`
    /// parameters. Its dynamic type carries the capabilities of the closure's form:
    /// ``ComplexCurveResiduals`` (``ComplexEvaluable``) for a complex closure,
    /// ``DifferentiableCurveResiduals`` (``SwiftDifferentiableMap``) for a differentiable one,
    /// ``CurveResiduals`` itself (neither) for a plain one.
    ///
    /// - Parameters:
    ///   - x: S inputs, the same number of coordinates each, finite.
    ///   - y: S observations, the same number p ≥ 1 of outputs each, finite.
    ///   - parameterCount: n ≥ 1, the length of θ.
    ///   - typicalScale: τ_j per parameter for the central-difference steps (a fit passes
    ///     |θ₀|); nil: none (h = ∛ε·|θ_j|). Ignored by the exact forms.
    /// - Throws: ``CurveFitError`` naming the argument and sample of a size or value that does
    ///   not fit; never traps on sizes.
    public func residuals(x: [Input], y: [Output], parameterCount: Int, typicalScale: [Double]? = nil) throws -> CurveResiduals<Input> {
        let (observations, p) = try CurveData.observations(x: x, y: y, parameterCount: parameterCount)
        switch body {
        case .real:
            return CurveResiduals(body: body, inputs: x, observations: observations, outputsPerSample: p,
                                  parameterCount: parameterCount, typicalScale: typicalScale)
        case .complex:
            return ComplexCurveResiduals(body: body, inputs: x, observations: observations, outputsPerSample: p,
                                         parameterCount: parameterCount, typicalScale: typicalScale)
        case let .differentiable(_, sample):
            return DifferentiableCurveResiduals(sample: sample, body: body, inputs: x, observations: observations, outputsPerSample: p,
                                                parameterCount: parameterCount, typicalScale: typicalScale)
        }
    }
}

/// A user's closure normalised for the residual maps: each case writes the p values of one
/// sample at `offset` of its buffer and returns how many values the closure produced (nothing is
/// written when that is not p).
enum CurveBody<Input> {
    /// f(x, θ) in real arithmetic: the plain form.
    case real((Input, [Double], inout [Double], _ offset: Int, _ p: Int) -> Int)
    /// f(x, θ) in complex arithmetic: the complex form.
    case complex((Input, [Complex<Double>], inout [Complex<Double>], _ offset: Int, _ p: Int) -> Int)
    /// f(x, θ) plainly (`evaluate`) and as a differentiable function returning the p outputs
    /// as an array (`sample`): the differentiable form.
    case differentiable(
        evaluate: (Input, [Double], inout [Double], _ offset: Int, _ p: Int) -> Int,
        sample: @differentiable(reverse) (@noDerivative Input, [Double]) -> [Double])
}

/// Validation of a curve fit's data, shared by the model and the fit.
public enum CurveData {
    /// Entries the solvers' linear algebra takes in one Jacobian (BLAS's 32-bit sizes).
    public static let maximumJacobianEntries = Int(Int32.max)

    /// y flattened to S·p observations (row s·p + d) and p, after checking x and y.
    ///
    /// - Throws: ``CurveFitError`` for empty data, mismatched counts or widths, non-finite
    ///   values, no parameters, or a Jacobian over ``maximumJacobianEntries``.
    public static func observations<Input: CurveInput, Output: CurveOutput>(
        x: [Input], y: [Output], parameterCount: Int
    ) throws -> (observations: [Double], outputsPerSample: Int) {
        guard !x.isEmpty || !y.isEmpty else { throw CurveFitError.noSamples }
        guard x.count == y.count else { throw CurveFitError.sampleCountMismatch(x: x.count, y: y.count) }
        guard parameterCount >= 1 else { throw CurveFitError.noParameters }
        let width = x[0].curveCoordinateCount
        for (sample, input) in x.enumerated() {
            let found = input.curveCoordinateCount
            guard found == width, found >= 1 else { throw CurveFitError.inputWidthMismatch(sample: sample, expected: width, found: found) }
            guard input.curveIsFinite else { throw CurveFitError.nonFiniteData(argument: "x", sample: sample) }
        }
        let p = try outputCount(of: y, argument: "y", expected: y[0].curveValueCount)
        let (residuals, overflow) = x.count.multipliedReportingOverflow(by: p)
        let (entries, entriesOverflow) = residuals.multipliedReportingOverflow(by: parameterCount)
        guard !overflow, !entriesOverflow, entries <= maximumJacobianEntries else {
            throw CurveFitError.tooLarge(
                residuals: overflow ? Int.max : residuals, parameters: parameterCount, limit: maximumJacobianEntries)
        }
        var observations: [Double] = []
        observations.reserveCapacity(residuals)
        for value in y { for d in 0..<p { observations.append(value.curveValue(at: d)) } }
        return (observations, p)
    }

    /// Checks that every sample of `values` has `expected` ≥ 1 outputs, all finite; returns `expected`.
    ///
    /// - Throws: ``CurveFitError/outputCountMismatch(argument:sample:expected:found:)`` or
    ///   ``CurveFitError/nonFiniteData(argument:sample:)`` naming `argument`.
    public static func outputCount<Output: CurveOutput>(of values: [Output], argument: String, expected: Int) throws -> Int {
        for (sample, value) in values.enumerated() {
            let found = value.curveValueCount
            guard found == expected, found >= 1 else {
                throw CurveFitError.outputCountMismatch(argument: argument, sample: sample, expected: expected, found: found)
            }
            for d in 0..<found where !value.curveValue(at: d).isFinite {
                throw CurveFitError.nonFiniteData(argument: argument, sample: sample)
            }
        }
        return expected
    }
}
