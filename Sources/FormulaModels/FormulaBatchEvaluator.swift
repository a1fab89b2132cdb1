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
}
