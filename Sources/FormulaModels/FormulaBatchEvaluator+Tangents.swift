import LinearAlgebra
import Foundation
import Numerics

/// Forward mode: tangent lanes pushed through the tape alongside the values.
extension FormulaBatchEvaluator {
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
}
