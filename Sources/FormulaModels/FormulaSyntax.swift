import Foundation
import Numerics

/// The elementary functions a formula may call.
///
/// Every function is real-analytic on its usual domain; `abs` is differentiated as
/// sign(x) (0 at x = 0) and continued into the complex plane as sign(Re z)·z, which is
/// analytic away from Re z = 0 and agrees with |x| on the real line, so the
/// complex-step derivative equals sign(x).
public enum FormulaFunction: String, Sendable, CaseIterable, Equatable {
    case exp, log, log10, sqrt, sin, cos, tan, arctan, sinh, cosh, tanh, abs

    /// Looks up a function by the name written in a formula (`atan` is an alias of `arctan`,
    /// `ln` of `log`); matching is case-insensitive, as NIST writes `ARCTAN` in prose.
    public init?(spelling: String) {
        switch spelling.lowercased() {
        case "atan": self = .arctan
        case "ln": self = .log
        default:
            guard let function = FormulaFunction(rawValue: spelling.lowercased()) else { return nil }
            self = function
        }
    }

    /// f(x) in real arithmetic.
    @inlinable
    public func callAsFunction(_ x: Double) -> Double {
        switch self {
        case .exp: return Double.exp(x)
        case .log: return Double.log(x)
        case .log10: return Double.log10(x)
        case .sqrt: return x.squareRoot()
        case .sin: return Double.sin(x)
        case .cos: return Double.cos(x)
        case .tan: return Double.tan(x)
        case .arctan: return Double.atan(x)
        case .sinh: return Double.sinh(x)
        case .cosh: return Double.cosh(x)
        case .tanh: return Double.tanh(x)
        case .abs: return Swift.abs(x)
        }
    }
}

/// The binary operators of the formula language.
public enum FormulaBinaryOperator: String, Sendable, Equatable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
}

/// A parsed formula expression (the right-hand side of `y = …`).
///
/// Names are already resolved: the parser knows which identifiers are parameters,
/// predictors and constants, so a tree never contains an unresolved name.
public indirect enum FormulaExpression: Sendable, Equatable {
    /// A numeric literal or a named constant's value.
    case constant(Double)
    /// Parameter number `index` (0-based, in declaration order).
    case parameter(Int)
    /// Predictor number `index` (0-based, the input column).
    case predictor(Int)
    /// −operand.
    case negate(FormulaExpression)
    /// A binary operation.
    case binary(FormulaBinaryOperator, FormulaExpression, FormulaExpression)
    /// An elementary function applied to one argument.
    case call(FormulaFunction, FormulaExpression)

    /// Whether the expression depends on neither parameters nor predictors.
    public var isConstant: Bool {
        switch self {
        case .constant: return true
        case .parameter, .predictor: return false
        case .negate(let operand), .call(_, let operand): return operand.isConstant
        case .binary(_, let left, let right): return left.isConstant && right.isConstant
        }
    }

    /// Evaluates the expression directly from the tree (slow; used for constant folding
    /// and as an independent reference in tests, never in fitting loops).
    public func value(parameters: [Double], predictors: [Double]) -> Double {
        switch self {
        case .constant(let value): return value
        case .parameter(let index): return parameters[index]
        case .predictor(let index): return predictors[index]
        case .negate(let operand): return -operand.value(parameters: parameters, predictors: predictors)
        case .call(let function, let operand):
            return function(operand.value(parameters: parameters, predictors: predictors))
        case .binary(let op, let left, let right):
            let a = left.value(parameters: parameters, predictors: predictors)
            let b = right.value(parameters: parameters, predictors: predictors)
            switch op {
            case .add: return a + b
            case .subtract: return a - b
            case .multiply: return a * b
            case .divide: return a / b
            case .power: return Foundation.pow(a, b)
            }
        }
    }
}
