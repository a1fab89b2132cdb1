import RealModule

extension FormulaProgram {
    /// f(x; b) for one sample in any real arithmetic `T` (Float80 for the extended-precision
    /// residuals behind NIST's reported statistics; Double agrees with the batch evaluator to
    /// rounding): the tape interpreted instruction by instruction, constants converted from
    /// their Double values.
    public func value<T: Real & BinaryFloatingPoint>(parameters: [T], predictors: [T]) -> T {
        var registers = [T](repeating: 0, count: registerCount)
        for (index, value) in parameters.enumerated() { registers[index] = value }
        for (index, value) in predictors.enumerated() { registers[parameterCount + index] = value }
        for (index, value) in constantValues.enumerated() { registers[constantBase + index] = T(value) }
        for instruction in instructions {
            let a = registers[Int(instruction.first)]
            let b = instruction.hasSecondRegister ? registers[Int(instruction.second)] : 0
            let result: T
            switch instruction.opcode {
            case .copy: result = a
            case .add: result = a + b
            case .subtract: result = a - b
            case .multiply: result = a * b
            case .divide: result = a / b
            case .power: result = T.pow(a, b)
            case .powerInteger: result = T.pow(a, Int(instruction.second))
            case .negate: result = -a
            case .exp: result = T.exp(a)
            case .log: result = T.log(a)
            case .log10: result = T.log10(a)
            case .sqrt: result = T.sqrt(a)
            case .sin: result = T.sin(a)
            case .cos: result = T.cos(a)
            case .tan: result = T.tan(a)
            case .arctan: result = T.atan(a)
            case .sinh: result = T.sinh(a)
            case .cosh: result = T.cosh(a)
            case .tanh: result = T.tanh(a)
            case .abs: result = Swift.abs(a)
            }
            registers[Int(instruction.destination)] = result
        }
        return registers[outputRegister]
    }
}

extension FormulaFunction {
    /// g(y) in any real arithmetic (the response transform in extended precision).
    public func apply<T: Real>(_ x: T) -> T {
        switch self {
        case .exp: return T.exp(x)
        case .log: return T.log(x)
        case .log10: return T.log10(x)
        case .sqrt: return T.sqrt(x)
        case .sin: return T.sin(x)
        case .cos: return T.cos(x)
        case .tan: return T.tan(x)
        case .arctan: return T.atan(x)
        case .sinh: return T.sinh(x)
        case .cosh: return T.cosh(x)
        case .tanh: return T.tanh(x)
        case .abs: return Swift.abs(x)
        }
    }
}
