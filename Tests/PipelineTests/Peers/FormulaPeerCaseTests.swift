import Foundation
import FormulaModels
import JSONDocuments
import Testing
@testable import Pipeline

/// `jacobench export-case` for a formula model (`FormulaPeerCase`): the case file the fitting
/// peers read (peers/README.md, "Formula case").
@Suite struct FormulaPeerCaseTests {
    /// A bounded, weighted fit under a robust loss, with a fixed parameter and an integer power.
    static func plannedCase(solver: String = "{kind: levenberg-marquardt, loss: cauchy, loss-scale: 0.1}") throws -> PlannedCase {
        let manifest = try writeManifest("""
            name: formula-export
            seed: 1
            data: {kind: csv, file: decay.csv, inputs: [t], targets: [signal], sigma: err}
            model:
              kind: formula
              formula: "signal = a*exp(-k*t) + c + d*t^2"
              parameters:
                a: 2
                k: {initial: 0.2, min: 0, max: 5}
                c: {initial: 0.5, min: 0}
                d: {initial: 0, fixed: true}
            solver: \(solver)
            evaluation: [{kind: fit}]
            """)
        let rows = BoundsAndLossTests.outlierRows
        let text = "t,signal,err\n" + rows.indices.map { "\(0.3 * Double($0)),\(rows[$0]),\($0 % 2 == 0 ? 0.1 : 0.2)" }.joined(separator: "\n") + "\n"
        try text.write(toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/decay.csv", atomically: true, encoding: .utf8)
        return try #require(try ExperimentPlan.load(path: manifest, registry: .standard).cases.first)
    }

    static func numbers(_ value: JSONValue?) -> [Double?] {
        (value?.arrayValue ?? []).map { $0.numberValue }
    }

    @Test func theCaseCarriesTheTapeDataStartBoundsLossAndTheFit() throws {
        let exported = try #require(try FormulaPeerCase.exported(from: Self.plannedCase(), name: "formula-export", budgetSeconds: 0.01, maximumRepeats: 3))
        let document = try JSONParser.parse(try exported.jsonText())
        #expect(document["schema"]?.integerValue == 1)
        #expect(document["kind"]?.stringValue == "formula")
        #expect(document["name"]?.stringValue == "formula-export")
        #expect(document["parameter_names"]?.arrayValue?.compactMap(\.stringValue) == ["a", "k", "c", "d"])
        #expect(Self.numbers(document["start"]) == [2, 0.2, 0.5, 0])
        #expect(document["fixed"]?.arrayValue?.compactMap(\.integerValue) == [3])
        // Bounds: null for an open side (±∞).
        #expect(Self.numbers(document["bounds"]?["lower"]) == [nil, 0, 0, nil])
        #expect(Self.numbers(document["bounds"]?["upper"]) == [nil, 5, nil, nil])
        #expect(document["bounds"]?["lower"]?.arrayValue?[0] == .null)
        #expect(document["loss"]?.stringValue == "cauchy")
        #expect(document["loss_scale"]?.numberValue == 0.1)
        #expect(document["absolute_sigma"] == .bool(false))
        // Data sizes: S = 20 rows of one input and one target, σ per sample.
        #expect(document["inputs"]?.arrayValue?.count == 20)
        #expect(document["inputs"]?.arrayValue?.allSatisfy { $0.arrayValue?.count == 1 } == true)
        #expect(document["targets"]?.arrayValue?.count == 20)
        #expect(Self.numbers(document["sigma"]).count == 20)
        #expect(document["input_names"]?.arrayValue?.compactMap(\.stringValue) == ["t"])
        #expect(document["target_names"]?.arrayValue?.compactMap(\.stringValue) == ["signal"])
        // The tape: registers parameters (4), predictors (1), constants, then one per instruction.
        let formula = try #require(document["formulas"]?.arrayValue?.first)
        #expect(formula["parameter_count"]?.integerValue == 4)
        #expect(formula["predictor_count"]?.integerValue == 1)
        let constants = Self.numbers(formula["constants"])
        let instructions = try #require(formula["instructions"]?.arrayValue)
        #expect(!instructions.isEmpty)
        for (index, instruction) in instructions.enumerated() {
            #expect(instruction.arrayValue?.count == 4)
            #expect(instruction.arrayValue?[1].integerValue == 5 + constants.count + index)
        }
        #expect(instructions.contains { $0.arrayValue?[0].stringValue == "power-integer" && $0.arrayValue?[3].integerValue == 2 })
        #expect(formula["register_count"]?.integerValue == 5 + constants.count + instructions.count)
        #expect(formula["response_transform"] == .null)
        // Residuals at the start: r = (f − y)/σ, S·p values; jacobench's fit from the start.
        #expect(Self.numbers(document["residuals_at_start"]).count == 20)
        let fit = try #require(document["jacobench_fit"])
        #expect(fit["cost"]?.numberValue.map { $0 > 0 && $0.isFinite } == true)
        #expect(Self.numbers(fit["parameters"]).count == 4)
        #expect(Self.numbers(fit["parameters"]).last == 0)  // d stays fixed
        #expect((fit["residual_evaluations"]?.integerValue ?? 0) > 0)
        #expect((fit["jacobian_evaluations"]?.integerValue ?? 0) > 0)
        #expect((fit["median_us"]?.numberValue ?? 0) > 0)
        #expect(fit["trace"]?.arrayValue?.first?.arrayValue?.count == 3)
    }

    /// The exported tape, interpreted here instruction by instruction from the JSON alone,
    /// reproduces the exported residuals (what peers/formula_case.py does in NumPy).
    @Test func theTapeEvaluatedFromTheFileGivesTheResiduals() throws {
        let exported = try #require(try FormulaPeerCase.exported(from: Self.plannedCase(), name: "t", fit: false))
        #expect(exported.fit == nil)
        let document = try JSONParser.parse(try exported.jsonText())
        #expect(document["jacobench_fit"] == nil)
        let formula = try #require(document["formulas"]?.arrayValue?.first)
        let start = Self.numbers(document["start"]).compactMap { $0 }
        let constants = Self.numbers(formula["constants"]).compactMap { $0 }
        let sigma = Self.numbers(document["sigma"]).compactMap { $0 }
        let residuals = Self.numbers(document["residuals_at_start"]).compactMap { $0 }
        let output = try #require(formula["output"]?.integerValue)
        for (s, row) in try #require(document["inputs"]?.arrayValue).enumerated() {
            var registers = start + Self.numbers(row).compactMap { $0 } + constants
            for instruction in try #require(formula["instructions"]?.arrayValue) {
                let parts = try #require(instruction.arrayValue)
                let a = registers[try #require(parts[2].integerValue)], second = try #require(parts[3].integerValue)
                let b = second >= 0 && second < registers.count ? registers[second] : 0
                let value: Double = switch parts[0].stringValue {
                case "negate": -a
                case "multiply": a * b
                case "add": a + b
                case "subtract": a - b
                case "divide": a / b
                case "exp": Foundation.exp(a)
                case "power-integer": Foundation.pow(a, Double(second))
                case "copy": a
                default: .nan
                }
                registers.append(value)
            }
            let y = try #require(document["targets"]?.arrayValue?[s].arrayValue?.first?.numberValue)
            let r = (registers[output] - y) / sigma[s]
            #expect(abs(r - residuals[s]) <= 1e-13 * max(1, abs(residuals[s])), "sample \(s)")
        }
    }

    @Test func withoutBoundsOrLossTheyAreNullAndLinear() throws {
        let manifest = try writeManifest("""
            name: plain
            seed: 1
            data: {kind: csv, file: d.csv, inputs: [t], targets: [signal]}
            model: {kind: formula, formula: "signal = a*exp(-k*t)", parameters: {a: 1, k: 0.1}}
            """)
        try "t,signal\n0,1\n1,0.5\n2,0.25\n".write(
            toFile: URL(fileURLWithPath: manifest).deletingLastPathComponent().path + "/d.csv", atomically: true, encoding: .utf8)
        let plannedCase = try #require(try ExperimentPlan.load(path: manifest, registry: .standard).cases.first)
        let exported = try #require(try FormulaPeerCase.exported(from: plannedCase, name: "plain"))
        let document = try JSONParser.parse(try exported.jsonText())
        #expect(document["bounds"] == .null)
        #expect(document["sigma"] == .null)
        #expect(document["loss"]?.stringValue == "linear")
        #expect(document["loss_scale"]?.numberValue == 1)
        #expect(document["jacobench_fit"] == nil)  // no solver in the manifest
        #expect(document["fixed"]?.arrayValue?.isEmpty == true)
    }

    @Test func anMLPCaseIsNotAFormulaCase() throws {
        let manifest = try writeManifest("""
            name: mlp
            seed: 3
            data: {kind: teacher-mlp, layers: [2, 3, 1], activation: tanh, samples: 8}
            model: {kind: mlp, layers: [2, 3, 1], activation: tanh}
            """)
        let plannedCase = try #require(try ExperimentPlan.load(path: manifest, registry: .standard).cases.first)
        #expect(try FormulaPeerCase.exported(from: plannedCase, name: "mlp") == nil)
    }
}
