// CurveFitExample: fit a model written as a plain Swift closure, as SciPy's curve_fit does —
// no DifferentiableMap, no hand-written J·v. Run: swift run CurveFitExample
//
// The closure's form picks the derivatives: a plain closure over Double uses central
// differences, one over Complex<Double> the complex step (exact to rounding), and a
// @differentiable(reverse) closure the compiler's reverse mode (exact to rounding). All three
// return the FitResult every solver returns.
import Foundation
import Jacobench
import Numerics

// On a CPU this OpenBLAS does not recognise, re-execute once with its AVX2/AVX-512 kernels.
OpenBLASCoreSelection.reexecuteIfGenericCore()

func format(_ value: Double) -> String { String(format: "%.8g", value) }

func show(_ title: String, _ fit: FitResult) {
    print("\(title): \(fit.status.rawValue), \(fit.iterations) iterations, Jacobian by \(fit.jacobianStrategy), cost \(format(fit.cost))")
    for (index, name) in (fit.parameterNames ?? []).enumerated() {
        let error = fit.standardErrors.map { format($0[index]) } ?? "-"
        print("  \(name) = \(format(fit.parameters[index])) ± \(error)")
    }
}

// y = a·exp(−k·t) + c observed at 24 times (the data of Tests/SolversTests/ClosureFitTests.swift).
let t = (0..<24).map { 0.25 * Double($0) }
let y = [3.01683, 2.28632, 1.82221, 1.43399, 1.17949, 1.00439, 0.83698, 0.77661, 0.67112, 0.63926, 0.60286, 0.55489,
         0.57037, 0.51818, 0.53783, 0.51811, 0.50403, 0.52749, 0.48723, 0.52155, 0.496, 0.49953, 0.51513, 0.48227]

// 1. A plain closure: central differences with steps scaled to each parameter.
let decay = CurveModel { (t: Double, θ: [Double]) in θ[0] * exp(-θ[1] * t) + θ[2] }
show("plain closure", try CurveFit.fit(decay, x: t, y: y, initial: [1, 1, 0], names: ["a", "k", "c"]))

// 2. The same over complex parameters: the complex step.
let complexDecay = CurveModel.complex { (t: Double, θ: [Complex<Double>]) in θ[0] * Complex.exp(-θ[1] * Complex(t)) + θ[2] }
show("complex closure", try CurveFit.fit(complexDecay, x: t, y: y, initial: [1, 1, 0], names: ["a", "k", "c"]))

// 3. A differentiable closure: Swift's reverse mode.
let exactDecay = CurveModel.differentiable { (t: Double, θ: [Double]) in θ[0] * exp(-θ[1] * t) + θ[2] }
show("differentiable closure", try CurveFit.fit(exactDecay, x: t, y: y, initial: [1, 1, 0], names: ["a", "k", "c"]))
print("SciPy curve_fit: a = 2.5072862, k = 1.3043401, c = 0.49981481")

// Several outputs per sample (the decay and its rate), with σ per observation and another solver.
let rates = [3.265, 2.33365, 1.70993, 1.21465, 0.89425, 0.63464, 0.4642, 0.33589, 0.23608, 0.18292, 0.1148, 0.10433,
             0.05123, 0.06253, 0.01978, 0.0381, 0.00669, 0.02149, 0.00402, 0.00859, 0.00667, -0.00177, 0.01105, -0.00937]
let pair = CurveModel { (t: Double, θ: [Double]) -> [Double] in
    let e = exp(-θ[1] * t)
    return [θ[0] * e + θ[2], θ[0] * θ[1] * e]
}
let observations = zip(y, rates).map { [$0, $1] }
let sigma = observations.map { _ in [0.01, 0.02] }
show("two outputs, σ = (0.01, 0.02), Gauss-Newton",
     try CurveFit.fit(pair, x: t, y: observations, initial: [1, 1, 0], sigma: sigma, names: ["a", "k", "c"], solver: GaussNewton()))

// Arguments that do not fit are errors that say where, before any solver runs.
do {
    _ = try CurveFit.fit(decay, x: t, y: Array(y.dropLast()), initial: [1, 1, 0])
} catch {
    print("mismatched data: \(error)")
}
