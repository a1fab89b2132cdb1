import Foundation
import LinearAlgebra
import Numerics
import Testing
@testable import FormulaModels

/// Random formulas: rendered to text, parsed, compiled, and checked against the tree they
/// came from (values), against central differences of that tree (derivatives), and for
/// agreement of every sweep (forward lanes, reverse lanes, per-sample, complex step).
/// Subexpressions are kept in the domain of every function (denominators 1 + u², logs of
/// 1 + u², exponentials of tanh), and repeated subtrees exercise the tape's sharing.
struct RandomFormulaGenerator {
    var random: TestRandom

    mutating func pick(_ count: Int) -> Int { min(count - 1, Int(random.next() * Double(count))) }

    mutating func expression(depth: Int) -> String {
        if depth == 0 || random.next() < 0.2 {
            switch pick(5) {
            case 0: return "b1"
            case 1: return "b2"
            case 2: return "x1"
            case 3: return "x2"
            default: return String(format: "%.3f", random.uniform(-2...2))
            }
        }
        let a = expression(depth: depth - 1)
        switch pick(12) {
        case 0: return "(\(a) + \(expression(depth: depth - 1)))"
        case 1: return "(\(a) - \(expression(depth: depth - 1)))"
        case 2: return "(\(a) * \(expression(depth: depth - 1)))"
        case 3: return "(\(a) / (1 + (\(expression(depth: depth - 1)))**2))"
        case 4: return "(\(a))^\(pick(4) + 1)"
        case 5: return "exp[tanh(\(a))]"
        case 6: return "sin(\(a))"
        case 7: return "cos[\(a)]"
        case 8: return "atan(\(a))"
        case 9: return "sqrt(1 + (\(a))^2)"
        case 10: return "log(1 + \(a)*\(a))"
        default: return "-(\(a)) * \(a)"
        }
    }
}

@Suite struct RandomFormulaTests {
    @Test(arguments: 0..<24)
    func randomFormulaSweepsAgreeWithTheTree(_ seed: Int) throws {
        var generator = RandomFormulaGenerator(random: TestRandom(state: UInt64(seed) &* 7919 &+ 1))
        let text = "y = " + generator.expression(depth: 4) + " + b1*x1 + b2*x2"
        let model = try FormulaModel(text)
        #expect(model.parameterNames == ["b1", "b2"], "\(text)")
        #expect(model.predictorNames == ["x1", "x2"], "\(text)")
        let samples = 70
        var inputs = Matrix(rows: samples, columns: 2)
        for index in inputs.elements.indices { inputs.elements[index] = generator.random.uniform(-1.5...1.5) }
        let point = [generator.random.uniform(-1...1), generator.random.uniform(-1...1)]
        let map = try model.residualMap(inputs: inputs, responses: [Double](repeating: 0, count: samples))
        let expression = model.definition.expression

        var values: [Double] = []
        map.evaluate(at: point, into: &values)
        for s in 0..<samples {
            let tree = expression.value(parameters: point, predictors: inputs.row(s))
            #expect(Swift.abs(values[s] - tree) <= 1e-12 * max(1, Swift.abs(tree)), "\(text)")
        }

        var perSample = Matrix(rows: 0, columns: 0)
        map.perSampleGradients(at: point, outputIndex: 0, into: &perSample)
        var forward = Matrix(rows: 0, columns: 0)
        map.pushforward(at: point, tangents: Matrix.identity(2), into: &forward)
        var reverse = Matrix(rows: 0, columns: 0)
        map.pullback(at: point, cotangents: Matrix.identity(samples), into: &reverse)
        #expect(relativeDifference(forward, perSample) < 1e-13, "\(text)")
        #expect(relativeDifference(reverse, perSample) < 1e-13, "\(text)")
        #expect(relativeDifference(complexStepJacobian(map, at: point), perSample) < 1e-12, "\(text)")
        #expect(relativeDifference(treeCentralDifferenceJacobian(map, inputs: inputs, at: point), perSample) < 1e-6, "\(text)")
    }
}
