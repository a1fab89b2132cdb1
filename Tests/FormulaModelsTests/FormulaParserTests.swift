import Foundation
import LinearAlgebra
import Testing
@testable import FormulaModels

/// Evaluates a one-predictor formula at b and x through the compiled program.
private func value(_ text: String, b: [Double] = [], x: [Double]) throws -> Double {
    let model = try FormulaModel(text)
    let used = Array(x.prefix(model.predictorCount))
    let inputs = Matrix(rows: 1, columns: used.count, elements: used)
    return model.predictions(parameters: b, inputs: inputs)[0]
}

@Suite struct FormulaParserTests {
    @Test(arguments: [
        // (formula, b, x, closed form)
        ("y = b1*(1-exp[-b2*x])", [238.94, 5.5e-4], [77.6], 238.94 * (1 - Foundation.exp(-5.5e-4 * 77.6))),
        ("y = -x^2", [], [3.0], -9.0),
        ("y = 2^3^2", [], [1.0], 512.0),
        ("y = 2**3**2", [], [1.0], 512.0),
        ("y = x**-1", [], [4.0], 0.25),
        ("y = -2**2 + x", [], [0.0], -4.0),
        ("y = .5*x + 1.5E-03", [], [2.0], 1.0015),
        ("y = 1e2 + 2.5e+1 - 3E-1", [], [0.0], 124.7),
        ("y = 8/4/2", [], [0.0], 1.0),
        ("y = 10 - 4 - 3", [], [0.0], 3.0),
        ("y = [x+1]*(x-1)", [], [3.0], 8.0),
        ("y = log(x) + log10(x) + sqrt(x)", [], [100.0], Foundation.log(100.0) + 2 + 10),
        ("y = sin(x)+cos(x)+tan(x)", [], [0.3], Foundation.sin(0.3) + Foundation.cos(0.3) + Foundation.tan(0.3)),
        ("y = arctan[x] + atan(2*x)", [], [0.7], Foundation.atan(0.7) + Foundation.atan(1.4)),
        ("y = sinh(x)*cosh(x)/tanh(x)", [], [0.4], Foundation.sinh(0.4) * Foundation.cosh(0.4) / Foundation.tanh(0.4)),
        ("y = abs(x) + ABS(-x)", [], [-2.5], 5.0),
        ("y = b1 - b2*x - arctan[b3/(x-b4)]/pi  +  e", [0.2, -6.2e-6, 1204.0, -181.0], [-4868.68],
         0.2 - (-6.2e-6) * -4868.68 - Foundation.atan(1204.0 / (-4868.68 + 181.0)) / Double.pi),
        ("y = b1 * (b2+x)**(-1/b3)", [-2523.5, 46.7, 0.932], [7.447],
         -2523.5 * Foundation.pow(46.7 + 7.447, -1 / 0.932)),
        ("y = (b1+b2*x+b3*x**2+b4*x**3) /\n    (1+b5*x+b6*x**2+b7*x**3)  +  e", [1, -0.1, 0.004, -1e-6, -0.005, 2e-4, -1e-7], [50.0],
         (1 - 0.1 * 50 + 0.004 * 2500 - 1e-6 * 125_000) / (1 - 0.005 * 50 + 2e-4 * 2500 - 1e-7 * 125_000)),
    ] as [(String, [Double], [Double], Double)])
    func evaluatesToTheClosedForm(_ text: String, _ b: [Double], _ x: [Double], _ expected: Double) throws {
        let computed = try value(text, b: b, x: x)
        #expect(Swift.abs(computed - expected) <= 1e-13 * max(1, Swift.abs(expected)), "\(text): \(computed) vs \(expected)")
    }

    @Test func twoPredictorsAndATransformedResponse() throws {
        let model = try FormulaModel("log[y] = b1 - b2*x1 * exp[-b3*x2]  +  e")
        #expect(model.parameterNames == ["b1", "b2", "b3"])
        #expect(model.predictorNames == ["x1", "x2"])
        #expect(model.responseName == "y")
        #expect(model.responseTransform == .log)
        let b = [2.59, 5.6e-9, -0.0577]
        let predictions = model.predictions(parameters: b, inputs: Matrix(rows: 2, columns: 2, elements: [1, 180, 64, 275]))
        #expect(Swift.abs(predictions[0] - (2.59 - 5.6e-9 * 1 * Foundation.exp(0.0577 * 180))) < 1e-12)
        #expect(Swift.abs(predictions[1] - (2.59 - 5.6e-9 * 64 * Foundation.exp(0.0577 * 275))) < 1e-12)
        // Residuals live in the transformed space: r = f − log(y).
        let map = try model.residualMap(inputs: Matrix(rows: 1, columns: 2, elements: [1, 180]), responses: [15])
        var residuals: [Double] = []
        map.evaluate(at: b, into: &residuals)
        #expect(Swift.abs(residuals[0] - (predictions[0] - Foundation.log(15))) < 1e-12)
    }

    @Test func auxiliaryConstantsAndMultiLineContinuations() throws {
        let model = try FormulaModel("""
            pi = 3.141592653589793238462643383279E0
            two = 2*1
            y = b1*exp( -b2*x ) + b3*exp( -(x-b4)**two / b5**2 )
                                + b6 + e
            """)
        #expect(model.parameterNames == ["b1", "b2", "b3", "b4", "b5", "b6"])
        #expect(model.definition.constants["two"] == 2)
        let b = [98.8, 0.0105, 100.5, 67.5, 23.1, 3.0]
        let x = 60.0
        let expected = 98.8 * Foundation.exp(-0.0105 * x) + 100.5 * Foundation.exp(-(x - 67.5) * (x - 67.5) / (23.1 * 23.1)) + 3.0
        let computed = model.predictions(parameters: b, inputs: Matrix(rows: 1, columns: 1, elements: [x]))[0]
        #expect(Swift.abs(computed - expected) < 1e-12 * expected)
    }

    @Test func declaredNamesAndConstants() throws {
        let declarations = FormulaDeclarations(parameterNames: ["amplitude", "rate"], predictorNames: ["time"], constants: ["offset": 3])
        let model = try FormulaModel("signal = amplitude*exp(-rate*time) + offset", declarations: declarations)
        let computed = model.predictions(parameters: [2, 0.5], inputs: Matrix(rows: 1, columns: 1, elements: [2]))[0]
        #expect(Swift.abs(computed - (2 * Foundation.exp(-1) + 3)) < 1e-14)
        #expect(model.responseName == "signal")
    }

    @Test func parametersAreOrderedByNumberNotByAppearance() throws {
        let model = try FormulaModel("y = b1 + b2*exp[-x*b4] + b3*exp[-x*b5]  +  e")
        #expect(model.parameterNames == ["b1", "b2", "b3", "b4", "b5"])
        let model2 = try FormulaModel("y = b10*x2 + b2*x + b1*x1")
        #expect(model2.parameterNames == ["b1", "b2", "b10"])
        #expect(model2.predictorNames == ["x", "x1", "x2"])
    }

    @Test func compilationFoldsConstantsAndSharesSubexpressions() throws {
        let model = try FormulaModel("y = (b1 + b2*x**2) / (1 + b3*x**2) + 2*pi*0")
        let squares = model.program.instructions.filter { $0.opcode == .powerInteger }
        #expect(squares.count == 1)
        // x**2 depends on data only, so it is not active.
        #expect(squares.allSatisfy { !model.program.isActive[Int($0.destination)] })
        // 2*pi*0 folds away to a constant register, never an instruction multiplying constants.
        #expect(!model.program.instructions.contains { instruction in
            instruction.opcode == .multiply && instruction.first >= Int32(model.program.constantBase)
                && instruction.first < Int32(model.program.instructionBase)
                && instruction.second >= Int32(model.program.constantBase)
                && instruction.second < Int32(model.program.instructionBase)
        })
    }
}

@Suite struct FormulaParseErrorTests {
    /// The caret line must put '^' under `column` of the echoed source line.
    private func caretColumn(_ description: String) -> Int? {
        let lines = description.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 3, let caret = lines[2].firstIndex(of: "^") else { return nil }
        return lines[2].distance(from: lines[2].startIndex, to: caret) - 4 + 1
    }

    @Test(arguments: [
        // (text, column of the offending character, fragment of the message)
        ("y = b1*(1-exp[-b2*x)", 20, "')' does not match '['"),
        ("y = b1*(1-exp[-b2*x]", 21, "expected ')'"),
        ("y = b1 + * x", 10, "expected a number"),
        ("y = b1 * foo(x)", 10, "unknown function 'foo'"),
        ("y = b1 * z", 10, "unknown name 'z'"),
        ("y = b1 $ x", 8, "unexpected character '$'"),
        ("y = b1 x", 8, "expected an operator"),
        ("y = exp + x", 5, "needs an argument"),
        ("y = b1 +", 9, "ends where an operand"),
        ("= b1", 1, "expected a response name"),
        ("y b1", 3, "expected '='"),
        ("y = 1.5.3", 8, "unexpected second '.'"),
        ("y = b1)", 7, "unmatched ')'"),
    ] as [(String, Int, String)])
    func errorsPointAtTheOffendingColumn(_ text: String, _ column: Int, _ fragment: String) {
        do {
            _ = try FormulaModel(text)
            Issue.record("'\(text)' parsed but should not")
        } catch {
            #expect(error.column == column, "\(error.description)")
            #expect(error.message.contains(fragment), "\(error.message)")
            #expect(error.sourceLine == text)
            #expect(caretColumn(error.description) == column, "\(error.description)")
        }
    }

    @Test func errorsFromAFileNameFileLineAndColumn() {
        let text = "pi = 3.14159E0\n\n   y = b1*exp(-b2*x) /\n       (1 + b3*q)  +  e"
        do {
            _ = try FormulaModel(text, file: "Example.dat", firstLine: 34)
            Issue.record("parsed but should not")
        } catch {
            #expect(error.line == 37)
            #expect(error.column == 16)
            #expect(error.description.hasPrefix("Example.dat:37:16: unknown name 'q'"), "\(error.description)")
            #expect(error.description.contains("\n           (1 + b3*q)  +  e\n                   ^"), "\(error.description)")
        }
    }
}
