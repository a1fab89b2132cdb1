import LinearAlgebra
import Foundation
import Numerics

/// Reverse mode: one forward pass recording values, then cotangent lanes swept back through
/// the tape (pullbacks and per-sample gradients).
extension FormulaBatchEvaluator {
    /// Returns U·J where J (S × n) is ∂f(x_s; b)/∂b: `result` (k × n).
    ///
    /// - Parameters:
    ///   - cotangents: k × S; row i weights the samples.
    /// - Complexity: one forward pass plus one reverse sweep carrying k adjoint lanes.
    public func pullback(parameters: [Double], cotangents: Matrix, into result: inout Matrix) {
        precondition(cotangents.columns == sampleCount, "cotangents must have \(sampleCount) columns, got \(cotangents.columns)")
        let laneCount = cotangents.rows
        result.reshape(rows: laneCount, columns: program.parameterCount)
        result.fill(0)
        guard laneCount > 0 else { return }
        cotangents.elements.withUnsafeBufferPointer { seeds in
            result.elements.withUnsafeMutableBufferPointer { output in
                parameters.withUnsafeBufferPointer { values in
                    reverse(.shared(values.baseAddress ?? UnsafePointer(scratch)), laneCount: laneCount, seeds: seeds.baseAddress, output: output, perSample: false)
                }
            }
        }
    }

    /// Writes ∂f(x_s; b)/∂b for every sample into `result` (S × n, row s = gradient of sample s).
    ///
    /// - Complexity: one forward pass plus one reverse sweep with one lane (every sample
    ///   seeded with 1 at once, valid because sample s's output depends on row s only).
    public func perSampleGradients(parameters: [Double], into result: inout Matrix) {
        precondition(parameters.count == program.parameterCount, "expected \(program.parameterCount) parameters, got \(parameters.count)")
        result.reshape(rows: sampleCount, columns: program.parameterCount)
        result.elements.withUnsafeMutableBufferPointer { output in
            parameters.withUnsafeBufferPointer { values in
                reverse(.shared(values.baseAddress ?? UnsafePointer(scratch)), laneCount: 1, seeds: nil, output: output, perSample: true)
            }
        }
    }

    /// With per-sample parameters (S × n rows): row s of `result` (S × n) is ∂f_s/∂b_s.
    ///
    /// - Complexity: one forward pass plus one single-lane reverse sweep.
    public func perSampleGradients(parameterRows: [Double], into result: inout Matrix) {
        precondition(parameterRows.count == sampleCount * program.parameterCount, "expected S·n = \(sampleCount * program.parameterCount) values")
        result.reshape(rows: sampleCount, columns: program.parameterCount)
        result.elements.withUnsafeMutableBufferPointer { output in
            parameterRows.withUnsafeBufferPointer { values in
                reverse(.perSample(values.baseAddress ?? UnsafePointer(scratch)), laneCount: 1, seeds: nil, output: output, perSample: true)
            }
        }
    }

    /// The shared reverse sweep. `seeds == nil` seeds every sample's output with 1.
    func reverse(
        _ parameters: ParameterSource<Double>, laneCount: Int, seeds: UnsafePointer<Double>?,
        output: UnsafeMutableBufferPointer<Double>, perSample: Bool
    ) {
        let block = blockSize(forLanes: laneCount)
        let stride = laneCount * block
        ensureLaneCapacity(registerCount * stride)
        let outputRegister = program.outputRegister
        let parameterCount = program.parameterCount
        let outputActive = program.isActive[outputRegister]
        do {
            var start = 0
            while start < sampleCount {
                let count = min(block, sampleCount - start)
                pointValuePointers(blockStart: start)
                loadParameters(parameters, blockStart: start, count: count)
                for instruction in activeTape { Self.forward(instruction, valuePointers, count) }
                // Zero the adjoints of active registers, then seed the output.
                for register in 0..<registerCount where program.isActive[register] {
                    (lanes + register * stride).update(repeating: 0, count: stride)
                }
                if outputActive {
                    for lane in 0..<laneCount {
                        let row = lanes + outputRegister * stride + lane * block
                        if let seeds {
                            for i in 0..<count { row[i] = seeds[lane * sampleCount + start + i] }
                        } else {
                            for i in 0..<count { row[i] = 1 }
                        }
                    }
                    for instruction in activeTape.reversed() {
                        adjointStep(instruction, laneCount: laneCount, block: block, count: count)
                    }
                }
                if perSample {
                    let adjoints = lanes  // one read of the stored pointer, not one per element
                    for p in 0..<parameterCount {
                        let row = adjoints + p * stride
                        for i in 0..<count {
                            output[(start + i) * parameterCount + p] = outputActive ? row[i] : 0
                        }
                    }
                } else if outputActive {
                    for lane in 0..<laneCount {
                        for p in 0..<parameterCount {
                            let row = lanes + p * stride + lane * block
                            var sum = 0.0
                            for i in 0..<count { sum += row[i] }
                            output[lane * parameterCount + p] += sum
                        }
                    }
                }
                start += count
            }
        }
    }

    /// Accumulates the adjoint of one instruction's result into its operands.
    @inline(__always)
    func adjointStep(_ instruction: FormulaInstruction, laneCount: Int, block: Int, count: Int) {
        guard let (source, firstLanes, secondLanes, firstActive, secondActive) = laneRows(instruction, stride: laneCount * block) else { return }
        switch instruction.opcode {
        case .copy, .add, .subtract, .negate:
            let firstSign: Double = instruction.opcode == .negate ? -1 : 1
            let secondSign: Double = instruction.opcode == .subtract ? -1 : 1
            for lane in 0..<laneCount {
                let adjoint = source + lane * block
                if firstActive {
                    let a = firstLanes + lane * block
                    for i in 0..<count { a[i] += firstSign * adjoint[i] }
                }
                if secondActive {
                    let b = secondLanes + lane * block
                    for i in 0..<count { b[i] += secondSign * adjoint[i] }
                }
            }
        default:
            let (firstPartial, secondPartial) = partials(instruction, firstActive: firstActive, secondActive: secondActive, count: count)
            for lane in 0..<laneCount {
                let adjoint = source + lane * block
                if firstActive {
                    let a = firstLanes + lane * block
                    for i in 0..<count { a[i] += firstPartial[i] * adjoint[i] }
                }
                if secondActive {
                    let b = secondLanes + lane * block
                    for i in 0..<count { b[i] += secondPartial[i] * adjoint[i] }
                }
            }
        }
    }

    /// Local partial derivatives ∂d/∂a and ∂d/∂b of a non-linear instruction for the
    /// current block (pointers into operand storage or `scratch`).
    @inline(__always)
    func partials(
        _ instruction: FormulaInstruction, firstActive: Bool, secondActive: Bool, count: Int
    ) -> (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) {
        let d = valuePointers[Int(instruction.destination)]
        let a = valuePointers[Int(instruction.first)]
        let b = instruction.hasSecondRegister ? valuePointers[Int(instruction.second)] : a
        let pa = scratch, pb = scratch + Self.maximumBlock
        switch instruction.opcode {
        case .multiply:
            return (b, a)
        case .divide:
            if firstActive { for i in 0..<count { pa[i] = 1 / b[i] } }
            if secondActive { for i in 0..<count { pb[i] = -d[i] / b[i] } }
        case .power:
            if firstActive { for i in 0..<count { pa[i] = b[i] * Foundation.pow(a[i], b[i] - 1) } }
            if secondActive { for i in 0..<count { pb[i] = d[i] * Double.log(a[i]) } }
        case .powerInteger:
            let n = Int(instruction.second)
            for i in 0..<count { pa[i] = Double(n) * Self.integerPower(a[i], n - 1) }
        case .exp: return (d, pb)
        case .log: for i in 0..<count { pa[i] = 1 / a[i] }
        case .log10:
            let scale = 1 / Double.log(10)
            for i in 0..<count { pa[i] = scale / a[i] }
        case .sqrt: for i in 0..<count { pa[i] = 0.5 / d[i] }
        case .sin: for i in 0..<count { pa[i] = Double.cos(a[i]) }
        case .cos: for i in 0..<count { pa[i] = -Double.sin(a[i]) }
        case .tan: for i in 0..<count { pa[i] = 1 + d[i] * d[i] }
        case .arctan: for i in 0..<count { pa[i] = 1 / (1 + a[i] * a[i]) }
        case .sinh: for i in 0..<count { pa[i] = Double.cosh(a[i]) }
        case .cosh: for i in 0..<count { pa[i] = Double.sinh(a[i]) }
        case .tanh: for i in 0..<count { pa[i] = 1 - d[i] * d[i] }
        case .abs: for i in 0..<count { pa[i] = a[i] > 0 ? 1 : (a[i] < 0 ? -1 : 0) }
        case .copy, .add, .subtract, .negate:
            break  // handled without partials
        }
        return (pa, pb)
    }
}
