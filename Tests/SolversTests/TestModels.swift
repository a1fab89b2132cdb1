import Foundation
import Jacobians
import LinearAlgebra
import Solvers

/// A residual map given by closed-form residuals and closed-form Jacobian rows; its
/// pushforward is J·V and its pullback U·J with that analytic J.
final class AnalyticResidualMap: DifferentiableMap {
    let inputCount: Int
    let outputCount: Int
    let residuals: ([Double]) -> [Double]
    let jacobianRows: ([Double]) -> [[Double]]

    init(parameters: Int, residuals: Int, _ r: @escaping ([Double]) -> [Double], jacobian: @escaping ([Double]) -> [[Double]]) {
        inputCount = parameters
        outputCount = residuals
        self.residuals = r
        self.jacobianRows = jacobian
    }

    func evaluate(at point: [Double], into output: inout [Double]) { output = residuals(point) }

    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        let jacobian = Matrix(jacobianRows(point))
        multiply(jacobian, tangents, into: &result)
    }

    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        let jacobian = Matrix(jacobianRows(point))
        multiply(cotangents, jacobian, into: &result)
    }
}

/// A Moré–Garbow–Hillstrom test problem: map, standard start, a known minimiser and f*.
struct MGHProblem: CustomStringConvertible, Sendable {
    var name: String
    var start: [Double]
    var solution: [Double]?
    var minimumCost: Double
    var make: @Sendable () -> AnalyticResidualMap
    var description: String { name }
}

let mghProblems: [MGHProblem] = [
    MGHProblem(name: "rosenbrock", start: [-1.2, 1], solution: [1, 1], minimumCost: 0) {
        AnalyticResidualMap(parameters: 2, residuals: 2, { x in [10 * (x[1] - x[0] * x[0]), 1 - x[0]] },
                            jacobian: { x in [[-20 * x[0], 10], [-1, 0]] })
    },
    MGHProblem(name: "helical-valley", start: [-1, 0, 0], solution: [1, 0, 0], minimumCost: 0) {
        func theta(_ x: [Double]) -> Double {
            let base = atan(x[1] / x[0]) / (2 * Double.pi)
            return x[0] < 0 ? base + 0.5 : base
        }
        return AnalyticResidualMap(
            parameters: 3, residuals: 3,
            { x in [10 * (x[2] - 10 * theta(x)), 10 * ((x[0] * x[0] + x[1] * x[1]).squareRoot() - 1), x[2]] },
            jacobian: { x in
                let q = x[0] * x[0] + x[1] * x[1], s = q.squareRoot()
                return [[100 * x[1] / (2 * Double.pi * q), -100 * x[0] / (2 * Double.pi * q), 10],
                        [10 * x[0] / s, 10 * x[1] / s, 0], [0, 0, 1]]
            })
    },
    MGHProblem(name: "powell-singular", start: [3, -1, 0, 1], solution: nil, minimumCost: 0) {
        AnalyticResidualMap(
            parameters: 4, residuals: 4,
            { x in [x[0] + 10 * x[1], 5.0.squareRoot() * (x[2] - x[3]), (x[1] - 2 * x[2]) * (x[1] - 2 * x[2]),
                    10.0.squareRoot() * (x[0] - x[3]) * (x[0] - x[3])] },
            jacobian: { x in
                let a = 2 * (x[1] - 2 * x[2]), b = 2 * 10.0.squareRoot() * (x[0] - x[3])
                return [[1, 10, 0, 0], [0, 0, 5.0.squareRoot(), -5.0.squareRoot()], [0, a, -2 * a, 0], [b, 0, 0, -b]]
            })
    },
    MGHProblem(name: "brown-badly-scaled", start: [1, 1], solution: [1e6, 2e-6], minimumCost: 0) {
        AnalyticResidualMap(parameters: 2, residuals: 3, { x in [x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2] },
                            jacobian: { x in [[1, 0], [0, 1], [x[1], x[0]]] })
    },
    MGHProblem(name: "powell-badly-scaled", start: [0, 1], solution: [1.098159329699759e-05, 9.106146739866453], minimumCost: 0) {
        AnalyticResidualMap(
            parameters: 2, residuals: 2,
            { x in [1e4 * x[0] * x[1] - 1, exp(-x[0]) + exp(-x[1]) - 1.0001] },
            jacobian: { x in [[1e4 * x[1], 1e4 * x[0]], [-exp(-x[0]), -exp(-x[1])]] })
    },
    MGHProblem(name: "box-3d", start: [0, 10, 20], solution: [1, 10, 1], minimumCost: 0) {
        let t = (1...10).map { 0.1 * Double($0) }
        func residual(_ x: [Double], _ ti: Double) -> Double {
            let c: Double = exp(-ti) - exp(-10 * ti)
            return exp(-ti * x[0]) - exp(-ti * x[1]) - x[2] * c
        }
        func row(_ x: [Double], _ ti: Double) -> [Double] {
            let c: Double = exp(-ti) - exp(-10 * ti)
            return [-ti * exp(-ti * x[0]), ti * exp(-ti * x[1]), -c]
        }
        return AnalyticResidualMap(parameters: 3, residuals: 10, { x in t.map { residual(x, $0) } },
                                   jacobian: { x in t.map { row(x, $0) } })
    },
]

/// SplitMix64, for seeded test data independent of the standard library's generator.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// r = A x − b.
func linearMap(_ a: Matrix, _ b: [Double]) -> AnalyticResidualMap {
    AnalyticResidualMap(
        parameters: a.columns, residuals: a.rows,
        { x in
            var y: [Double] = []
            multiply(a, x, into: &y)
            return zip(y, b).map { $0 - $1 }
        },
        jacobian: { _ in (0..<a.rows).map { a.row($0) } })
}
