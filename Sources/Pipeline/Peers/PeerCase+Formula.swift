import Datasets
import FormulaModels
import Foundation
import JSONDocuments
import Jacobians
import LinearAlgebra
import Solvers
import YAMLDecoding

/// A formula model's fitting problem as the fitting peers (`peers/fit_peers.py`) read it:
/// `kind: "formula"` (schema 1, documented in peers/README.md).
///
/// Each formula travels as its compiled tape (``FormulaProgram``: constants, then instructions
/// `[opcode, destination, first, second]` over registers parameters · predictors · constants ·
/// instructions), never as text to evaluate; the formula text is carried for people only.
/// With it: the parameter names and start (every parameter, fixed ones included), the fixed
/// indices, the bounds (`null` for an open side), the data (inputs S × d, targets S × p, σ per
/// sample or null, absolute-sigma), the loss and its scale, the residuals at the start
/// (r = (f − g(y))/σ, row s·p + d) and jacobench's own fit from that start.
public struct FormulaPeerCase: Sendable {
    /// The experiment name.
    public var name: String
    /// The case id (as `validate` lists them).
    public var caseID: String
    /// The compiled formulas, one per target.
    public var models: [FormulaModel]
    /// Parameter names in vector order.
    public var parameterNames: [String]
    /// The starting point (all parameters).
    public var start: [Double]
    /// Indices of parameters held at their start value.
    public var fixed: [Int]
    /// Bounds, when the manifest gives any.
    public var bounds: ParameterBounds?
    /// The training data.
    public var data: Dataset
    /// `data.absolute-sigma`.
    public var absoluteSigma: Bool
    /// The solver's loss.
    public var loss: RobustLoss
    /// r at `start`, row s·p + d, σ-weighted.
    public var residualsAtStart: [Double]
    /// jacobench's fit from `start` with the manifest's solver, when it has one.
    public var fit: Fit?

    /// jacobench's own fit.
    public struct Fit: Sendable {
        /// The solver kind.
        public var solver: String
        /// The final cost ½·Σ C²ρ((r/C)²).
        public var cost: Double
        /// The fitted parameters (all of them).
        public var parameters: [Double]
        /// Iterations, residual and Jacobian evaluations.
        public var iterations: Int, residualEvaluations: Int, jacobianEvaluations: Int
        /// Why it stopped.
        public var status: String
        /// The Jacobian strategy the fit used.
        public var jacobianStrategy: String
        /// Whole-fit wall time over repeated fits.
        public var timing: RepeatedTiming
        /// Accepted iterations: [iteration, cost, elapsed seconds].
        public var trace: [[Double]]
    }

    /// The case of `plannedCase` when its model is a formula model, else nil (the caller
    /// exports an MLP case instead). Runs the data and model stages, then, when the manifest
    /// has a solver, fits from the start once cold and then timed like the peers (one warm-up,
    /// median of up to `maximumRepeats` fits within `budgetSeconds`).
    ///
    /// - Throws: the stages' errors; ``PeerCaseError/nonFinite(field:)`` is thrown by ``jsonText()``.
    public static func exported(
        from plannedCase: PlannedCase, name: String, fit runsFit: Bool = true, budgetSeconds: Double = 1, maximumRepeats: Int = 20
    ) throws -> FormulaPeerCase? {
        let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory)
        let data = try plannedCase.data.run(environment, ())
        let model = try plannedCase.model.run(environment, data)
        guard let formula = model as? FormulaFittableModel else { return nil }
        let training = data.training
        let residualMap = try model.residualMap(on: training)
        let start = model.initialParameters
        var residuals = [Double](repeating: 0, count: residualMap.outputCount)
        residualMap.evaluate(at: start, into: &residuals)
        if let sigma = training.residualSigma {
            for index in residuals.indices { residuals[index] /= sigma[index] }
        }
        var result = FormulaPeerCase(
            name: name, caseID: plannedCase.id, models: formula.models, parameterNames: model.parameterNames, start: start,
            fixed: formula.fixedParameters.sorted(), bounds: formula.parameterBounds, data: training,
            absoluteSigma: data.absoluteSigma, loss: try loss(of: plannedCase), residualsAtStart: residuals)
        if runsFit, let solver = plannedCase.solver {
            var problem = FitProblem(residuals: residualMap, initialParameters: start, model: model, jacobian: plannedCase.jacobian)
            problem.limits = plannedCase.limits
            problem.jacobianShape = model.jacobianShape(on: training, variables: .parameters)
            problem.standardDeviations = training.residualSigma
            problem.absoluteSigma = data.absoluteSigma
            var outcome = try solver.run(environment, problem)
            let timing = try RepeatedTiming.measure(
                budgetSeconds: budgetSeconds, maximumRepeats: maximumRepeats, cancellation: environment.cancellation
            ) {
                outcome = try solver.run(environment, problem)
            }
            result.fit = Fit(
                solver: solver.kind, cost: outcome.finalCost, parameters: outcome.parameters, iterations: outcome.iterations,
                residualEvaluations: outcome.residualEvaluations, jacobianEvaluations: outcome.jacobianEvaluations,
                status: outcome.status, jacobianStrategy: outcome.jacobianStrategy, timing: timing,
                trace: acceptedTrace(outcome))
        }
        return result
    }

    /// `solver.loss` and `solver.loss-scale` of the case (linear, 1 without a solver or a loss).
    static func loss(of plannedCase: PlannedCase) throws -> RobustLoss {
        guard let section = plannedCase.solver?.resolved else { return .linear }
        let decoder = YAMLNodeDecoder()
        let kind = try section["loss"].map { try decoder.decode(RobustLoss.Kind.self, from: $0, keyPath: ["solver", "loss"]) } ?? .linear
        let scale = try section["loss-scale"].map { try decoder.decode(Double.self, from: $0, keyPath: ["solver", "loss-scale"]) } ?? 1
        return RobustLoss(kind: kind, scale: scale)
    }

    /// The trace's accepted rows (and iteration 0) as [iteration, cost, elapsed seconds].
    static func acceptedTrace(_ outcome: FitOutcome) -> [[Double]] {
        let columns = outcome.traceColumns
        guard let iteration = columns.firstIndex(of: "iteration"), let cost = columns.firstIndex(of: "cost"),
              let elapsed = columns.firstIndex(of: "elapsed_seconds") else { return [] }
        let accepted = columns.firstIndex(of: "accepted")
        return outcome.trace.compactMap { row in
            guard row.count > max(iteration, cost, elapsed) else { return nil }
            if let accepted, row.count > accepted, row[accepted] == 0, row[iteration] != 0 { return nil }
            return [row[iteration], row[cost], row[elapsed]]
        }
    }

    /// The JSON document (sorted keys).
    ///
    /// - Throws: ``PeerCaseError/nonFinite(field:)`` for NaN or ±∞ outside the bounds (where ±∞ is `null`).
    public func json() throws -> JSONValue {
        func number(_ value: Double, _ field: String) throws -> JSONValue {
            guard value.isFinite else { throw PeerCaseError.nonFinite(field: field) }
            return .number(value)
        }
        func numbers(_ values: some Collection<Double>, _ field: String) throws -> JSONValue {
            .array(try values.map { try number($0, field) })
        }
        func rows(_ matrix: Matrix, _ field: String) throws -> JSONValue {
            .array(try (0..<matrix.rows).map { row in
                try numbers(matrix.elements[row * matrix.columns..<(row + 1) * matrix.columns], "\(field)[\(row)]")
            })
        }
        func bound(_ value: Double, _ field: String) throws -> JSONValue {
            value.isInfinite ? .null : try number(value, field)
        }
        var document: [String: JSONValue] = [
            "schema": .number("1"),
            "kind": .string("formula"),
            "name": .string(name),
            "case": .string(caseID),
            "parameter_names": .array(parameterNames.map(JSONValue.string)),
            "start": try numbers(start, "start"),
            "fixed": .array(fixed.map { .number("\($0)") }),
            "input_names": .array(data.inputNames.map(JSONValue.string)),
            "target_names": .array(data.targetNames.map(JSONValue.string)),
            "inputs": try rows(data.inputs, "inputs"),
            "targets": try rows(data.targets, "targets"),
            "sigma": try data.sigma.map { try numbers($0, "sigma") } ?? .null,
            "absolute_sigma": .bool(absoluteSigma),
            "loss": .string(loss.kind.rawValue),
            "loss_scale": try number(loss.scale, "loss_scale"),
            "residuals_at_start": try numbers(residualsAtStart, "residuals_at_start"),
            "formulas": .array(try models.enumerated().map { index, model in try Self.program(model, field: "formulas[\(index)]") }),
        ]
        if let bounds {
            document["bounds"] = .object([
                "lower": .array(try bounds.lower.enumerated().map { try bound($1, "bounds.lower[\($0)]") }),
                "upper": .array(try bounds.upper.enumerated().map { try bound($1, "bounds.upper[\($0)]") }),
            ])
        } else {
            document["bounds"] = .null
        }
        if let fit {
            document["jacobench_fit"] = .object([
                "solver": .string(fit.solver),
                "cost": try number(fit.cost, "jacobench_fit.cost"),
                "parameters": try numbers(fit.parameters, "jacobench_fit.parameters"),
                "iterations": .number("\(fit.iterations)"),
                "residual_evaluations": .number("\(fit.residualEvaluations)"),
                "jacobian_evaluations": .number("\(fit.jacobianEvaluations)"),
                "status": .string(fit.status),
                "jacobian_strategy": .string(fit.jacobianStrategy),
                "median_us": .number(fit.timing.medianMicroseconds),
                "min_us": .number(fit.timing.minimumMicroseconds),
                "max_us": .number(fit.timing.maximumMicroseconds),
                "repeats": .number("\(fit.timing.repeats)"),
                "trace": .array(fit.trace.map { row in .array(row.map { JSONValue.number($0) }) }),
            ])
        }
        return .object(document)
    }

    /// The case as one line of JSON text with a final newline.
    public func jsonText() throws -> String {
        try json().text(pretty: false) + "\n"
    }

    /// One formula: its text (for people), response, transform and tape.
    static func program(_ model: FormulaModel, field: String) throws -> JSONValue {
        let program = model.program
        return .object([
            "text": .string(model.definition.text),
            "response": .string(model.responseName),
            "response_transform": model.responseTransform.map { .string($0.rawValue) } ?? .null,
            "parameter_count": .number("\(program.parameterCount)"),
            "predictor_count": .number("\(program.predictorCount)"),
            "constants": .array(try program.constantValues.map { value in
                guard value.isFinite else { throw PeerCaseError.nonFinite(field: field + ".constants") }
                return .number(value)
            }),
            "instructions": .array(program.instructions.map { instruction in
                .array([
                    .string(opcodeName(instruction.opcode)), .number("\(instruction.destination)"),
                    .number("\(instruction.first)"), .number("\(instruction.second)"),
                ])
            }),
            "output": .number("\(program.outputRegister)"),
            "register_count": .number("\(program.registerCount)"),
        ])
    }

    /// The opcode's name in the case file (`power-integer` for `powerInteger`).
    static func opcodeName(_ opcode: FormulaInstruction.Opcode) -> String {
        switch opcode {
        case .copy: "copy"
        case .add: "add"
        case .subtract: "subtract"
        case .multiply: "multiply"
        case .divide: "divide"
        case .power: "power"
        case .powerInteger: "power-integer"
        case .negate: "negate"
        case .exp: "exp"
        case .log: "log"
        case .log10: "log10"
        case .sqrt: "sqrt"
        case .sin: "sin"
        case .cos: "cos"
        case .tan: "tan"
        case .arctan: "arctan"
        case .sinh: "sinh"
        case .cosh: "cosh"
        case .tanh: "tanh"
        case .abs: "abs"
        }
    }
}
