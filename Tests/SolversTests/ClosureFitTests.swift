import Foundation
import Jacobians
import LinearAlgebra
import Numerics
import Solvers
import Testing
import _Differentiation

/// Fixed data for y = a·exp(−k·t) + c (and its rate a·k·exp(−k·t) as a second output), with the
/// parameters SciPy's `curve_fit` finds on it.
///
/// References computed once with SciPy 1.17.1 / NumPy 2.4.6 (`/work/peers-venv/bin/python`):
///
///     import numpy as np
///     from scipy.optimize import curve_fit
///     t = np.array([0.25 * i for i in range(24)])
///     y = np.array([3.01683, 2.28632, 1.82221, 1.43399, 1.17949, 1.00439, 0.83698, 0.77661, 0.67112, 0.63926, 0.60286, 0.55489,
///                   0.57037, 0.51818, 0.53783, 0.51811, 0.50403, 0.52749, 0.48723, 0.52155, 0.496, 0.49953, 0.51513, 0.48227])
///     tight = dict(method="lm", ftol=1e-15, xtol=1e-15, gtol=1e-15, maxfev=100000)
///     f = lambda t, a, k, c: a * np.exp(-k * t) + c
///     p, cov = curve_fit(f, t, y, p0=[1, 1, 0], **tight)
///     print("decay", [float(v) for v in p], [float(v) for v in np.sqrt(np.diag(cov))])
///     sigma = 0.01 + 0.002 * np.arange(24)
///     p, cov = curve_fit(f, t, y, p0=[1, 1, 0], sigma=sigma, **tight)
///     print("weighted", [float(v) for v in p], [float(v) for v in np.sqrt(np.diag(cov))])
///     u = 1 + 0.1 * (np.arange(24) % 3)
///     g = lambda X, a, k, c: a * np.exp(-k * X[0]) + c * X[1]
///     p, cov = curve_fit(g, np.vstack([t, u]), y, p0=[1, 1, 0], **tight)
///     print("two-inputs", [float(v) for v in p], [float(v) for v in np.sqrt(np.diag(cov))])
///     z = np.array([3.265, 2.33365, 1.70993, 1.21465, 0.89425, 0.63464, 0.4642, 0.33589, 0.23608, 0.18292, 0.1148, 0.10433,
///                   0.05123, 0.06253, 0.01978, 0.0381, 0.00669, 0.02149, 0.00402, 0.00859, 0.00667, -0.00177, 0.01105, -0.00937])
///     def h(index, a, k, c):  # interleaved rows s·2 + d: d = 0 decay, d = 1 its rate a·k·exp(−k t)
///         s = (index // 2).astype(int); d = index % 2; e = np.exp(-k * t[s])
///         return np.where(d == 0, a * e + c, a * k * e)
///     obs = np.ravel(np.column_stack([y, z]))
///     p, cov = curve_fit(h, np.arange(48), obs, p0=[1, 1, 0], **tight)
///     print("two-outputs", [float(v) for v in p], [float(v) for v in np.sqrt(np.diag(cov))])
///
/// (SciPy's `trf` with the same tolerances agrees with these to 9 digits.)
enum DecayData {
    static let t: [Double] = (0..<24).map { 0.25 * Double($0) }
    static let y: [Double] = [
        3.01683, 2.28632, 1.82221, 1.43399, 1.17949, 1.00439, 0.83698, 0.77661, 0.67112, 0.63926, 0.60286, 0.55489,
        0.57037, 0.51818, 0.53783, 0.51811, 0.50403, 0.52749, 0.48723, 0.52155, 0.496, 0.49953, 0.51513, 0.48227,
    ]
    /// The second output's observations.
    static let z: [Double] = [
        3.265, 2.33365, 1.70993, 1.21465, 0.89425, 0.63464, 0.4642, 0.33589, 0.23608, 0.18292, 0.1148, 0.10433,
        0.05123, 0.06253, 0.01978, 0.0381, 0.00669, 0.02149, 0.00402, 0.00859, 0.00667, -0.00177, 0.01105, -0.00937,
    ]
    static let sigma: [Double] = (0..<24).map { 0.01 + 0.002 * Double($0) }
    /// The second input of the two-input model.
    static let u: [Double] = (0..<24).map { 1 + 0.1 * Double($0 % 3) }
    static let initial: [Double] = [1, 1, 0]
    static let names = ["a", "k", "c"]

    // SciPy's curve_fit (method lm), parameters and standard errors.
    static let scipyDecay = [2.507286211637309, 1.3043400963572716, 0.49981481028448194]
    static let scipyDecayErrors = [0.013229457499514737, 0.013820622774423651, 0.004466883190830028]
    static let scipyWeighted = [2.507183372939369, 1.3139402536447133, 0.5034627114642223]
    static let scipyWeightedErrors = [0.008988922937334, 0.012249026641953063, 0.007434567676639786]
    static let scipyTwoInputs = [2.5381438128360063, 1.3117138423118868, 0.44948608356366115]
    static let scipyTwoInputsErrors = [0.03517575363132759, 0.036750344559654244, 0.010724783723697668]
    static let scipyTwoOutputs = [2.502734887495351, 1.3016491839274782, 0.4998434621507424]
    static let scipyTwoOutputsErrors = [0.0067469457131904805, 0.004807279985923521, 0.003244512523007619]
}

/// The decay model in each closure form.
enum DecayModels {
    /// f = a·exp(−k·t) + c, plain: central differences.
    static var plain: CurveModel<Double, Double> { CurveModel { (t: Double, θ: [Double]) -> Double in θ[0] * exp(-θ[1] * t) + θ[2] } }
    /// The same over complex parameters: complex step.
    static var complex: CurveModel<Double, Double> {
        CurveModel.complex({ (t: Double, θ: [Complex<Double>]) in θ[0] * Complex.exp(-θ[1] * Complex(t)) + θ[2] })
    }
    /// The same, differentiable: Swift autodiff.
    static var differentiable: CurveModel<Double, Double> { CurveModel.differentiable({ t, θ in θ[0] * exp(-θ[1] * t) + θ[2] }) }

    /// Two outputs per sample: the decay and its rate a·k·exp(−k·t).
    static var plainPair: CurveModel<Double, [Double]> {
        CurveModel { (t: Double, θ: [Double]) -> [Double] in
            let e = exp(-θ[1] * t)
            return [θ[0] * e + θ[2], θ[0] * θ[1] * e]
        }
    }
    static var complexPair: CurveModel<Double, [Double]> {
        CurveModel.complex({ (t: Double, θ: [Complex<Double>]) -> [Complex<Double>] in
            let e = Complex.exp(-θ[1] * Complex(t))
            return [θ[0] * e + θ[2], θ[0] * θ[1] * e]
        })
    }
    static var differentiablePair: CurveModel<Double, [Double]> {
        CurveModel.differentiable({ t, θ in
            let e = exp(-θ[1] * t)
            return [θ[0] * e + θ[2], θ[0] * θ[1] * e]
        })
    }

    /// Two inputs per sample: a·exp(−k·x₀) + c·x₁.
    static var plainTwoInputs: CurveModel<[Double], Double> {
        CurveModel { (x: [Double], θ: [Double]) -> Double in θ[0] * exp(-θ[1] * x[0]) + θ[2] * x[1] }
    }
    static var differentiableTwoInputs: CurveModel<[Double], Double> {
        CurveModel.differentiable({ x, θ in θ[0] * exp(-θ[1] * x[0]) + θ[2] * x[1] })
    }

    static func scalar(_ form: CurveDerivatives) -> CurveModel<Double, Double> {
        switch form {
        case .centralDifference: plain
        case .complexStep: complex
        case .swiftAutodiff: differentiable
        }
    }

    static func pair(_ form: CurveDerivatives) -> CurveModel<Double, [Double]> {
        switch form {
        case .centralDifference: plainPair
        case .complexStep: complexPair
        case .swiftAutodiff: differentiablePair
        }
    }

    /// ∂r/∂θ of r = y − f for the decay (rows per sample), analytically.
    static func analyticJacobian(at θ: [Double], pair: Bool) -> Matrix {
        var rows: [[Double]] = []
        for t in DecayData.t {
            let e = exp(-θ[1] * t)
            rows.append([-e, θ[0] * t * e, -1])
            if pair { rows.append([-θ[1] * e, θ[0] * e * (θ[1] * t - 1), 0]) }
        }
        return Matrix(rows)
    }
}

/// max |a − b| / max |b| (Frobenius-style relative error of a whole block).
private func blockRelativeError(_ a: Matrix, _ b: Matrix) -> Double {
    guard a.rows == b.rows, a.columns == b.columns else { return .infinity }
    let scale = b.elements.map { abs($0) }.max() ?? 0
    return zip(a.elements, b.elements).map { abs($0 - $1) }.max().map { $0 / max(scale, .leastNormalMagnitude) } ?? 0
}

/// Largest |a_i − b_i| / |b_i|.
private func largestRelativeDifference(_ a: [Double], _ b: [Double]) -> Double {
    guard a.count == b.count else { return .infinity }
    return zip(a, b).map { abs($0 - $1) / abs($1) }.max() ?? 0
}

@Suite struct ClosureFitTests {
    static let point = [2.2, 1.1, 0.4]

    // MARK: - Fits against SciPy

    @Test(arguments: CurveDerivatives.allCases)
    func decayFitMatchesSciPy(_ form: CurveDerivatives) throws {
        let fit = try CurveFit.fit(
            DecayModels.scalar(form), x: DecayData.t, y: DecayData.y, initial: DecayData.initial, names: DecayData.names)
        #expect(fit.status.isConverged, "\(fit.status): \(fit.message)")
        #expect(fit.solver == "levenberg-marquardt")
        #expect(fit.parameterNames == DecayData.names)
        #expect(fit.jacobianStrategy == (form == .swiftAutodiff ? "per-sample" : form.rawValue))
        let parameterError = largestRelativeDifference(fit.parameters, DecayData.scipyDecay)
        #expect(parameterError < 1e-8, "\(form): \(fit.parameters) vs SciPy \(DecayData.scipyDecay)")
        let standardErrors = try #require(fit.standardErrors)
        #expect(largestRelativeDifference(standardErrors, DecayData.scipyDecayErrors) < 1e-6, "\(form): \(standardErrors)")
        print("closure-fit decay \(form.rawValue): parameters vs SciPy \(parameterError), standard errors \(largestRelativeDifference(standardErrors, DecayData.scipyDecayErrors))")
    }

    @Test func theThreeFormsReachTheSameParameters() throws {
        let fits = try CurveDerivatives.allCases.map { form in
            try CurveFit.fit(DecayModels.scalar(form), x: DecayData.t, y: DecayData.y, initial: DecayData.initial).parameters
        }
        for other in fits.dropFirst() {
            // ≥ 6 significant digits (measured: 9 or more).
            #expect(largestRelativeDifference(other, fits[0]) < 1e-7, "\(other) vs \(fits[0])")
        }
        // The exact forms agree with each other far more closely.
        #expect(largestRelativeDifference(fits[1], fits[2]) < 1e-11, "\(fits[1]) vs \(fits[2])")
        print("closure-fit forms: central-difference vs complex-step \(largestRelativeDifference(fits[0], fits[1])), complex-step vs swift-autodiff \(largestRelativeDifference(fits[1], fits[2]))")
    }

    @Test(arguments: CurveDerivatives.allCases)
    func weightedFitMatchesSciPy(_ form: CurveDerivatives) throws {
        let fit = try CurveFit.fit(
            DecayModels.scalar(form), x: DecayData.t, y: DecayData.y, initial: DecayData.initial, sigma: DecayData.sigma)
        #expect(fit.status.isConverged, "\(fit.status): \(fit.message)")
        #expect(largestRelativeDifference(fit.parameters, DecayData.scipyWeighted) < 1e-8, "\(form): \(fit.parameters)")
        let standardErrors = try #require(fit.standardErrors)
        #expect(largestRelativeDifference(standardErrors, DecayData.scipyWeightedErrors) < 1e-6, "\(form): \(standardErrors)")
    }

    @Test func twoInputFitMatchesSciPy() throws {
        let x = zip(DecayData.t, DecayData.u).map { [$0, $1] }
        for model in [DecayModels.plainTwoInputs, DecayModels.differentiableTwoInputs] {
            let fit = try CurveFit.fit(model, x: x, y: DecayData.y, initial: DecayData.initial)
            #expect(fit.status.isConverged, "\(fit.status): \(fit.message)")
            #expect(largestRelativeDifference(fit.parameters, DecayData.scipyTwoInputs) < 1e-8, "\(model.derivatives): \(fit.parameters)")
            let standardErrors = try #require(fit.standardErrors)
            #expect(largestRelativeDifference(standardErrors, DecayData.scipyTwoInputsErrors) < 1e-6, "\(standardErrors)")
        }
    }

    @Test(arguments: CurveDerivatives.allCases)
    func vectorOutputFitMatchesSciPy(_ form: CurveDerivatives) throws {
        let y = zip(DecayData.y, DecayData.z).map { [$0, $1] }
        let fit = try CurveFit.fit(DecayModels.pair(form), x: DecayData.t, y: y, initial: DecayData.initial, names: DecayData.names)
        #expect(fit.status.isConverged, "\(fit.status): \(fit.message)")
        let parameterError = largestRelativeDifference(fit.parameters, DecayData.scipyTwoOutputs)
        #expect(parameterError < 1e-8, "\(form): \(fit.parameters) vs SciPy \(DecayData.scipyTwoOutputs)")
        let standardErrors = try #require(fit.standardErrors)
        #expect(largestRelativeDifference(standardErrors, DecayData.scipyTwoOutputsErrors) < 1e-6, "\(form): \(standardErrors)")
        print("closure-fit two-outputs \(form.rawValue): parameters vs SciPy \(parameterError)")
    }

    @Test func anySolverTakesTheProblem() throws {
        var configuration = GaussNewton.Configuration()
        configuration.covariance = false
        let fit = try CurveFit.fit(
            DecayModels.complex, x: DecayData.t, y: DecayData.y, initial: [2.4, 1.2, 0.45], solver: GaussNewton(configuration: configuration))
        #expect(fit.solver == "gauss-newton")
        #expect(largestRelativeDifference(fit.parameters, DecayData.scipyDecay) < 1e-7, "\(fit.status): \(fit.parameters)")
    }

    // MARK: - Jacobians of the maps against the analytic Jacobian

    @Test(arguments: CurveDerivatives.allCases, [false, true])
    func mapJacobianMatchesAnalytic(_ form: CurveDerivatives, pair: Bool) throws {
        let map: CurveResiduals<Double> = pair
            ? try DecayModels.pair(form).residuals(
                x: DecayData.t, y: zip(DecayData.y, DecayData.z).map { [$0, $1] }, parameterCount: 3, typicalScale: [1, 1, 1])
            : try DecayModels.scalar(form).residuals(x: DecayData.t, y: DecayData.y, parameterCount: 3, typicalScale: [1, 1, 1])
        let analytic = DecayModels.analyticJacobian(at: Self.point, pair: pair)
        let tolerance = form.isExact ? 1e-13 : 1e-7

        var jacobian = Matrix(rows: 0, columns: 0)
        _ = try map.jacobianStrategy.jacobian(of: map, at: Self.point, into: &jacobian)
        #expect(blockRelativeError(jacobian, analytic) < tolerance, "\(form) \(map.jacobianStrategy.name): \(blockRelativeError(jacobian, analytic))")

        // The sweeps: J·V and U·J for a few directions, against the analytic products.
        var random = SeededGenerator(seed: 11)
        let tangents = Matrix(rows: 3, columns: 4, elements: (0..<12).map { _ in random.nextUniform(in: -1, 1) })
        let cotangents = Matrix(rows: 2, columns: map.outputCount, elements: (0..<(2 * map.outputCount)).map { _ in random.nextUniform(in: -1, 1) })
        var forward = Matrix(rows: 0, columns: 0), backward = Matrix(rows: 0, columns: 0)
        map.pushforward(at: Self.point, tangents: tangents, into: &forward)
        map.pullback(at: Self.point, cotangents: cotangents, into: &backward)
        #expect(blockRelativeError(forward, multiply(analytic, tangents)) < tolerance, "\(form) J·V")
        #expect(blockRelativeError(backward, multiply(cotangents, analytic)) < tolerance, "\(form) U·J")
        var rows = Matrix(rows: 0, columns: 0)
        _ = try PerSampleGradients().jacobian(of: map, at: Self.point, into: &rows)
        #expect(blockRelativeError(rows, analytic) < tolerance, "\(form) per-sample rows")
    }

    @Test func exactFormsAgreeWithTheirCatalogStrategies() throws {
        let analytic = DecayModels.analyticJacobian(at: Self.point, pair: true)
        let y = zip(DecayData.y, DecayData.z).map { [$0, $1] }
        var jacobian = Matrix(rows: 0, columns: 0)

        let complex = try DecayModels.complexPair.residuals(x: DecayData.t, y: y, parameterCount: 3)
        _ = try ComplexStep().jacobian(of: complex, at: Self.point, into: &jacobian)
        #expect(blockRelativeError(jacobian, analytic) < 1e-13)

        let differentiable = try DecayModels.differentiablePair.residuals(x: DecayData.t, y: y, parameterCount: 3)
        _ = try SwiftAutodiff().jacobian(of: differentiable, at: Self.point, into: &jacobian)
        #expect(blockRelativeError(jacobian, analytic) < 1e-13)
    }

    @Test func plainSweepsAreTheCentralDifferenceJacobian() throws {
        let map = try DecayModels.plain.residuals(x: DecayData.t, y: DecayData.y, parameterCount: 3, typicalScale: [1, 1, 0])
        var strategy = Matrix(rows: 0, columns: 0), sweeps = Matrix(rows: 0, columns: 0)
        _ = try CentralDifference(typicalScale: [1, 1, 0]).jacobian(of: map, at: Self.point, into: &strategy)
        _ = try ForwardLoop().jacobian(of: map, at: Self.point, into: &sweeps)
        // Same steps, same arithmetic: the same bits.
        #expect(sweeps.elements == strategy.elements)
    }

    // MARK: - Capabilities declared honestly

    @Test func capabilitiesFollowTheClosureForm() throws {
        let plain = try DecayModels.plain.residuals(x: DecayData.t, y: DecayData.y, parameterCount: 3)
        let complex = try DecayModels.complex.residuals(x: DecayData.t, y: DecayData.y, parameterCount: 3)
        let differentiable = try DecayModels.differentiable.residuals(x: DecayData.t, y: DecayData.y, parameterCount: 3)

        #expect(!(plain is any ComplexEvaluable) && !(plain is any SwiftDifferentiableMap))
        #expect(complex is any ComplexEvaluable && !(complex is any SwiftDifferentiableMap))
        #expect(differentiable is any SwiftDifferentiableMap && !(differentiable is any ComplexEvaluable))
        #expect(ComplexStep().inapplicabilityReason(for: plain) != nil)
        #expect(SwiftAutodiff().inapplicabilityReason(for: plain) != nil)
        #expect(ComplexStep().inapplicabilityReason(for: complex) == nil)
        #expect(SwiftAutodiff().inapplicabilityReason(for: differentiable) == nil)

        let catalog = JacobianStrategyCatalog.allStrategies()
        #expect(!plain.sweepsAreExact && catalog.allSatisfy { !plain.isExact($0) })
        for map in [complex, differentiable] {
            #expect(map.sweepsAreExact)
            for strategy in catalog { #expect(map.isExact(strategy) == strategy.isExact, "\(strategy.name)") }
        }
        #expect(plain.derivatives == .centralDifference && complex.derivatives == .complexStep && differentiable.derivatives == .swiftAutodiff)
    }

    /// What `isExact` promises holds: every catalog strategy it calls exact on a map is, against
    /// the analytic Jacobian (1e-12 relative); on the plain closure's map none is called exact,
    /// and indeed the sweep strategies carry the central differences' error there.
    @Test(arguments: CurveDerivatives.allCases)
    func strategiesCalledExactAreExact(_ form: CurveDerivatives) throws {
        let y = zip(DecayData.y, DecayData.z).map { [$0, $1] }
        let map = try DecayModels.pair(form).residuals(x: DecayData.t, y: y, parameterCount: 3, typicalScale: [1, 1, 1])
        let analytic = DecayModels.analyticJacobian(at: Self.point, pair: true)
        var largestSweepError = 0.0
        for strategy in JacobianStrategyCatalog.allStrategies() where strategy.inapplicabilityReason(for: map) == nil {
            var jacobian = Matrix(rows: 0, columns: 0)
            _ = try strategy.jacobian(of: map, at: Self.point, into: &jacobian)
            let error = blockRelativeError(jacobian, analytic)
            if map.isExact(strategy) { #expect(error < 1e-12, "\(form) \(strategy.name): \(error)") }
            if strategy.isExact { largestSweepError = max(largestSweepError, error) }
            #expect(error < 1e-6, "\(form) \(strategy.name): \(error)")
        }
        if form == .centralDifference { #expect(largestSweepError > 1e-13, "the plain map's sweeps are differences, not exact") }
    }

    @Test(arguments: CurveDerivatives.allCases)
    func mapsPassTheMapConformanceKit(_ form: CurveDerivatives) throws {
        let y = zip(DecayData.y, DecayData.z).map { [$0, $1] }
        let map = try DecayModels.pair(form).residuals(x: DecayData.t, y: y, parameterCount: 3, typicalScale: [1, 1, 1])
        let report = DifferentiableMapConformance.check(map, at: Self.point)
        #expect(report.passed, "\(report)")
    }

    // MARK: - Hostile sizes and values throw instead of trapping

    @Test func hostileSizesThrow() throws {
        let model = DecayModels.plain
        func expectError(_ expected: CurveFitError, _ body: () throws -> FitResult) {
            #expect(throws: expected) { _ = try body() }
        }
        expectError(.noSamples) { try CurveFit.fit(model, x: [], y: [], initial: [1, 1, 0]) }
        expectError(.sampleCountMismatch(x: 3, y: 2)) { try CurveFit.fit(model, x: [0, 1, 2], y: [1, 2], initial: [1, 1, 0]) }
        expectError(.sampleCountMismatch(x: 0, y: 2)) { try CurveFit.fit(model, x: [], y: [1, 2], initial: [1, 1, 0]) }
        expectError(.noParameters) { try CurveFit.fit(model, x: [0, 1], y: [1, 2], initial: []) }
        expectError(.nonFiniteInitialParameter(index: 1, value: .infinity)) {
            try CurveFit.fit(model, x: [0, 1], y: [1, 2], initial: [1, .infinity, 0])
        }
        expectError(.nonFiniteData(argument: "x", sample: 1)) { try CurveFit.fit(model, x: [0, .nan], y: [1, 2], initial: [1, 1, 0]) }
        expectError(.nonFiniteData(argument: "y", sample: 0)) { try CurveFit.fit(model, x: [0, 1], y: [.infinity, 2], initial: [1, 1, 0]) }
        expectError(.sigmaCountMismatch(samples: 2, sigma: 1)) { try CurveFit.fit(model, x: [0, 1], y: [1, 2], initial: [1, 1, 0], sigma: [1]) }
        expectError(.nonPositiveSigma(sample: 1, value: 0)) { try CurveFit.fit(model, x: [0, 1], y: [1, 2], initial: [1, 1, 0], sigma: [1, 0]) }
        expectError(.parameterNameCountMismatch(parameters: 3, names: 2)) {
            try CurveFit.fit(model, x: [0, 1], y: [1, 2], initial: [1, 1, 0], names: ["a", "k"])
        }
        // Ragged inputs and outputs.
        expectError(.inputWidthMismatch(sample: 1, expected: 2, found: 1)) {
            try CurveFit.fit(DecayModels.plainTwoInputs, x: [[0, 1], [1]], y: [1, 2], initial: [1, 1, 0])
        }
        expectError(.inputWidthMismatch(sample: 0, expected: 0, found: 0)) {
            try CurveFit.fit(DecayModels.plainTwoInputs, x: [[], []], y: [1, 2], initial: [1, 1, 0])
        }
        expectError(.outputCountMismatch(argument: "y", sample: 1, expected: 2, found: 3)) {
            try CurveFit.fit(DecayModels.plainPair, x: [0, 1], y: [[1, 2], [1, 2, 3]], initial: [1, 1, 0])
        }
        expectError(.outputCountMismatch(argument: "sigma", sample: 0, expected: 2, found: 1)) {
            try CurveFit.fit(DecayModels.plainPair, x: [0, 1], y: [[1, 2], [1, 2]], initial: [1, 1, 0], sigma: [[1], [1, 1]])
        }
        // The closure disagrees with the data, or is not finite, at the start.
        expectError(.modelOutputCountMismatch(sample: 0, expected: 3, found: 2)) {
            try CurveFit.fit(DecayModels.plainPair, x: [0, 1], y: [[1, 2, 3], [1, 2, 3]], initial: [1, 1, 0])
        }
        expectError(.modelOutputCountMismatch(sample: 0, expected: 3, found: 2)) {
            try CurveFit.fit(DecayModels.complexPair, x: [0, 1], y: [[1, 2, 3], [1, 2, 3]], initial: [1, 1, 0])
        }
        expectError(.nonFiniteModel(sample: 0)) {
            try CurveFit.fit(CurveModel { (t: Double, θ: [Double]) in θ[0] / t }, x: [0, 1], y: [1, 2], initial: [1])
        }
        // A Jacobian larger than the linear algebra takes is refused before anything is allocated.
        let many = [Double](repeating: 1, count: 50_000)
        expectError(.tooLarge(residuals: 50_000, parameters: 50_000, limit: Int(Int32.max))) {
            try CurveFit.fit(model, x: many, y: many, initial: many)
        }
    }

    @Test func aClosureThatMisbehavesDuringTheFitEndsTheFitWithoutTrapping() throws {
        // Returns one value instead of two once a leaves its start region.
        let model = CurveModel { (t: Double, θ: [Double]) -> [Double] in θ[0] > 1.5 ? [θ[0]] : [θ[0] * exp(-θ[1] * t), θ[2]] }
        let y = zip(DecayData.y, DecayData.z).map { [$0, $1] }
        let fit = try CurveFit.fit(model, x: DecayData.t, y: y, initial: [1, 1, 0])
        #expect(fit.parameters.allSatisfy { $0.isFinite })
        #expect(fit.parameters[0] <= 1.5)

        // Points of the wrong length give NaN, never a trap.
        let map = try DecayModels.complex.residuals(x: DecayData.t, y: DecayData.y, parameterCount: 3)
        var output: [Double] = []
        map.evaluate(at: [1, 2], into: &output)
        #expect(output.count == 24 && output.allSatisfy { $0.isNaN })
        var jacobian = Matrix(rows: 0, columns: 0)
        map.perSampleJacobian(at: [1], into: &jacobian)
        #expect(jacobian.rows == 24 && jacobian.columns == 3 && jacobian.elements.allSatisfy { $0.isNaN })
    }
}

/// `auto` on a closure's map: a plain closure's sweeps are central differences, so `auto` takes
/// the map's own `central-difference` and says why; on the exact forms it ranks as usual, and a
/// problem left on the default strategy fits the plain closure as SciPy does.
@Suite struct ClosureAutoTests {
    @Test func autoTakesThePlainMapsOwnStrategy() throws {
        let plain = try DecayModels.plain.residuals(x: DecayData.t, y: DecayData.y, parameterCount: 3)
        let decision = AutoStrategy.choose(for: plain, shape: JacobianShape(map: plain), allowInexact: false)
        #expect(decision.chosen == "central-difference" && decision.reason.contains("approximate"), "\(decision)")
        let complex = try DecayModels.complexPair.residuals(x: DecayData.t, y: DecayData.z.indices.flatMap { [DecayData.y[$0], DecayData.z[$0]] }, parameterCount: 3)
        #expect(AutoStrategy.choose(for: complex, shape: JacobianShape(map: complex), allowInexact: false).chosen != "central-difference")

        let problem = LeastSquaresProblem(map: plain, initialParameters: DecayData.initial)
        let result = LevenbergMarquardt().fit(problem)
        for j in 0..<3 { #expect(abs(result.parameters[j] - DecayData.scipyDecay[j]) <= 1e-8 * abs(DecayData.scipyDecay[j]), "\(result.parameters)") }
    }
}
