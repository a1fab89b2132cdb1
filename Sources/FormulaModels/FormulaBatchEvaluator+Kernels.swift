import LinearAlgebra
import Foundation
import Numerics

/// The elementwise kernels of the tape's instructions on blocks of samples.
extension FormulaBatchEvaluator {
    /// xⁿ by repeated squaring (exact sign for negative x; n may be negative).
    @inline(__always)
    static func integerPower(_ x: Double, _ n: Int) -> Double {
        var base = n < 0 ? 1 / x : x
        var exponent = n < 0 ? -n : n
        var result = 1.0
        while exponent > 0 {
            if exponent & 1 == 1 { result *= base }
            base *= base
            exponent >>= 1
        }
        return result
    }

    /// Computes one instruction's values for `count` samples.
    @inline(__always)
    static func forward(_ instruction: FormulaInstruction, _ pointers: UnsafeMutablePointer<UnsafeMutablePointer<Double>>, _ count: Int) {
        let d = pointers[Int(instruction.destination)]
        let a = pointers[Int(instruction.first)]
        switch instruction.opcode {
        case .copy: for i in 0..<count { d[i] = a[i] }
        case .add:
            let b = pointers[Int(instruction.second)]
            for i in 0..<count { d[i] = a[i] + b[i] }
        case .subtract:
            let b = pointers[Int(instruction.second)]
            for i in 0..<count { d[i] = a[i] - b[i] }
        case .multiply:
            let b = pointers[Int(instruction.second)]
            for i in 0..<count { d[i] = a[i] * b[i] }
        case .divide:
            let b = pointers[Int(instruction.second)]
            for i in 0..<count { d[i] = a[i] / b[i] }
        case .power:
            let b = pointers[Int(instruction.second)]
            for i in 0..<count { d[i] = Foundation.pow(a[i], b[i]) }
        case .powerInteger:
            let n = Int(instruction.second)
            switch n {
            case 2: for i in 0..<count { d[i] = a[i] * a[i] }
            case 3: for i in 0..<count { d[i] = a[i] * a[i] * a[i] }
            case -1: for i in 0..<count { d[i] = 1 / a[i] }
            default: for i in 0..<count { d[i] = integerPower(a[i], n) }
            }
        case .negate: for i in 0..<count { d[i] = -a[i] }
        case .exp: for i in 0..<count { d[i] = Double.exp(a[i]) }
        case .log: for i in 0..<count { d[i] = Double.log(a[i]) }
        case .log10: for i in 0..<count { d[i] = Double.log10(a[i]) }
        case .sqrt: for i in 0..<count { d[i] = a[i].squareRoot() }
        case .sin: for i in 0..<count { d[i] = Double.sin(a[i]) }
        case .cos: for i in 0..<count { d[i] = Double.cos(a[i]) }
        case .tan: for i in 0..<count { d[i] = Double.tan(a[i]) }
        case .arctan: for i in 0..<count { d[i] = Double.atan(a[i]) }
        case .sinh: for i in 0..<count { d[i] = Double.sinh(a[i]) }
        case .cosh: for i in 0..<count { d[i] = Double.cosh(a[i]) }
        case .tanh: for i in 0..<count { d[i] = Double.tanh(a[i]) }
        case .abs: for i in 0..<count { d[i] = Swift.abs(a[i]) }
        }
    }
}
