import LinearAlgebra
import Foundation
import Numerics

/// Where parameter values (or directions) come from: one vector shared by every sample, or
/// one row per sample (row-major, S × n).
enum ParameterSource<Element> {
    case shared(UnsafePointer<Element>)
    case perSample(UnsafePointer<Element>)
}

/// Runs a ``FormulaProgram`` over a fixed batch of samples: values, forward tangent lanes,
/// reverse sweeps, per-sample gradients and complex values.
///
/// Samples are processed in blocks; inside a block every instruction loops over the
/// block's samples (instruction-major), so dispatch costs once per instruction and block,
/// not per sample. Registers that depend only on predictors and constants are computed
/// once here, in `init`, for every sample ("hoisted") and never again. After the first
/// call with a given lane count no method allocates.
///
/// An evaluator owns its buffers and is used from one thread at a time.
public final class FormulaBatchEvaluator {
    /// The compiled formula.
    public let program: FormulaProgram
    /// S, the number of samples (rows of the input matrix given to `init`).
    public let sampleCount: Int

    static let maximumBlock = 64
    static let laneBudget = 16_384

    let registerCount: Int
    /// Per register: slot in `table` (predictors and hoisted registers), or −1.
    let tableSlot: [Int]
    /// (register, slot) for every register stored in `table`.
    let tableRegisters: [(Int, Int)]
    /// Instructions that depend on a parameter, in tape order.
    let activeTape: [FormulaInstruction]
    /// Instructions that depend on predictors only, in tape order (used by complex evaluation).
    let fullTape: [FormulaInstruction]

    /// (table slots) × S, column per slot.
    let table: UnsafeMutablePointer<Double>
    let tableCount: Int
    /// registerCount × maximumBlock values of block registers (parameters, constants, active).
    let values: UnsafeMutablePointer<Double>
    /// Per-register pointer to the current block's values.
    let valuePointers: UnsafeMutablePointer<UnsafeMutablePointer<Double>>
    /// Two partial-derivative scratch rows of length maximumBlock.
    let scratch: UnsafeMutablePointer<Double>
    /// registerCount × lanes × block tangents or adjoints.
    var lanes: UnsafeMutablePointer<Double>
    var laneCapacity: Int
    /// registerCount × maximumBlock complex values.
    var complexValues: UnsafeMutablePointer<Complex<Double>>?

    /// Prepares to evaluate `program` on the rows of `inputs` (S × d, d = predictor count).
    ///
    /// - Complexity: O(S · hoisted instructions) once.
    public init(program: FormulaProgram, inputs: Matrix) {
        precondition(inputs.columns == program.predictorCount,
                     "formula has \(program.predictorCount) predictors but the inputs have \(inputs.columns) columns")
        self.program = program
        let samples = inputs.rows
        sampleCount = samples
        registerCount = program.registerCount
        var slots = [Int](repeating: -1, count: program.registerCount)
        var slotCount = 0
        for j in 0..<program.predictorCount {
            slots[program.parameterCount + j] = slotCount
            slotCount += 1
        }
        var active: [FormulaInstruction] = []
        var hoisted: [FormulaInstruction] = []
        for instruction in program.instructions {
            let destination = Int(instruction.destination)
            if program.isActive[destination] || destination == program.outputRegister {
                active.append(instruction)
            } else {
                slots[destination] = slotCount
                slotCount += 1
                hoisted.append(instruction)
            }
        }
        tableSlot = slots
        tableRegisters = slots.enumerated().filter { $0.element >= 0 }.map { ($0.offset, $0.element) }
        activeTape = active
        fullTape = program.instructions
        tableCount = max(1, slotCount * samples)
        table = .allocate(capacity: tableCount)
        table.initialize(repeating: 0, count: tableCount)
        values = .allocate(capacity: registerCount * Self.maximumBlock)
        values.initialize(repeating: 0, count: registerCount * Self.maximumBlock)
        valuePointers = .allocate(capacity: max(1, registerCount))
        valuePointers.initialize(repeating: values, count: max(1, registerCount))
        for register in 0..<registerCount { valuePointers[register] = values + register * Self.maximumBlock }
        scratch = .allocate(capacity: 2 * Self.maximumBlock)
        scratch.initialize(repeating: 0, count: 2 * Self.maximumBlock)
        laneCapacity = 0
        lanes = .allocate(capacity: 1)
        lanes.initialize(to: 0)

        for j in 0..<program.predictorCount {
            let column = table + j * samples
            for s in 0..<samples { column[s] = inputs.elements[s * inputs.columns + j] }
        }
        for (index, value) in program.constantValues.enumerated() {
            let row = values + (program.constantBase + index) * Self.maximumBlock
            for i in 0..<Self.maximumBlock { row[i] = value }
        }
        // Hoist predictor-only instructions over all samples, block by block.
        var start = 0
        while start < samples {
            let count = min(Self.maximumBlock, samples - start)
            pointValuePointers(blockStart: start)
            for instruction in hoisted { Self.forward(instruction, valuePointers, count) }
            start += count
        }
    }

    deinit {
        table.deallocate()
        values.deallocate()
        valuePointers.deallocate()
        scratch.deallocate()
        lanes.deallocate()
        complexValues?.deallocate()
    }

    /// Points every register at its storage for the block starting at sample `blockStart`
    /// (block registers never move; table registers advance with the block).
    @inline(__always)
    func pointValuePointers(blockStart: Int) {
        for (register, slot) in tableRegisters {
            valuePointers[register] = table + slot * sampleCount + blockStart
        }
    }

    /// Writes the parameter rows of the block starting at `blockStart` (shared values are
    /// written once, on the first block: parameter rows are never overwritten).
    @inline(__always)
    func loadParameters(_ source: ParameterSource<Double>, blockStart: Int, count: Int) {
        let n = program.parameterCount
        switch source {
        case .shared(let values):
            guard blockStart == 0 else { return }
            for p in 0..<n {
                let row = parameterRow(p)
                for i in 0..<Self.maximumBlock { row[i] = values[p] }
            }
        case .perSample(let rows):
            for p in 0..<n {
                let row = parameterRow(p)
                for i in 0..<count { row[i] = rows[(blockStart + i) * n + p] }
            }
        }
    }

    @inline(__always)
    func parameterRow(_ register: Int) -> UnsafeMutablePointer<Double> { values + register * Self.maximumBlock }

    /// Seeds the parameter tangent rows (shared n × k directions once; per-sample
    /// (S·n) × k directions per block).
    @inline(__always)
    func loadTangents(_ source: ParameterSource<Double>, laneCount: Int, block: Int, blockStart: Int, count: Int) {
        let n = program.parameterCount, stride = laneCount * block
        switch source {
        case .shared(let directions):
            guard blockStart == 0 else { return }
            for p in 0..<n {
                for lane in 0..<laneCount {
                    let row = lanes + p * stride + lane * block
                    let value = directions[p * laneCount + lane]
                    for i in 0..<block { row[i] = value }
                }
            }
        case .perSample(let directions):
            for p in 0..<n {
                for lane in 0..<laneCount {
                    let row = lanes + p * stride + lane * block
                    for i in 0..<count { row[i] = directions[((blockStart + i) * n + p) * laneCount + lane] }
                }
            }
        }
    }

    func ensureLaneCapacity(_ needed: Int) {
        if needed > laneCapacity {
            lanes.deallocate()
            lanes = .allocate(capacity: needed)
            lanes.initialize(repeating: 0, count: needed)
            laneCapacity = needed
        }
    }

    /// The block size for a sweep carrying `laneCount` lanes: at most 64 samples, fewer when
    /// many lanes would make the lane buffer large.
    @inline(__always)
    func blockSize(forLanes laneCount: Int) -> Int {
        max(1, min(Self.maximumBlock, Self.laneBudget / max(1, laneCount)))
    }

    // MARK: Values

    /// Writes f(x_s; b) for every sample s into `output` (resized to S).
    ///
    /// - Complexity: one pass over the active tape per block of 64 samples.
    public func evaluate(parameters: [Double], into output: inout [Double]) {
        precondition(parameters.count == program.parameterCount, "expected \(program.parameterCount) parameters, got \(parameters.count)")
        parameters.withUnsafeBufferPointer { evaluate(.shared($0.baseAddress ?? UnsafePointer(scratch)), into: &output) }
    }

    /// Writes f(x_s; b_s) with parameters that differ per sample: `parameterRows` is S × n,
    /// row-major (used with roles swapped, to differentiate with respect to predictors).
    public func evaluate(parameterRows: [Double], into output: inout [Double]) {
        precondition(parameterRows.count == sampleCount * program.parameterCount, "expected S·n = \(sampleCount * program.parameterCount) values")
        parameterRows.withUnsafeBufferPointer { evaluate(.perSample($0.baseAddress ?? UnsafePointer(scratch)), into: &output) }
    }

    func evaluate(_ parameters: ParameterSource<Double>, into output: inout [Double]) {
        if output.count != sampleCount { output = [Double](repeating: 0, count: sampleCount) }
        let outputRegister = program.outputRegister
        output.withUnsafeMutableBufferPointer { outputBuffer in
            var start = 0
            while start < sampleCount {
                let count = min(Self.maximumBlock, sampleCount - start)
                pointValuePointers(blockStart: start)
                loadParameters(parameters, blockStart: start, count: count)
                for instruction in activeTape { Self.forward(instruction, valuePointers, count) }
                let result = valuePointers[outputRegister]
                for i in 0..<count { outputBuffer[start + i] = result[i] }
                start += count
            }
        }
    }

    // MARK: Forward mode

    /// Returns J·V where J (S × n) is ∂f(x_s; b)/∂b: `result` (S × k) row s = ∇f_s · V.
    ///
    /// - Parameters:
    ///   - tangents: n × k; column j is a direction in parameter space.
    /// - Complexity: one forward sweep carrying k tangent lanes through the active tape.
    public func pushforward(parameters: [Double], tangents: Matrix, into result: inout Matrix) {
        precondition(parameters.count == program.parameterCount, "expected \(program.parameterCount) parameters, got \(parameters.count)")
        precondition(tangents.rows == program.parameterCount, "tangents must have \(program.parameterCount) rows, got \(tangents.rows)")
        parameters.withUnsafeBufferPointer { values in
            tangents.elements.withUnsafeBufferPointer { directions in
                pushforward(.shared(values.baseAddress ?? UnsafePointer(scratch)), .shared(directions.baseAddress ?? UnsafePointer(scratch)), laneCount: tangents.columns, into: &result)
            }
        }
    }

    /// Per-sample parameters (S × n rows) and per-sample directions ((S·n) × k, row s·n + p):
    /// `result` (S × k) row s = Σ_p ∂f_s/∂b_{s,p} · V[s·n + p, :].
    ///
    /// - Complexity: one forward sweep carrying k tangent lanes.
    public func pushforward(parameterRows: [Double], tangentRows: Matrix, into result: inout Matrix) {
        precondition(parameterRows.count == sampleCount * program.parameterCount, "expected S·n = \(sampleCount * program.parameterCount) values")
        precondition(tangentRows.rows == sampleCount * program.parameterCount, "tangents must have S·n rows")
        parameterRows.withUnsafeBufferPointer { values in
            tangentRows.elements.withUnsafeBufferPointer { directions in
                pushforward(.perSample(values.baseAddress ?? UnsafePointer(scratch)), .perSample(directions.baseAddress ?? UnsafePointer(scratch)), laneCount: tangentRows.columns, into: &result)
            }
        }
    }

    func pushforward(_ parameters: ParameterSource<Double>, _ tangents: ParameterSource<Double>, laneCount: Int, into result: inout Matrix) {
        result.reshape(rows: sampleCount, columns: laneCount)
        guard laneCount > 0 else { return }
        let block = blockSize(forLanes: laneCount)
        let stride = laneCount * block
        ensureLaneCapacity(registerCount * stride)
        let outputRegister = program.outputRegister
        let outputActive = program.isActive[outputRegister]
        result.elements.withUnsafeMutableBufferPointer { resultBuffer in
            var start = 0
            while start < sampleCount {
                let count = min(block, sampleCount - start)
                pointValuePointers(blockStart: start)
                loadParameters(parameters, blockStart: start, count: count)
                loadTangents(tangents, laneCount: laneCount, block: block, blockStart: start, count: count)
                for instruction in activeTape {
                    Self.forward(instruction, valuePointers, count)
                    tangentStep(instruction, laneCount: laneCount, block: block, count: count)
                }
                for lane in 0..<laneCount {
                    let row = lanes + outputRegister * stride + lane * block
                    for i in 0..<count {
                        resultBuffer[(start + i) * laneCount + lane] = outputActive ? row[i] : 0
                    }
                }
                start += count
            }
        }
    }

    /// Lane storage of an active instruction's result and operands, and which operands are
    /// active; `nil` when the instruction does not depend on the parameters.
    @inline(__always)
    func laneRows(_ instruction: FormulaInstruction, stride: Int) -> (
        result: UnsafeMutablePointer<Double>, first: UnsafeMutablePointer<Double>, second: UnsafeMutablePointer<Double>,
        firstActive: Bool, secondActive: Bool
    )? {
        let destination = Int(instruction.destination)
        guard program.isActive[destination] else { return nil }
        let first = Int(instruction.first), second = Int(instruction.second)
        let secondActive = instruction.hasSecondRegister && program.isActive[second]
        let secondRow = instruction.hasSecondRegister ? second : first
        return (lanes + destination * stride, lanes + first * stride, lanes + secondRow * stride, program.isActive[first], secondActive)
    }

    /// Propagates tangents through one instruction (all lanes, `count` samples).
    @inline(__always)
    func tangentStep(_ instruction: FormulaInstruction, laneCount: Int, block: Int, count: Int) {
        guard let (target, firstLanes, secondLanes, firstActive, secondActive) = laneRows(instruction, stride: laneCount * block) else { return }
        switch instruction.opcode {
        case .copy, .add, .subtract, .negate:
            let firstSign: Double = instruction.opcode == .negate ? -1 : 1
            let secondSign: Double = instruction.opcode == .subtract ? -1 : 1
            for lane in 0..<laneCount {
                let out = target + lane * block, a = firstLanes + lane * block, b = secondLanes + lane * block
                switch (firstActive, secondActive) {
                case (true, true): for i in 0..<count { out[i] = a[i] + secondSign * b[i] }
                case (true, false): for i in 0..<count { out[i] = firstSign * a[i] }
                case (false, true): for i in 0..<count { out[i] = secondSign * b[i] }
                case (false, false): for i in 0..<count { out[i] = 0 }
                }
            }
        default:
            let (firstPartial, secondPartial) = partials(instruction, firstActive: firstActive, secondActive: secondActive, count: count)
            for lane in 0..<laneCount {
                let out = target + lane * block, a = firstLanes + lane * block, b = secondLanes + lane * block
                switch (firstActive, secondActive) {
                case (true, true): for i in 0..<count { out[i] = firstPartial[i] * a[i] + secondPartial[i] * b[i] }
                case (true, false): for i in 0..<count { out[i] = firstPartial[i] * a[i] }
                case (false, true): for i in 0..<count { out[i] = secondPartial[i] * b[i] }
                case (false, false): for i in 0..<count { out[i] = 0 }
                }
            }
        }
    }

    // MARK: Reverse mode

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

    // MARK: Kernels

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
