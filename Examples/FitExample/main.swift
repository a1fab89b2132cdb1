// FitExample: fit a user-defined Swift model with the library API, no manifest.
//
// The model is a damped oscillation y = A·exp(−t/τ)·cos(ωt + φ) + c. Its residual map is
// written by hand as a `DifferentiableMap` (evaluate, J·V, U·J from the analytic partial
// derivatives); Levenberg-Marquardt fits it with per-point σ weights and one parameter
// held fixed, then the forum case (the 5→9→3 tanh network on 192 teacher samples) is fitted
// by LM, Gauss-Newton, L-BFGS and Adam down to the same cost.
//
//     swift run -c release FitExample   (the forum part takes minutes in a debug build); the last
//     line splits one LM iteration into Jacobian, residual, Gram, factorization and the rest.
import Foundation
import Jacobench

// On a CPU this OpenBLAS does not recognise, re-execute once with its AVX2/AVX-512 kernels.
OpenBLASCoreSelection.reexecuteIfGenericCore()

/// r_i(θ) = (A·exp(−t_i/τ)·cos(ω t_i + φ) + c) − y_i, θ = [A, τ, ω, φ, c].
final class DampedOscillationResiduals: DifferentiableMap {
    let times: [Double]
    let observations: [Double]
    private var row = [Double](repeating: 0, count: 5)

    init(times: [Double], observations: [Double]) {
        self.times = times
        self.observations = observations
    }

    var inputCount: Int { 5 }
    var outputCount: Int { times.count }

    func evaluate(at theta: [Double], into output: inout [Double]) {
        if output.count != times.count { output = Array(repeating: 0, count: times.count) }
        for (i, t) in times.enumerated() {
            output[i] = theta[0] * exp(-t / theta[1]) * cos(theta[2] * t + theta[3]) + theta[4] - observations[i]
        }
    }

    /// ∂r_i/∂θ into `row`.
    private func gradient(at theta: [Double], time t: Double) {
        let decay = exp(-t / theta[1]), phase = theta[2] * t + theta[3]
        let c = cos(phase), s = sin(phase)
        row[0] = decay * c
        row[1] = theta[0] * decay * c * t / (theta[1] * theta[1])
        row[2] = -theta[0] * decay * s * t
        row[3] = -theta[0] * decay * s
        row[4] = 1
    }

    func pushforward(at theta: [Double], tangents: Matrix, into result: inout Matrix) {
        let k = tangents.columns
        result.reshape(rows: times.count, columns: k)
        for (i, t) in times.enumerated() {
            gradient(at: theta, time: t)
            for lane in 0..<k {
                var sum = 0.0
                for j in 0..<5 { sum += row[j] * tangents[j, lane] }
                result[i, lane] = sum
            }
        }
    }

    func pullback(at theta: [Double], cotangents: Matrix, into result: inout Matrix) {
        let k = cotangents.rows
        result.reshape(rows: k, columns: 5)
        result.fill(0)
        for (i, t) in times.enumerated() {
            gradient(at: theta, time: t)
            for lane in 0..<k {
                let u = cotangents[lane, i]
                for j in 0..<5 { result[lane, j] += u * row[j] }
            }
        }
    }
}

func format(_ value: Double) -> String { String(format: "%.6g", value) }

// Synthetic measurements from known parameters with a seeded, heteroscedastic noise.
let truth = [2.0, 1.5, 6.0, 0.3, 0.1]
var generator = SeededGenerator(seed: 7)
let times = (0..<120).map { Double($0) * 0.05 }
let sigma = times.map { 0.02 + 0.02 * $0 }
let observations = zip(times, sigma).map { t, s in
    truth[0] * exp(-t / truth[1]) * cos(truth[2] * t + truth[3]) + truth[4] + s * (generator.nextUniform(in: -1, 1))
}
let model = DampedOscillationResiduals(times: times, observations: observations)
let names = ["A", "tau", "omega", "phi", "c"]

print("Damped oscillation, \(times.count) points, σ per point, φ held at its true value:")
let problem = LeastSquaresProblem(
    map: model, initialParameters: [1.0, 1.0, 5.8, 0.3, 0.0], standardDeviations: sigma,
    fixedParameters: [3], parameterNames: names)
let fit = LevenbergMarquardt().fit(problem)
print("  status \(fit.status.rawValue): \(fit.message)")
print("  iterations \(fit.iterations), residual evaluations \(fit.residualEvaluations), Jacobians \(fit.jacobianEvaluations) (\(fit.jacobianStrategy))")
print("  χ²/2 = \(format(fit.cost)), linear solvers used \(fit.linearSolverUse)")
for (index, name) in names.enumerated() {
    let error = fit.standardErrors.map { format($0[index]) } ?? "-"
    print("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(format(fit.parameters[index])) ± \(error)   (true \(truth[index]))")
}

// The forum case: 5 → 9 → 3 tanh network, N = 84 parameters, M = 576 residuals.
print("\nForum case: 5→9→3 tanh MLP on 192 teacher samples (N = 84, M = 576), seed 42:")
let source = TeacherNetworkDataSource(layerWidths: [5, 9, 3], activation: .tanh, samples: 192, noise: 0.01)
let data = try source.generate(seed: 42).training
let student = MultilayerPerceptron(layerWidths: [5, 9, 3], activation: .tanh).initialized(.glorot, seed: 43)
func forumProblem() -> LeastSquaresProblem {
    LeastSquaresProblem(
        map: MultilayerPerceptronResidualMap(network: student, inputs: data.inputs, targets: data.targets),
        initialParameters: student.parameters)
}
// Reference: LM with scipy's default tolerances (ftol = xtol = 1e-8); every solver then runs
// until it reaches 1.01 × that cost.
var scipyLike = LevenbergMarquardt.Configuration()
scipyLike.ftol = 1e-8
scipyLike.xtol = 1e-8
scipyLike.gtol = 1e-8
scipyLike.covariance = false
let reference = LevenbergMarquardt(configuration: scipyLike).fit(forumProblem())
let target = reference.cost * 1.01
print("  LM (ftol = xtol = 1e-8): SSE \(format(2 * reference.cost)), \(reference.iterations) iterations, \(reference.jacobianEvaluations) Jacobians, \(String(format: "%.4f", reference.timings.totalSeconds)) s, status \(reference.status.rawValue), linear solvers \(reference.linearSolverUse)")
print("  target cost for every solver: 1.01 × that")
var lm = LevenbergMarquardt.Configuration(); lm.targetCost = target; lm.covariance = false
var gn = GaussNewton.Configuration(); gn.targetCost = target; gn.covariance = false
var lbfgs = LBFGS.Configuration(); lbfgs.targetCost = target; lbfgs.maximumIterations = 20_000; lbfgs.maximumEvaluations = 40_000
var adam = Adam.Configuration(); adam.stopping.targetCost = target; adam.learningRate = 0.01; adam.stopping.maximumIterations = 20_000
let runs: [(String, () -> FitResult)] = [
    ("levenberg-marquardt", { LevenbergMarquardt(configuration: lm).fit(forumProblem()) }),
    ("gauss-newton", { GaussNewton(configuration: gn).fit(forumProblem()) }),
    ("lbfgs", { LBFGS(configuration: lbfgs).fit(forumProblem()) }),
    ("adam", { Adam(configuration: adam).fit(forumProblem()) }),
]
print("  solver               status          SSE          iters  residual-evals  jacobians  pullbacks  seconds")
var lmSplit: FitResult?
for (name, run) in runs {
    let result = run()
    if name == "levenberg-marquardt" { lmSplit = result }
    print("  \(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(result.status.rawValue.padding(toLength: 15, withPad: " ", startingAt: 0)) \(format(2 * result.cost).padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(result.iterations).padding(toLength: 6, withPad: " ", startingAt: 0)) \(String(result.residualEvaluations).padding(toLength: 15, withPad: " ", startingAt: 0)) \(String(result.jacobianEvaluations).padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(result.gradientEvaluations).padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%.4f", result.timings.totalSeconds))")
}
if let lm = lmSplit, lm.jacobianEvaluations > 0 {
    // Where one LM iteration goes (per Jacobian): the Gram matrix JᵀJ and the Cholesky
    // factorizations are BLAS/LAPACK kernels; "other" is everything around them.
    let t = lm.timings, perIteration = 1e6 / Double(lm.jacobianEvaluations)
    let parts = [("jacobian", t.jacobianSeconds), ("residual", t.residualSeconds), ("gram", t.gramSeconds),
                 ("factorization", t.factorizationSeconds), ("other", t.otherSeconds)]
    print("  LM per iteration (µs): " + parts.map { "\($0.0) \(String(format: "%.1f", $0.1 * perIteration))" }.joined(separator: ", ")
          + "; linear solvers \(lm.linearSolverUse)")
}
