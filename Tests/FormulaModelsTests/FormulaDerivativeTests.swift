import Foundation
import LinearAlgebra
import Numerics
import Testing
@testable import FormulaModels

/// A deterministic test generator (SplitMix64).
struct TestRandom {
    var state: UInt64
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) * 0x1.0p-53
    }
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * next()
    }
}

/// A formula with parameters, a sampling box for each predictor and positive responses.
struct DerivativeCase: CustomStringConvertible, Sendable {
    var text: String
    var parameters: [Double]
    var domains: [ClosedRange<Double>]
    var description: String { text }

    func residualMap(samples: Int = 150, seed: UInt64 = 7) throws -> FormulaResidualMap {
        let model = try FormulaModel(text)
        var random = TestRandom(state: seed)
        var inputs = Matrix(rows: samples, columns: domains.count)
        for s in 0..<samples {
            for (j, domain) in domains.enumerated() { inputs[s, j] = random.uniform(domain) }
        }
        let responses = (0..<samples).map { _ in random.uniform(1...2) }
        return try model.residualMap(inputs: inputs, responses: responses)
    }
}

let derivativeCases: [DerivativeCase] = [
    DerivativeCase(text: "y = b1*(1-exp[-b2*x])  +  e", parameters: [238.9, 5.5e-4], domains: [50...800]),
    DerivativeCase(text: "y = (b1 + b2*x + b3*x**2 + b4*x**3) / (1 + b5*x + b6*x**2 + b7*x**3)",
                   parameters: [1288.1, 1491.1, 583.2, 75.4, 0.966, 0.398, 0.0497], domains: [-3...2.2]),
    DerivativeCase(text: "pi = 3.141592653589793238462643383279E0\ny = b1 - b2*x - arctan[b3/(x-b4)]/pi  +  e",
                   parameters: [0.202, -6.2e-6, 1204.5, -181.3], domains: [-4870 ... -460]),
    DerivativeCase(text: "y = b1 * (b2+x)**(-1/b3)", parameters: [-2523.5, 46.74, 0.932], domains: [7...12]),
    DerivativeCase(text: "y = sqrt(b1*x) + log(b2 + x) + log10(b1) + sin(b2*x) * cos(b1) + tan(b2/4)",
                   parameters: [1.3, 0.7], domains: [0.5...2]),
    DerivativeCase(text: "y = sinh(b1*x) - cosh(b2) * tanh(b1 - x) + abs(b2 - x) + exp(-b1)**2 / b2",
                   parameters: [0.8, 2.1], domains: [0.1...1.5]),
    DerivativeCase(text: "log[y] = b1 - b2*x1 * exp[-b3*x2]  +  e", parameters: [2.59, 5.6e-9, -0.0577],
                   domains: [1...64, 180...275]),
    DerivativeCase(text: "y = b1 ^ x + x ^ b2 + b1^b2 - b2**3 * atan(b1*x) + b1*exp(-(x-b2)**2/b1**2)",
                   parameters: [1.7, 0.6], domains: [0.2...3]),
]

/// max |a − b| / max(1, max |b|), per column scale.
func relativeDifference(_ a: Matrix, _ b: Matrix) -> Double {
    precondition(a.rows == b.rows && a.columns == b.columns)
    var worst = 0.0
    for j in 0..<a.columns {
        var scale = 0.0
        for i in 0..<a.rows { scale = max(scale, Swift.abs(b[i, j])) }
        scale = max(scale, 1e-300)
        for i in 0..<a.rows { worst = max(worst, Swift.abs(a[i, j] - b[i, j]) / scale) }
    }
    return worst
}

/// The Jacobian by complex step, h = 1e-30 · max(1, |b_j|).
func complexStepJacobian(_ map: FormulaResidualMap, at point: [Double]) -> Matrix {
    var jacobian = Matrix(rows: map.outputCount, columns: map.inputCount)
    var output: [Complex<Double>] = []
    for j in 0..<map.inputCount {
        let h = 1e-30 * max(1, Swift.abs(point[j]))
        var z = point.map { Complex($0) }
        z[j] = Complex(point[j], h)
        map.evaluate(at: z, into: &output)
        for i in 0..<map.outputCount { jacobian[i, j] = output[i].imaginary / h }
    }
    return jacobian
}

/// The Jacobian by central differences of the tree evaluator (independent of the tape).
func treeCentralDifferenceJacobian(_ map: FormulaResidualMap, inputs: Matrix, at point: [Double]) -> Matrix {
    let expression = map.model.definition.expression
    var jacobian = Matrix(rows: map.outputCount, columns: map.inputCount)
    for j in 0..<map.inputCount {
        let h = 1e-6 * max(1e-3, Swift.abs(point[j]))
        var plus = point, minus = point
        plus[j] += h
        minus[j] -= h
        for s in 0..<map.outputCount {
            let row = inputs.row(s)
            jacobian[s, j] = (expression.value(parameters: plus, predictors: row) - expression.value(parameters: minus, predictors: row)) / (2 * h)
        }
    }
    return jacobian
}

@Suite struct FormulaDerivativeTests {
    @Test(arguments: derivativeCases)
    func everySweepAgrees(_ testCase: DerivativeCase) throws {
        let map = try testCase.residualMap()
        let point = testCase.parameters
        let n = map.inputCount, m = map.outputCount

        var perSample = Matrix(rows: 0, columns: 0)
        map.perSampleGradients(at: point, outputIndex: 0, into: &perSample)
        #expect(perSample.rows == m && perSample.columns == n)

        var forward = Matrix(rows: 0, columns: 0)
        map.pushforward(at: point, tangents: Matrix.identity(n), into: &forward)
        #expect(relativeDifference(forward, perSample) < 1e-13, "forward vs per-sample")

        var reverse = Matrix(rows: 0, columns: 0)
        map.pullback(at: point, cotangents: Matrix.identity(m), into: &reverse)
        #expect(relativeDifference(reverse, perSample) < 1e-13, "reverse (m lanes) vs per-sample")

        let complex = complexStepJacobian(map, at: point)
        #expect(relativeDifference(complex, perSample) < 1e-12, "complex step vs per-sample")

        var inputs = Matrix(rows: m, columns: map.model.predictorCount)
        var random = TestRandom(state: 7)
        for s in 0..<m { for (j, domain) in testCase.domains.enumerated() { inputs[s, j] = random.uniform(domain) } }
        let finite = treeCentralDifferenceJacobian(map, inputs: inputs, at: point)
        #expect(relativeDifference(finite, perSample) < 1e-6, "central differences of the tree vs per-sample")

        // Random blocks: J·V and U·J against products with the per-sample Jacobian.
        var tangents = Matrix(rows: n, columns: 3)
        for index in tangents.elements.indices { tangents.elements[index] = random.uniform(-1...1) }
        var jv = Matrix(rows: 0, columns: 0)
        map.pushforward(at: point, tangents: tangents, into: &jv)
        var expectedJV = Matrix(rows: m, columns: 3)
        multiply(perSample, tangents, into: &expectedJV)
        #expect(relativeDifference(jv, expectedJV) < 1e-12)

        var cotangents = Matrix(rows: 2, columns: m)
        for index in cotangents.elements.indices { cotangents.elements[index] = random.uniform(-1...1) }
        var uj = Matrix(rows: 0, columns: 0)
        map.pullback(at: point, cotangents: cotangents, into: &uj)
        var expectedUJ = Matrix(rows: 2, columns: n)
        multiply(cotangents, perSample, into: &expectedUJ)
        #expect(relativeDifference(uj, expectedUJ) < 1e-12)
    }

    @Test(arguments: derivativeCases)
    func realAndComplexValuesMatchTheTree(_ testCase: DerivativeCase) throws {
        let map = try testCase.residualMap(samples: 70)
        var inputs = Matrix(rows: 70, columns: testCase.domains.count)
        var random = TestRandom(state: 7)
        for s in 0..<70 { for (j, domain) in testCase.domains.enumerated() { inputs[s, j] = random.uniform(domain) } }
        var real: [Double] = []
        map.evaluate(at: testCase.parameters, into: &real)
        var complex: [Complex<Double>] = []
        map.evaluate(at: testCase.parameters.map { Complex($0) }, into: &complex)
        for s in 0..<70 {
            let tree = map.model.definition.expression.value(parameters: testCase.parameters, predictors: inputs.row(s))
                - map.transformedResponses[s]
            #expect(Swift.abs(real[s] - tree) <= 1e-12 * max(1, Swift.abs(tree)))
            #expect(Swift.abs(complex[s].real - real[s]) <= 1e-12 * max(1, Swift.abs(tree)))
            #expect(complex[s].imaginary == 0)
        }
    }

    @Test func misra1aGradientMatchesTheClosedForm() throws {
        let model = try FormulaModel("y = b1*(1-exp[-b2*x])  +  e")
        let x: [Double] = [77.6, 114.9, 141.1, 190.8]
        let map = try model.residualMap(inputs: Matrix(rows: 4, columns: 1, elements: x), responses: [10.07, 14.73, 17.94, 23.93])
        let b = [238.94212918, 5.5015643181e-4]
        var gradients = Matrix(rows: 0, columns: 0)
        map.perSampleGradients(at: b, outputIndex: 0, into: &gradients)
        for (s, xs) in x.enumerated() {
            let decay = Foundation.exp(-b[1] * xs)
            #expect(Swift.abs(gradients[s, 0] - (1 - decay)) < 1e-15)
            #expect(Swift.abs(gradients[s, 1] - b[0] * xs * decay) < 1e-12 * b[0] * xs)
        }
    }

    @Test func buffersAreReusedAcrossLaneCounts() throws {
        let map = try derivativeCases[1].residualMap()
        let point = derivativeCases[1].parameters
        var first = Matrix(rows: 0, columns: 0), again = Matrix(rows: 0, columns: 0)
        map.pushforward(at: point, tangents: Matrix.identity(7), into: &first)
        var wide = Matrix(rows: 0, columns: 0)
        map.pullback(at: point, cotangents: Matrix.identity(150), into: &wide)
        map.pushforward(at: point, tangents: Matrix.identity(7), into: &again)
        #expect(first == again)
    }
}

@Suite struct FormulaEdgeCaseTests {
    @Test func constantParameterOnlyAndParameterFreeFormulas() throws {
        let inputs = Matrix(rows: 3, columns: 1, elements: [1, 2, 3])
        // Output is a parameter register: every gradient is (1).
        let level = try FormulaModel("y = b1").residualMap(inputs: Matrix(rows: 3, columns: 0), responses: [1, 2, 3])
        var gradients = Matrix(rows: 0, columns: 0)
        level.perSampleGradients(at: [5], outputIndex: 0, into: &gradients)
        #expect(gradients == Matrix(rows: 3, columns: 1, repeating: 1))
        var residuals: [Double] = []
        level.evaluate(at: [5], into: &residuals)
        #expect(residuals == [4, 3, 2])
        // No parameters at all: values still come out, the Jacobian has no columns.
        let fixed = try FormulaModel("y = 2*x").residualMap(inputs: inputs, responses: [0, 0, 0])
        fixed.evaluate(at: [], into: &residuals)
        #expect(residuals == [2, 4, 6])
        fixed.perSampleGradients(at: [], outputIndex: 0, into: &gradients)
        #expect(gradients.rows == 3 && gradients.columns == 0)
        // A parameter that cancels out of an inactive output: derivative exactly zero.
        let weighted = try FormulaModel("y = b1*0 + x").residualMap(inputs: inputs, responses: [0, 0, 0])
        weighted.perSampleGradients(at: [3], outputIndex: 0, into: &gradients)
        #expect(gradients == Matrix(rows: 3, columns: 1, repeating: 0))
    }

    @Test func transformedResponseMustBeFinite() throws {
        let model = try FormulaModel("log[y] = b1*x")
        do {
            _ = try model.residualMap(inputs: Matrix(rows: 2, columns: 1, elements: [1, 2]), responses: [1, -2])
            Issue.record("accepted log of a negative response")
        } catch {
            #expect(error.description == "log[y] is not finite for sample 2 (y = -2.0)")
        }
    }
}
