import Numerics

extension FormulaBatchEvaluator {
    /// Writes f(x_s; z) for complex parameters z into `output` (resized to S).
    ///
    /// Used by the complex-step strategy: for real b, Im f(x_s; b + ih·eⱼ)/h = ∂f_s/∂bⱼ to
    /// rounding, provided every operation is complex-analytic and computed without
    /// subtractive cancellation in the imaginary part. Hence `arctan` uses
    /// Re = ½·atan2(2a, 1 − a² − b²), Im = ¼·log1p(4b / (a² + (b − 1)²)), integer powers use
    /// repeated multiplication, and `abs` is continued as sign(Re z)·z (analytic off the
    /// imaginary axis; its derivative there is sign(x), matching the real sweeps).
    ///
    /// - Complexity: one pass over the whole tape per block of 64 samples, in complex arithmetic.
    public func evaluate(parameters: [Complex<Double>], into output: inout [Complex<Double>]) {
        precondition(parameters.count == program.parameterCount, "expected \(program.parameterCount) parameters, got \(parameters.count)")
        parameters.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return evaluateComplex(nil, into: &output) }
            evaluateComplex(.shared(base), into: &output)
        }
    }

    /// Complex values with parameters that differ per sample (`parameterRows` S × n, row-major).
    public func evaluate(parameterRows: [Complex<Double>], into output: inout [Complex<Double>]) {
        precondition(parameterRows.count == sampleCount * program.parameterCount, "expected S·n = \(sampleCount * program.parameterCount) values")
        parameterRows.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return evaluateComplex(nil, into: &output) }
            evaluateComplex(.perSample(base), into: &output)
        }
    }

    /// `parameters == nil` only when there are no parameters.
    func evaluateComplex(_ parameters: ParameterSource<Complex<Double>>?, into output: inout [Complex<Double>]) {
        if output.count != sampleCount { output = [Complex<Double>](repeating: .zero, count: sampleCount) }
        let block = Self.maximumBlock
        let registers: UnsafeMutablePointer<Complex<Double>>
        if let existing = complexValues {
            registers = existing
        } else {
            registers = .allocate(capacity: max(1, registerCount * block))
            registers.initialize(repeating: .zero, count: max(1, registerCount * block))
            for (index, value) in program.constantValues.enumerated() {
                let row = registers + (program.constantBase + index) * block
                for i in 0..<block { row[i] = Complex(value) }
            }
            complexValues = registers
        }
        let parameterCount = program.parameterCount
        var start = 0
        while start < sampleCount {
            let count = min(block, sampleCount - start)
            for p in 0..<parameterCount {
                let row = registers + p * block
                switch parameters {
                case .shared(let values): for i in 0..<count { row[i] = values[p] }
                case .perSample(let rows): for i in 0..<count { row[i] = rows[(start + i) * parameterCount + p] }
                case nil: break
                }
            }
            for j in 0..<program.predictorCount {
                let row = registers + (parameterCount + j) * block
                let column = table + tableSlot[parameterCount + j] * sampleCount + start
                for i in 0..<count { row[i] = Complex(column[i]) }
            }
            for instruction in fullTape { Self.complexForward(instruction, registers, block, count) }
            let result = registers + program.outputRegister * block
            for i in 0..<count { output[start + i] = result[i] }
            start += count
        }
    }

    @inline(__always)
    static func complexForward(
        _ instruction: FormulaInstruction, _ registers: UnsafeMutablePointer<Complex<Double>>, _ block: Int, _ count: Int
    ) {
        let d = registers + Int(instruction.destination) * block
        let a = registers + Int(instruction.first) * block
        let b = registers + Int(instruction.second) * block
        switch instruction.opcode {
        case .copy: for i in 0..<count { d[i] = a[i] }
        case .add: for i in 0..<count { d[i] = a[i] + b[i] }
        case .subtract: for i in 0..<count { d[i] = a[i] - b[i] }
        case .multiply: for i in 0..<count { d[i] = a[i] * b[i] }
        case .divide: for i in 0..<count { d[i] = a[i] / b[i] }
        case .power: for i in 0..<count { d[i] = complexPower(a[i], b[i]) }
        case .powerInteger:
            let n = Int(instruction.second)
            for i in 0..<count { d[i] = complexIntegerPower(a[i], n) }
        case .negate: for i in 0..<count { d[i] = -a[i] }
        case .exp: for i in 0..<count { d[i] = Complex.exp(a[i]) }
        case .log: for i in 0..<count { d[i] = Complex.log(a[i]) }
        case .log10:
            let scale = 1 / Double.log(10)
            for i in 0..<count { d[i] = Complex.log(a[i]).multiplied(by: scale) }
        case .sqrt: for i in 0..<count { d[i] = Complex.sqrt(a[i]) }
        case .sin: for i in 0..<count { d[i] = Complex.sin(a[i]) }
        case .cos: for i in 0..<count { d[i] = Complex.cos(a[i]) }
        case .tan: for i in 0..<count { d[i] = Complex.tan(a[i]) }
        case .arctan: for i in 0..<count { d[i] = complexArctangent(a[i]) }
        case .sinh: for i in 0..<count { d[i] = Complex.sinh(a[i]) }
        case .cosh: for i in 0..<count { d[i] = Complex.cosh(a[i]) }
        case .tanh: for i in 0..<count { d[i] = Complex.tanh(a[i]) }
        case .abs: for i in 0..<count { d[i] = a[i].real < 0 ? -a[i] : a[i] }
        }
    }

    /// zⁿ by repeated squaring.
    @inline(__always)
    static func complexIntegerPower(_ z: Complex<Double>, _ n: Int) -> Complex<Double> {
        var base = n < 0 ? 1 / z : z
        var exponent = n < 0 ? -n : n
        var result = Complex<Double>.one
        while exponent > 0 {
            if exponent & 1 == 1 { result = result * base }
            base = base * base
            exponent >>= 1
        }
        return result
    }

    /// z^w = exp(w·log z), with 0^w = 0 for Re w > 0.
    @inline(__always)
    static func complexPower(_ z: Complex<Double>, _ w: Complex<Double>) -> Complex<Double> {
        Complex.pow(z, w)
    }

    /// arctan z, accurate in the imaginary part for tiny Im z (see the method comment above).
    @inline(__always)
    static func complexArctangent(_ z: Complex<Double>) -> Complex<Double> {
        let x = z.real, y = z.imaginary
        let real = 0.5 * Double.atan2(y: 2 * x, x: (1 - x) * (1 + x) - y * y)
        let imaginary = 0.25 * Double.log(onePlus: 4 * y / (x * x + (y - 1) * (y - 1)))
        return Complex(real, imaginary)
    }
}
