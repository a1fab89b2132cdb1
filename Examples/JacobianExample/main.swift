// A user's own model conformed to DifferentiableMap, differentiated by several
// strategies. Run: swift run JacobianExample
import Jacobench

/// Exponential decay observed at fixed times: r_t(a, k) = a·e^(−k·t) − y_t.
/// Two parameters (a, k), one residual per time; each residual depends only on
/// its own sample, so the model also declares per-sample structure.
final class DecayResiduals: PerSampleStructured {
    let times: [Double]
    let observations: [Double]
    init(times: [Double], observations: [Double]) {
        self.times = times
        self.observations = observations
    }

    var inputCount: Int { 2 }
    var outputCount: Int { times.count }
    var sampleCount: Int { times.count }
    var outputsPerSample: Int { 1 }

    func evaluate(at point: [Double], into output: inout [Double]) {
        output = zip(times, observations).map { t, y in point[0] * decay(point[1], t) - y }
    }

    /// Row t of J is (e^(−k·t), −a·t·e^(−k·t)).
    func gradient(at point: [Double], time t: Double) -> (Double, Double) {
        let e = decay(point[1], t)
        return (e, -point[0] * t * e)
    }

    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        result = Matrix(rows: outputCount, columns: tangents.columns)
        for (row, t) in times.enumerated() {
            let (da, dk) = gradient(at: point, time: t)
            for lane in 0..<tangents.columns { result[row, lane] = da * tangents[0, lane] + dk * tangents[1, lane] }
        }
    }

    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        result = Matrix(rows: cotangents.rows, columns: 2)
        for (row, t) in times.enumerated() {
            let (da, dk) = gradient(at: point, time: t)
            for lane in 0..<cotangents.rows {
                result[lane, 0] += cotangents[lane, row] * da
                result[lane, 1] += cotangents[lane, row] * dk
            }
        }
    }

    func perSampleGradients(at point: [Double], outputIndex: Int, into result: inout Matrix) {
        result = Matrix(rows: sampleCount, columns: 2)
        for (row, t) in times.enumerated() {
            let (da, dk) = gradient(at: point, time: t)
            result[row, 0] = da
            result[row, 1] = dk
        }
    }

    private func decay(_ k: Double, _ t: Double) -> Double {
        // e^(−k·t) by squaring a Taylor step, to keep the example free of Foundation.
        var x = -k * t / 1024, term = 1.0, sum = 1.0
        for n in 1...12 { term *= x / Double(n); sum += term }
        x = sum
        for _ in 0..<10 { x *= x }
        return x
    }
}

let model = DecayResiduals(times: [0, 0.5, 1, 2, 4], observations: [2.0, 1.2, 0.75, 0.27, 0.04])
let point = [2.0, 1.0]
print("Jacobian of a user model, n = \(model.inputCount), m = \(model.outputCount)")
let reference = try ForwardVectorized().jacobian(of: model, at: point)
for name in ["forward-vectorized", "reverse-loop", "per-sample", "central-difference", "complex-step", "auto"] {
    let strategy = try JacobianStrategyCatalog.strategy(named: name)
    if let reason = strategy.inapplicabilityReason(for: model) {
        print("  \(name): not applicable (\(reason))")
        continue
    }
    var jacobian = Matrix(rows: 0, columns: 0)
    let cost = try strategy.jacobian(of: model, at: point, into: &jacobian)
    let error = JacobianConformance.relativeDifference(jacobian, reference)
    print("  \(name): relative difference \(error), pullbacks \(cost.pullbacks), pushforwards \(cost.pushforwards), evaluations \(cost.forwardEvaluations)")
    if let auto = strategy as? AutoStrategy, let decision = auto.lastDecision { print("    \(decision)") }
}

// The built-in MLP: the forum case, 5→9→3 tanh over 192 samples (N = 84, M = 576).
var generator = SeededGenerator(seed: 42)
let network = MultilayerPerceptron(layerWidths: [5, 9, 3], activation: .tanh).initialized(.glorot, seed: 42)
let inputs = Matrix(rows: 192, columns: 5, elements: (0..<960).map { _ in generator.nextUniform(in: -1, 1) })
let targets = network.outputs(for: inputs)
let residuals = MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
let jacobian = try PerSampleGradients().jacobian(of: residuals, at: network.parameters)
print("MLP residual Jacobian by per-sample: \(jacobian.rows)×\(jacobian.columns)")
