import Datasets
import Jacobians
import LinearAlgebra
import NeuralNetworks

/// One case as the peer benchmark (`peers/peer_benchmark.py`) reads it: a multilayer
/// perceptron's architecture and parameters, the inputs and targets, what the Jacobian is
/// taken with respect to, and optionally jacobench's reference Jacobian and timings.
///
/// The JSON layout (schema 1, documented in peers/README.md): `layers`, `activations` (one per
/// layer), flat `parameters` (for each layer W_l out × in row-major, then b_l), `inputs` and
/// `targets` (one array per sample), `with_respect_to`, `jacobian` (m × n row-major, rows
/// sample-major: row s·p + d) or `jacobian_omitted` (why it is not there, ``JacobianOmission``),
/// `jacobench` (strategy → median µs), and for data drawn from a teacher network `teacher_cost`
/// and the held-out `test_inputs` / `test_targets`.
public struct PeerCase: Sendable {
    /// The case name.
    public var name: String
    /// Layer widths [d, w_1, …, p].
    public var layerWidths: [Int]
    /// Activation names, one per layer (``NeuralNetworks/Activation`` raw values).
    public var activations: [String]
    /// θ in the engine's flat layout.
    public var parameters: [Double]
    /// S × d inputs.
    public var inputs: Matrix
    /// S × p targets.
    public var targets: Matrix
    /// `parameters` or `inputs`.
    public var withRespectTo: JacobianVariables
    /// The reference Jacobian, m × n, when known.
    public var jacobian: Matrix?
    /// Why the reference Jacobian was left out (written as `jacobian_omitted`), or nil.
    public var jacobianOmission: JacobianOmission?
    /// jacobench's median times in µs by strategy name (and `forward-pass`).
    public var jacobenchMicroseconds: [String: Double] = [:]
    /// ½‖y − g(x)‖² over the samples for data drawn from a known network g
    /// (``Datasets/DatasetSplit/teacherCost``, the `data.teacher_cost` metric), or nil.
    public var teacherCost: Double?
    /// The held-out samples (`test-samples` of a teacher network: noise-free), S_test × d and
    /// S_test × p, or nil when the data has no test split.
    public var testInputs: Matrix?
    /// See ``testInputs``.
    public var testTargets: Matrix?

    /// Creates a case from its parts.
    public init(
        name: String, network: MultilayerPerceptron, parameters: [Double], inputs: Matrix, targets: Matrix,
        withRespectTo: JacobianVariables
    ) {
        self.name = name
        layerWidths = network.layerWidths
        activations = network.activations.map(\.rawValue)
        self.parameters = parameters
        self.inputs = inputs
        self.targets = targets
        self.withRespectTo = withRespectTo
    }

    /// The case of `model` over `data` at `parameters`, with the map whose Jacobian the peers
    /// compute and the point to take it at: the residual map at θ (w.r.t. parameters) or the
    /// input map at the dataset's inputs, point-major (w.r.t. inputs).
    ///
    /// - Throws: ``PeerCaseError/notAPerceptron(_:)`` when the model is not a multilayer
    ///   perceptron (the peers implement only that network), and the model's own errors.
    public static func differentiated(
        name: String, model: any FittableModel, data: Dataset, parameters: [Double], withRespectTo: JacobianVariables
    ) throws -> (peerCase: PeerCase, map: any DifferentiableMap, point: [Double]) {
        switch withRespectTo {
        case .parameters:
            let map = try model.residualMap(on: data)
            guard let residuals = map as? MultilayerPerceptronResidualMap else {
                throw PeerCaseError.notAPerceptron(String(describing: type(of: map)))
            }
            let peerCase = PeerCase(
                name: name, network: residuals.network, parameters: parameters, inputs: residuals.inputs,
                targets: residuals.targets, withRespectTo: .parameters)
            return (peerCase, map, parameters)
        case .inputs:
            let (map, point) = try model.inputMap(on: data, parameters: parameters)
            guard let inputMap = map as? MultilayerPerceptronInputMap else {
                throw PeerCaseError.notAPerceptron(String(describing: type(of: map)))
            }
            let peerCase = PeerCase(
                name: name, network: inputMap.network, parameters: parameters, inputs: data.inputs,
                targets: data.targets, withRespectTo: .inputs)
            return (peerCase, map, point)
        }
    }

    /// Most values m·n of a reference Jacobian a case carries: 2²² (32 MiB of doubles, about
    /// 90 MB of JSON text). Past it ``attachReference(_:of:at:valueLimit:)`` records a
    /// ``JacobianOmission`` instead, so an exported case stays O(m + n): a 1 → 256 → 256 → 1
    /// network on 8,192 samples (m·n = 5.5·10⁸) would otherwise ask for tens of gigabytes.
    public static let jacobianValueLimit = 1 << 22

    /// Sets ``jacobian`` to `strategy`'s Jacobian of `map` at `point` when m·n is at most
    /// `valueLimit`; otherwise records why it is left out in ``jacobianOmission`` and computes
    /// nothing.
    ///
    /// - Complexity: m·n doubles and the strategy's work when attached; O(1) when omitted.
    public mutating func attachReference(
        _ strategy: any JacobianStrategy, of map: any DifferentiableMap, at point: [Double], valueLimit: Int = jacobianValueLimit
    ) throws {
        if let omission = JacobianOmission(rows: map.outputCount, columns: map.inputCount, valueLimit: valueLimit) {
            jacobian = nil
            jacobianOmission = omission
        } else {
            jacobian = try strategy.jacobian(of: map, at: point)
            jacobianOmission = nil
        }
    }

    /// The case as JSON text (sorted keys, shortest round-trip numbers, one line).
    ///
    /// - Throws: ``PeerCaseError/nonFinite(field:)`` when a number is NaN or infinite (the
    ///   peers' format has no encoding for them).
    /// - Complexity: O(N + (S + S_test)·(d + p)), plus m·n when ``jacobian`` is set.
    public func jsonText() throws -> String {
        var text = "{\"activations\":["
        text += activations.map { "\"\($0)\"" }.joined(separator: ",")
        text += "],\"inputs\":"
        try Self.appendRows(inputs, field: "inputs", to: &text)
        if !jacobenchMicroseconds.isEmpty {
            text += ",\"jacobench\":{"
            var first = true
            for key in jacobenchMicroseconds.keys.sorted() {
                guard let value = jacobenchMicroseconds[key] else { continue }
                if !first { text += "," }
                first = false
                text += "\"\(key)\":"
                try Self.append(value, field: "jacobench.\(key)", to: &text)
            }
            text += "}"
        }
        if let jacobian {
            text += ",\"jacobian\":["
            try Self.append(jacobian.elements, field: "jacobian", to: &text)
            text += "]"
        } else if let jacobianOmission {
            text += ",\"jacobian_omitted\":" + jacobianOmission.jsonText
        }
        text += ",\"layers\":[" + layerWidths.map(String.init).joined(separator: ",") + "]"
        text += ",\"name\":" + Self.quoted(name)
        text += ",\"parameters\":["
        try Self.append(parameters, field: "parameters", to: &text)
        text += "],\"schema\":1,\"targets\":"
        try Self.appendRows(targets, field: "targets", to: &text)
        if let teacherCost {
            text += ",\"teacher_cost\":"
            try Self.append(teacherCost, field: "teacher_cost", to: &text)
        }
        if let testInputs, let testTargets {
            text += ",\"test_inputs\":"
            try Self.appendRows(testInputs, field: "test_inputs", to: &text)
            text += ",\"test_targets\":"
            try Self.appendRows(testTargets, field: "test_targets", to: &text)
        }
        text += ",\"with_respect_to\":\"\(withRespectTo.rawValue)\"}\n"
        return text
    }

    private static func appendRows(_ matrix: Matrix, field: String, to text: inout String) throws {
        text += "["
        for row in 0..<matrix.rows {
            if row > 0 { text += "," }
            text += "["
            let start = row * matrix.columns
            try append(matrix.elements[start..<start + matrix.columns], field: "\(field)[\(row)]", to: &text)
            text += "]"
        }
        text += "]"
    }

    private static func append<Values: Collection<Double>>(_ values: Values, field: String, to text: inout String) throws {
        var first = true
        for value in values {
            if !first { text += "," }
            first = false
            try append(value, field: field, to: &text)
        }
    }

    private static func append(_ value: Double, field: String, to text: inout String) throws {
        guard value.isFinite else { throw PeerCaseError.nonFinite(field: field) }
        text += value.description
    }

    static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.value < 0x20: result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// Why a case cannot be handed to the peer benchmark.
public enum PeerCaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The model's map is not a multilayer perceptron's (the peers implement only MLPs).
    case notAPerceptron(String)
    /// A value that JSON cannot carry (NaN or infinity) in the named field.
    case nonFinite(field: String)

    /// What to change.
    public var description: String {
        switch self {
        case .notAPerceptron(let type):
            "the peer comparison needs an mlp model (its map is \(type)); PyTorch and JAX are only given multilayer perceptrons"
        case .nonFinite(let field):
            "\(field) holds NaN or infinity, which the peer case file cannot carry; check the data and initial parameters"
        }
    }
}
