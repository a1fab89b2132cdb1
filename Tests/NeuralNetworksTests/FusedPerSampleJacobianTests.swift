import Jacobians
import LinearAlgebra
import NeuralNetworks
import Testing

/// The fused per-sample Jacobian (all p outputs, all layers in one pass) against
/// the row-by-row assembly from ``PerSampleStructured/perSampleGradients(at:outputIndex:into:)``
/// (one independent adjoint sweep per output) and against the forward-mode reference.
@Suite struct FusedPerSampleJacobianTests {
    struct Architecture: Sendable, CustomStringConvertible {
        var widths: [Int]
        var activations: [Activation]
        var samples: Int
        var inputs: Bool
        var description: String { "\(widths) \(activations.map(\.rawValue)) S=\(samples) \(inputs ? "inputs" : "parameters")" }
    }

    static let architectures: [Architecture] = [
        .init(widths: [4, 3], activations: [.sigmoid], samples: 5, inputs: false),
        .init(widths: [4, 3], activations: [.tanh], samples: 3, inputs: true),
        .init(widths: [5, 9, 3], activations: [.tanh, .identity], samples: 7, inputs: false),
        .init(widths: [5, 9, 3], activations: [.identity, .tanh], samples: 7, inputs: false),
        .init(widths: [1, 6, 6, 1], activations: [.tanh, .tanh, .identity], samples: 9, inputs: false),
        // Two layers (the one-pass row kernel): p = 1, d > 8, D1 = 1, and a first-layer
        // block over the kernel's 512 (general path).
        .init(widths: [1, 4, 1], activations: [.tanh, .identity], samples: 6, inputs: false),
        .init(widths: [11, 16, 2], activations: [.sigmoid, .tanh], samples: 5, inputs: false),
        .init(widths: [3, 6, 4], activations: [.identity, .identity], samples: 4, inputs: false),
        .init(widths: [8, 70, 3], activations: [.tanh, .tanh], samples: 3, inputs: false),
        .init(widths: [3, 17, 5, 2], activations: [.gelu, .relu, .sigmoid], samples: 4, inputs: false),
        .init(widths: [15, 32, 55], activations: [.tanh, .identity], samples: 1, inputs: true),
        .init(widths: [3, 7, 4, 2], activations: [.softplus, .tanh, .sigmoid], samples: 3, inputs: true),
    ]

    /// Jacobians of ≥ 2¹⁹ doubles take the streamed row-by-row path (non-temporal stores).
    static let streamedArchitectures: [Architecture] = [
        .init(widths: [1, 30, 30, 1], activations: [.tanh, .tanh, .identity], samples: 600, inputs: false),
        .init(widths: [2, 20, 20, 2], activations: [.tanh, .sigmoid, .tanh], samples: 700, inputs: false),
        // Odd widths, p = 3, an identity hidden layer; rows of 159 entries (not a multiple of 4 or 8).
        .init(widths: [2, 17, 5, 3], activations: [.tanh, .identity, .tanh], samples: 1_200, inputs: false),
    ]

    @Test(arguments: streamedArchitectures)
    func streamedRowsEqualPerOutputSweeps(_ architecture: Architecture) throws {
        let model = TestNetworks.residuals(
            widths: architecture.widths, activations: architecture.activations, samples: architecture.samples, seed: 12)
        let structured = try #require(model.map as? any PerSampleStructured)
        #expect(structured.outputCount * structured.inputCount >= 1 << 19)
        var fused = Matrix(rows: 0, columns: 0)
        structured.perSampleJacobian(at: model.point, into: &fused)
        #expect(JacobianConformance.relativeDifference(fused, Self.assembledFromPerOutputSweeps(structured, at: model.point)) <= 1e-14)
    }

    /// Rows s·p + d from p independent per-output adjoint sweeps.
    static func assembledFromPerOutputSweeps(_ structured: any PerSampleStructured, at point: [Double]) -> Matrix {
        let n = structured.inputCount, p = structured.outputsPerSample
        var assembled = Matrix(rows: structured.outputCount, columns: n)
        var gradients = Matrix(rows: 0, columns: 0)
        for output in 0..<p {
            structured.perSampleGradients(at: point, outputIndex: output, into: &gradients)
            for sample in 0..<structured.sampleCount {
                for column in 0..<n { assembled[sample * p + output, column] = gradients[sample, column] }
            }
        }
        return assembled
    }

    @Test(arguments: architectures)
    func fusedRowsEqualPerOutputSweeps(_ architecture: Architecture) throws {
        let model = architecture.inputs
            ? TestNetworks.inputs(widths: architecture.widths, activations: architecture.activations, points: architecture.samples, seed: 11)
            : TestNetworks.residuals(widths: architecture.widths, activations: architecture.activations, samples: architecture.samples, seed: 11)
        let structured = try #require(model.map as? any PerSampleStructured)
        var fused = Matrix(rows: 0, columns: 0)
        structured.perSampleJacobian(at: model.point, into: &fused)
        let n = structured.inputCount
        let assembled = Self.assembledFromPerOutputSweeps(structured, at: model.point)
        #expect(fused.rows == structured.outputCount && fused.columns == n)
        #expect(JacobianConformance.relativeDifference(fused, assembled) <= 1e-14)
        let reference = try ForwardVectorized().jacobian(of: model.map, at: model.point)
        #expect(JacobianConformance.relativeDifference(fused, reference) <= 1e-12)
        // A warm second call at another point overwrites every entry.
        var moved = model.point
        for index in moved.indices { moved[index] += 0.125 }
        structured.perSampleJacobian(at: moved, into: &fused)
        let movedReference = try ForwardVectorized().jacobian(of: model.map, at: moved)
        #expect(JacobianConformance.relativeDifference(fused, movedReference) <= 1e-12)
    }
}
