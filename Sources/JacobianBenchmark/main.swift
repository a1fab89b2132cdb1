// Jacobian strategy benchmark: median time of every strategy on the three
// MLP cases (seed-lm, seed-input, scale), also as a multiple of one forward pass
// over the whole batch measured in the same run ("forward-pass units").
// Calls alternate between θ (or x) and the same point with its first entry one
// ulp up, so every call pays its forward pass, as the peers' calls do.
// Release build, one BLAS thread:
//
//     swift build -c release --product JacobianBenchmark
//     OPENBLAS_NUM_THREADS=1 .build/release/JacobianBenchmark [--quick] [--case NAME]
//
// Profiling (no timing, N calls of one strategy, e.g. under callgrind):
//
//     .build/release/JacobianBenchmark --profile seed-lm per-sample 1000
import CBLASLapack
import Jacobench

OpenBLASCoreSelection.reexecuteIfGenericCore()
openblas_set_num_threads(1)
let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let timeBudget = quick ? 0.05 : 0.3

/// The value following `flag` on the command line.
func option(_ flag: String) -> String? {
    guard let index = arguments.firstIndex(of: flag), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

/// Median and minimum seconds of `body` over repeats filling `timeBudget`
/// (at least 3, at most 2000), after two warm-up calls; `body` receives the
/// repeat index so that callers can alternate points.
func measure(_ body: (Int) throws -> Void) rethrows -> (median: Double, minimum: Double, repeats: Int) {
    let clock = ContinuousClock()
    func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
    try body(1)
    let warmUp = seconds(try clock.measure { try body(0) })
    let repeats = warmUp > 1 ? 1 : max(3, min(2000, Int(timeBudget / max(warmUp, 1e-9))))
    var samples: [Double] = []
    samples.reserveCapacity(repeats)
    for index in 0..<repeats { samples.append(seconds(try clock.measure { try body(index) })) }
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
    var name: String
    var title: String
    var map: any DifferentiableMap
    var point: [Double]
    /// Strategies not timed here, with the reason printed instead.
    var skipped: [String: String] = [:]
}

/// A teacher network's noisy outputs on uniform inputs in [−1, 1], fitted by a student of the same shape.
func residualCase(name: String, title: String, widths: [Int], samples: Int, seed: UInt64) -> BenchmarkCase {
    var generator = SeededGenerator(seed: seed)
    let network = MultilayerPerceptron(layerWidths: widths, activation: .tanh).initialized(.glorot, seed: seed + 1)
    let teacher = MultilayerPerceptron(layerWidths: widths, activation: .tanh).initialized(.glorot, seed: seed + 2)
    let d = widths[0]
    let inputs = Matrix(rows: samples, columns: d, elements: (0..<(samples * d)).map { _ in generator.nextUniform(in: -1, 1) })
    var targets = teacher.outputs(for: inputs)
    for index in targets.elements.indices { targets.elements[index] += generator.nextGaussian(standardDeviation: 0.01) }
    let map = MultilayerPerceptronResidualMap(network: network, inputs: inputs, targets: targets)
    return BenchmarkCase(name: name, title: title, map: map, point: network.parameters)
}

func inputCase() -> BenchmarkCase {
    var generator = SeededGenerator(seed: 43)
    let network = MultilayerPerceptron(layerWidths: [15, 32, 55], activation: .tanh).initialized(.glorot, seed: 9)
    let x = (0..<15).map { _ in generator.nextUniform(in: -1, 1) }
    return BenchmarkCase(
        name: "seed-input", title: "seed-input: 15→32→55 tanh, w.r.t. its 15 inputs (n = 15, m = 55)",
        map: MultilayerPerceptronInputMap(network: network), point: x)
}

let slowAtScale = "minutes at this size (m = 4,096, n = 1,021); see the seed-lm case"
let cases: [BenchmarkCase] = [
    residualCase(
        name: "seed-lm", title: "seed-lm: 5→9→3 tanh, 192 samples, w.r.t. parameters (N = 84, M = 576)",
        widths: [5, 9, 3], samples: 192, seed: 42),
    inputCase(),
    {
        var scale = residualCase(
            name: "scale", title: "scale: 1→30→30→1 tanh, 4,096 samples, w.r.t. parameters (N = 1,021, M = 4,096)",
            widths: [1, 30, 30, 1], samples: 4096, seed: 44)
        for name in ["reverse-loop", "reverse-vectorized", "forward-difference", "central-difference", "ridders", "complex-step", "swift-autodiff"] {
            scale.skipped[name] = slowAtScale
        }
        return scale
    }(),
]

/// θ and θ with its first entry one ulp up.
func alternatingPoints(_ point: [Double]) -> [[Double]] {
    var nudged = point
    if !nudged.isEmpty { nudged[0] = nudged[0].nextUp }
    return [point, nudged]
}

if arguments.count >= 5, arguments[1] == "--profile" {
    guard let benchmark = cases.first(where: { $0.name == arguments[2] }), let calls = Int(arguments[4]) else {
        fatalError("usage: --profile CASE (\(cases.map(\.name).joined(separator: ", "))) STRATEGY|forward CALLS")
    }
    let points = alternatingPoints(benchmark.point)
    var jacobian = Matrix(rows: 0, columns: 0)
    var output: [Double] = []
    if arguments[3] == "forward" {
        for call in 0..<calls { benchmark.map.evaluate(at: points[call % 2], into: &output) }
    } else {
        let strategy = try JacobianStrategyCatalog.strategy(named: arguments[3])
        for call in 0..<calls { _ = try strategy.jacobian(of: benchmark.map, at: points[call % 2], into: &jacobian) }
    }
    exit(0)
}

var failures: [String] = []
var summary: [String] = []
for benchmark in cases where option("--case").map({ $0 == benchmark.name }) ?? true {
    let map = benchmark.map
    let points = alternatingPoints(benchmark.point)
    var output: [Double] = []
    let forward = measure { map.evaluate(at: points[$0 % 2], into: &output) }
    print("\n### \(benchmark.title)\n")
    print("One forward pass over the whole batch: median \(format(forward.median * 1e6, digits: 2)) µs (\(forward.repeats) repeats).\n")
    print("| strategy | median µs | min µs | forward-pass units | evaluations | pushforwards × lanes | pullbacks × lanes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    let reference = try ForwardVectorized().jacobian(of: map, at: benchmark.point)
    var fastestExact: (name: String, seconds: Double)?
    for name in JacobianStrategyCatalog.names {
        if let reason = benchmark.skipped[name] {
            print("| \(name) | — | — | — | not timed: \(reason) | | |")
            continue
        }
        let strategy = try JacobianStrategyCatalog.strategy(named: name)
        if let reason = strategy.inapplicabilityReason(for: map) {
            print("| \(name) | — | — | — | not applicable: \(reason) | | |")
            continue
        }
        var jacobian = Matrix(rows: 0, columns: 0)
        var cost = JacobianCost()
        let timing = try measure { cost = try strategy.jacobian(of: map, at: points[$0 % 2], into: &jacobian) }
        _ = try strategy.jacobian(of: map, at: benchmark.point, into: &jacobian)
        let error = JacobianConformance.relativeDifference(jacobian, reference)
        if error > JacobianConformance.tolerance(for: strategy) {
            failures.append("\(name) on \(benchmark.name): relative error \(error)")
        }
        if strategy.isExact, name != "auto", timing.median < fastestExact?.seconds ?? .infinity {
            fastestExact = (name, timing.median)
        }
        var label = name
        if let auto = strategy as? AutoStrategy, let decision = auto.lastDecision { label += " → \(decision.chosen)" }
        print(
            "| \(label) | \(format(timing.median * 1e6)) | \(format(timing.minimum * 1e6)) | \(format(timing.median / forward.median, digits: 2)) "
                + "| \(cost.forwardEvaluations) | \(cost.pushforwards) × \(cost.tangentLanes) | \(cost.pullbacks) × \(cost.cotangentLanes) |")
    }
    if let fastest = fastestExact {
        summary.append(
            "- \(benchmark.name): fastest exact \(fastest.name) \(format(fastest.seconds * 1e6)) µs "
                + "= \(format(fastest.seconds / forward.median, digits: 2)) forward passes (forward \(format(forward.median * 1e6, digits: 2)) µs)")
    }
}
print("\n### Summary (medians; compare with `make peers EXP=…` run on the same machine)\n")
for line in summary { print(line) }
if !failures.isEmpty {
    print("\nProblems:")
    for failure in failures { print("- \(failure)") }
}
