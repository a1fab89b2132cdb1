/// One instruction of a compiled formula: `destination = opcode(first, second)`.
///
/// Registers are numbered: parameters `0..<n`, predictors `n..<n+d`, then constants, then
/// one register per instruction (static single assignment, so a reverse sweep can read
/// every forward value).
public struct FormulaInstruction: Sendable, Equatable {
    /// The operation.
    public enum Opcode: UInt8, Sendable, Equatable {
        case copy, add, subtract, multiply, divide
        /// `first ^ second` with a register exponent.
        case power
        /// `first ^ exponent` with a small integer exponent (computed by repeated squaring).
        case powerInteger
        case negate, exp, log, log10, sqrt, sin, cos, tan, arctan, sinh, cosh, tanh, abs
    }

    /// The operation.
    public var opcode: Opcode
    /// The register written.
    public var destination: Int32
    /// The first (or only) operand register.
    public var first: Int32
    /// The second operand register; the integer exponent for `powerInteger`; unused otherwise.
    public var second: Int32

    /// Whether `second` names a register.
    public var hasSecondRegister: Bool {
        switch opcode {
        case .add, .subtract, .multiply, .divide, .power: return true
        default: return false
        }
    }
}

/// A formula compiled once into a flat instruction tape over registers.
///
/// Constant subtrees are folded, identical subexpressions are shared, and each register
/// is classified as *active* (depends on a parameter) or not. Instructions that depend
/// only on predictors and constants are hoisted by ``FormulaBatchEvaluator``: computed once
/// per dataset, never per evaluation. Derivative sweeps touch active registers only.
public struct FormulaProgram: Sendable, Equatable {
    /// n, parameters (registers `0..<n`).
    public let parameterCount: Int
    /// d, predictors (registers `n..<n+d`).
    public let predictorCount: Int
    /// Values of the constant registers `n+d ..< n+d+constantValues.count`.
    public let constantValues: [Double]
    /// The tape, in execution order.
    public let instructions: [FormulaInstruction]
    /// The register holding f(x; b).
    public let outputRegister: Int
    /// Per register: whether it depends on some parameter.
    public let isActive: [Bool]

    /// Total number of registers.
    public var registerCount: Int { isActive.count }
    /// First constant register.
    public var constantBase: Int { parameterCount + predictorCount }
    /// First instruction register.
    public var instructionBase: Int { constantBase + constantValues.count }

    /// Compiles `expression` for `parameterCount` parameters and `predictorCount` predictors.
    ///
    /// - Complexity: O(size of the tree), once per model.
    public init(expression: FormulaExpression, parameterCount: Int, predictorCount: Int) {
        var builder = ProgramBuilder(parameterCount: parameterCount, predictorCount: predictorCount)
        var output = builder.emit(expression)
        if output < parameterCount + predictorCount || builder.isConstantRegister(output) {
            // The output must be an instruction register so that buffers can be addressed uniformly.
            output = builder.append(.copy, output, 0)
        }
        let constants = builder.constants
        // Renumber: constants follow predictors, instructions follow constants.
        let base = parameterCount + predictorCount
        func renumber(_ register: Int) -> Int32 {
            if register < base { return Int32(register) }
            if let index = builder.constantIndexOfRegister[register] { return Int32(base + index) }
            return Int32(base + constants.count + builder.instructionIndexOfRegister[register, default: 0])
        }
        var tape: [FormulaInstruction] = []
        tape.reserveCapacity(builder.instructions.count)
        var activity = [Bool](repeating: false, count: base + constants.count + builder.instructions.count)
        for index in 0..<parameterCount { activity[index] = true }
        for raw in builder.instructions {
            var instruction = raw
            instruction.destination = renumber(Int(raw.destination))
            instruction.first = renumber(Int(raw.first))
            if raw.hasSecondRegister { instruction.second = renumber(Int(raw.second)) }
            activity[Int(instruction.destination)] = activity[Int(instruction.first)]
                || (instruction.hasSecondRegister && activity[Int(instruction.second)])
            tape.append(instruction)
        }
        self.parameterCount = parameterCount
        self.predictorCount = predictorCount
        self.constantValues = constants
        self.instructions = tape
        self.outputRegister = Int(renumber(output))
        self.isActive = activity
    }
}

/// Builds the tape with constant folding and hash-consing; registers here are provisional.
private struct ProgramBuilder {
    struct Key: Hashable {
        var opcode: FormulaInstruction.Opcode
        var first: Int
        var second: Int
    }

    let parameterCount: Int
    let predictorCount: Int
    var nextRegister: Int
    var constants: [Double] = []
    var constantRegisterOfValue: [UInt64: Int] = [:]
    var constantIndexOfRegister: [Int: Int] = [:]
    var instructions: [FormulaInstruction] = []
    var instructionIndexOfRegister: [Int: Int] = [:]
    var registerOfKey: [Key: Int] = [:]

    init(parameterCount: Int, predictorCount: Int) {
        self.parameterCount = parameterCount
        self.predictorCount = predictorCount
        nextRegister = parameterCount + predictorCount
    }

    func isConstantRegister(_ register: Int) -> Bool { constantIndexOfRegister[register] != nil }

    mutating func constant(_ value: Double) -> Int {
        if let register = constantRegisterOfValue[value.bitPattern] { return register }
        let register = nextRegister
        nextRegister += 1
        constantIndexOfRegister[register] = constants.count
        constants.append(value)
        constantRegisterOfValue[value.bitPattern] = register
        return register
    }

    mutating func append(_ opcode: FormulaInstruction.Opcode, _ first: Int, _ second: Int) -> Int {
        let key = Key(opcode: opcode, first: first, second: second)
        if let register = registerOfKey[key] { return register }
        let register = nextRegister
        nextRegister += 1
        instructionIndexOfRegister[register] = instructions.count
        instructions.append(FormulaInstruction(opcode: opcode, destination: Int32(register), first: Int32(first), second: Int32(second)))
        registerOfKey[key] = register
        return register
    }

    mutating func emit(_ expression: FormulaExpression) -> Int {
        if expression.isConstant {
            return constant(expression.value(parameters: [], predictors: []))
        }
        switch expression {
        case .constant(let value): return constant(value)
        case .parameter(let index): return index
        case .predictor(let index): return parameterCount + index
        case .negate(let operand): return append(.negate, emit(operand), 0)
        case .call(let function, let operand):
            let opcode: FormulaInstruction.Opcode
            switch function {
            case .exp: opcode = .exp
            case .log: opcode = .log
            case .log10: opcode = .log10
            case .sqrt: opcode = .sqrt
            case .sin: opcode = .sin
            case .cos: opcode = .cos
            case .tan: opcode = .tan
            case .arctan: opcode = .arctan
            case .sinh: opcode = .sinh
            case .cosh: opcode = .cosh
            case .tanh: opcode = .tanh
            case .abs: opcode = .abs
            }
            return append(opcode, emit(operand), 0)
        case .binary(let op, let left, let right):
            if op == .power, right.isConstant {
                let exponent = right.value(parameters: [], predictors: [])
                if exponent == 1 { return emit(left) }
                if exponent.rounded() == exponent, Swift.abs(exponent) <= 64 {
                    return append(.powerInteger, emit(left), Int(exponent))
                }
            }
            let a = emit(left), b = emit(right)
            switch op {
            case .add: return append(.add, a, b)
            case .subtract: return append(.subtract, a, b)
            case .multiply: return append(.multiply, a, b)
            case .divide: return append(.divide, a, b)
            case .power: return append(.power, a, b)
            }
        }
    }
}
