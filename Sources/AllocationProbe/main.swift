// `make alloc-check`: fits a case with Levenberg-Marquardt for a fixed number of iterations, so
// that valgrind's DHAT can count the heap allocations of K and of 2K iterations; their
// difference over K is the allocations per iteration (the target: zero after the first).
//
//     AllocationProbe CASE ITERATIONS      CASE: seed-lm | scale | formula
//
// The fit is cancelled after ITERATIONS accepted steps (status `cancelled`). Prints the case,
// the iterations taken and the final cost (so a run that stopped early, which
// would make the difference meaningless, is visible).
import Foundation
import Jacobench

/// A teacher network's noisy outputs on uniform inputs in [−1, 1], and a student of the same shape.
func networkProblem(widths: [Int], samples: Int, seed: UInt64) -> LeastSquaresProblem {
    var generator = SeededGenerator(seed: seed)
    let student = MultilayerPerceptron(layerWidths: widths, activation: .tanh).initialized(.glorot, seed: seed + 1)
    let teacher = MultilayerPerceptron(layerWidths: widths, activation: .tanh).initialized(.glorot, seed: seed + 2)
    let inputs = Matrix(rows: samples, columns: widths[0], elements: (0..<(samples * widths[0])).map { _ in generator.nextUniform(in: -1, 1) })
    var targets = teacher.outputs(for: inputs)
    for index in targets.elements.indices { targets.elements[index] += generator.nextGaussian(standardDeviation: 0.01) }
    return LeastSquaresProblem(map: MultilayerPerceptronResidualMap(network: student, inputs: inputs, targets: targets), initialParameters: student.parameters)
}

/// y = a·exp(−k·t) + c on 64 noisy points (Moré's trust region, QR or Cholesky by `auto`).
func formulaProblem() throws -> LeastSquaresProblem {
    let model = try FormulaModel("y = b1*exp(-b2*x) + b3")
    var generator = SeededGenerator(seed: 5)
    let t = (0..<64).map { Double($0) * 0.1 }
    let y = t.map { 2.5 * exp(-0.3 * $0) + 0.7 + generator.nextGaussian(standardDeviation: 0.01) }
    let map = try FormulaResidualMap(model: model, inputs: Matrix(rows: 64, columns: 1, elements: t), responses: y)
    return LeastSquaresProblem(map: map, initialParameters: [1, 0.01, 0])
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let iterations = Int(arguments[2]), iterations > 0 else {
    FileHandle.standardError.write(Data("usage: AllocationProbe seed-lm|scale|formula ITERATIONS\n".utf8))
    exit(2)
}
let problem: LeastSquaresProblem
switch arguments[1] {
case "seed-lm": problem = networkProblem(widths: [5, 9, 3], samples: 192, seed: 42)
case "scale": problem = networkProblem(widths: [1, 30, 30, 1], samples: 4096, seed: 7)
case "formula": problem = try formulaProblem()
default:
    FileHandle.standardError.write(Data("unknown case '\(arguments[1])'\n".utf8))
    exit(2)
}
/// Accepted iterations so far, counted by the progress observer; the fit is cancelled after
/// `iterations` of them, so that every other setting (and what LM reserves from them) is the
/// same for K and 2K.
final class IterationCounter: @unchecked Sendable {
    var accepted = 0
}
let counter = IterationCounter()
var probed = problem
probed.iterationObserver = { _ in counter.accepted += 1 }
probed.shouldStop = { counter.accepted >= iterations }
var configuration = LevenbergMarquardt.Configuration()
configuration.ftol = 0
configuration.xtol = 0
configuration.gtol = 0
configuration.covariance = false
let result = LevenbergMarquardt(configuration: configuration).fit(probed)
print("\(arguments[1]): \(result.iterations) iterations, \(result.trace.count) trials, cost \(result.cost), \(result.status.rawValue)")
