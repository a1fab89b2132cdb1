// Jacobian strategy benchmark: median time of every strategy on the two forum
// cases, as a multiple of one forward pass over the whole batch measured in the
// same run ("forward-pass units"). Release build, one BLAS thread:
//
//     swift build -c release --product JacobianBenchmark
//     OPENBLAS_NUM_THREADS=1 .build/release/JacobianBenchmark [--quick]
import CBLASLapack
import Jacobench

openblas_set_num_threads(1)
let quick = CommandLine.arguments.contains("--quick")
let timeBudget = quick ? 0.05 : 0.4

/// Median and minimum seconds of `body` over repeats filling `timeBudget`
/// (at least 3, at most 2000), after one warm-up call.
func measure(_ body: () throws -> Void) rethrows -> (median: Double, minimum: Double, repeats: Int) {
    let clock = ContinuousClock()
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
    let warmUp = seconds(try clock.measure(body))
    let repeats = warmUp > 1 ? 1 : max(3, min(2000, Int(timeBudget / max(warmUp, 1e-9))))
    var samples: [Double] = []
    samples.reserveCapacity(repeats)
    for _ in 0..<repeats { samples.append(seconds(try clock.measure(body))) }
    samples.sort()
    return (samples[samples.count / 2], samples[0], repeats)
}

func format(_ value: Double, digits: Int = 1) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}

struct BenchmarkCase {
    var title: String
    var map: any DifferentiableMap
    var point: [Double]
}

func forumCase() -> BenchmarkCase {
    var generator = SeededGenerator(seed: 42)
    let network = MultilayerPerceptron(layerWidths: [5, 9, 3], activation: .tanh).initialized(.glorot, seed: 7)
    let teacher = MultilayerPerceptron(layerWidths: [5, 9, 3], activation: .tanh).initialized(.glorot, seed: 8)
    let inputs = Matrix(rows: 192, columns: 5, elements: (0..<960).map { _ in generator.nextUniform(in: -1, 1) })
    var targets = teacher.outputs(for: inputs)
    for index in targets.elements.indices { targets.elements[index] += generator.nextGaussian(standardDeviation: 0.01) }
    let map = MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
    return BenchmarkCase(title: "5→9→3 tanh, 192 samples, w.r.t. parameters (N = 84, M = 576)", map: map, point: network.parameters)
}

func inputCase() -> BenchmarkCase {
    var generator = SeededGenerator(seed: 43)
    let network = MultilayerPerceptron(layerWidths: [15, 32, 55], activation: .tanh).initialized(.glorot, seed: 9)
    let x = (0..<15).map { _ in generator.nextUniform(in: -1, 1) }
    return BenchmarkCase(title: "15→32→55 tanh, w.r.t. its 15 inputs (n = 15, m = 55)", map: MultilayerPerceptronInputMap(network: network), point: x)
}

var failures: [String] = []
for benchmark in [forumCase(), inputCase()] {
    let map = benchmark.map, point = benchmark.point
    var output: [Double] = []
    let forward = measure { map.evaluate(at: point, into: &output) }
    print("\n### \(benchmark.title)\n")
    print("One forward pass over the whole batch: median \(format(forward.median * 1e6, digits: 2)) µs (\(forward.repeats) repeats).\n")
    print("| strategy | median µs | min µs | forward-pass units | evaluations | pushforwards × lanes | pullbacks × lanes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    let reference = try ForwardVectorized().jacobian(of: map, at: point)
    var units: [String: Double] = [:]
    for name in JacobianStrategyCatalog.names {
        let strategy = try JacobianStrategyCatalog.strategy(named: name)
        if let reason = strategy.inapplicabilityReason(for: map) {
            print("| \(name) | — | — | — | not applicable: \(reason) | | |")
            continue
        }
        var jacobian = Matrix(rows: 0, columns: 0)
        var cost = JacobianCost()
        let timing = try measure { cost = try strategy.jacobian(of: map, at: point, into: &jacobian) }
        let error = JacobianConformance.relativeDifference(jacobian, reference)
        if error > JacobianConformance.tolerance(for: strategy) {
            failures.append("\(name) on \(benchmark.title): relative error \(error)")
        }
        units[name] = timing.median / forward.median
        var label = name
        if let auto = strategy as? AutoStrategy, let decision = auto.lastDecision { label += " → \(decision.chosen)" }
        print(
            "| \(label) | \(format(timing.median * 1e6)) | \(format(timing.minimum * 1e6)) | \(format(timing.median / forward.median, digits: 2)) "
                + "| \(cost.forwardEvaluations) | \(cost.pushforwards) × \(cost.tangentLanes) | \(cost.pullbacks) × \(cost.cotangentLanes) |")
    }
    let n = Double(map.inputCount)
    if map.inputCount == 84, let perSample = units["per-sample"] {
        let ok = perSample <= 3
        print("\nTarget per-sample ≤ 3 forward-pass units: \(format(perSample, digits: 2)) \(ok ? "met" : "MISSED")")
        if !ok { failures.append("per-sample target missed") }
    }
    if let vectorized = units["forward-vectorized"] {
        let ok = vectorized <= 0.2 * n
        print("Target forward-vectorized ≤ 0.2·n = \(format(0.2 * n)) units: \(format(vectorized, digits: 2)) \(ok ? "met" : "MISSED")")
        if !ok { failures.append("forward-vectorized target missed") }
    }
}
if !failures.isEmpty {
    print("\nProblems:")
    for failure in failures { print("- \(failure)") }
}
