import Jacobians
@testable import NeuralNetworks
import Testing

/// The streamed parameter-row kernel (`jb_streamed_parameter_rows`) in every compiled variant
/// against a scalar Swift transcription of its formula (each entry one product, a copy or 0,
/// so bitwise, including the sign of zero), for targets at every offset mod 64 bytes (the
/// kernel carries the ≤ 7 entries past a row's last full vector over to the next row), with
/// nothing written before or after the rows. Whole-Jacobian agreement with independent
/// per-output sweeps on shapes above the streaming threshold is in `FusedPerSampleJacobianTests`.
@Suite struct StreamedRowKernelTests {
    typealias Variant = ElementwiseKernels.Variant

    struct Shape: Sendable, CustomStringConvertible {
        var widths: [Int], samples: Int, identityTop: Bool
        var description: String { "\(widths) S=\(samples)\(identityTop ? " g=1" : "")" }
    }

    static let shapes: [Shape] = [
        .init(widths: [1, 30, 30, 1], samples: 5, identityTop: true),
        .init(widths: [1, 30, 30, 1], samples: 3, identityTop: false),
        .init(widths: [2, 17, 5, 3], samples: 4, identityTop: false),
        .init(widths: [3, 7, 2], samples: 6, identityTop: true),
        .init(widths: [5, 1, 9, 3, 2], samples: 3, identityTop: false),
        .init(widths: [4, 3], samples: 7, identityTop: false),
        .init(widths: [1, 2, 1], samples: 9, identityTop: true),
    ]

    /// Row s·p + d of the documented formula.
    static func reference(
        widths: [Int], deltas: [[Double]], inputs: [[Double]], gains: [Double]?, samples: Int
    ) -> [Double] {
        let top = widths.count - 2, p = widths[top + 1]
        var rows: [Double] = []
        for s in 0..<samples {
            for d in 0..<p {
                let r = s * p + d
                for layer in 0..<top {
                    let (inWidth, outWidth) = (widths[layer], widths[layer + 1])
                    for u in 0..<outWidth {
                        for i in 0..<inWidth { rows.append(deltas[layer][r * outWidth + u] * inputs[layer][s * inWidth + i]) }
                    }
                    for u in 0..<outWidth { rows.append(deltas[layer][r * outWidth + u]) }
                }
                let width = widths[top], g = gains?[r] ?? 1
                for q in 0..<p {
                    for i in 0..<width { rows.append(q == d ? g * inputs[top][s * width + i] : 0) }
                }
                for q in 0..<p { rows.append(q == d ? g : 0) }
            }
        }
        return rows
    }

    @Test(arguments: shapes, Variant.allCases)
    func rowsEqualTheFormulaBitwiseAtEveryOffset(_ shape: Shape, _ variant: Variant) throws {
        var generator = SeededGenerator(seed: 47 + UInt64(shape.widths.reduce(0, +)))
        let widths = shape.widths, top = widths.count - 2, p = widths[top + 1], samples = shape.samples
        let deltas = (0..<top).map { TwoLayerRowKernelTests.values(samples * p * widths[$0 + 1], &generator) }
        let inputs = (0...top).map { TwoLayerRowKernelTests.values(samples * widths[$0], &generator) }
        let gains = shape.identityTop ? nil : TwoLayerRowKernelTests.values(samples * p, &generator)
        let expected = Self.reference(widths: widths, deltas: deltas, inputs: inputs, gains: gains, samples: samples)
        for offset in 0..<8 {
            let rows = ElementwiseKernels.streamedParameterRows(
                widths: widths, deltas: deltas, inputs: inputs, gains: gains, samples: samples, offset: offset,
                trailing: 5, variant: variant)
            let written = Array(rows[offset..<(offset + expected.count)])
            #expect(zip(written, expected).allSatisfy { $0.bitPattern == $1.bitPattern }, "offset \(offset)")
            #expect(rows[..<offset].allSatisfy(\.isNaN) && rows[(offset + expected.count)...].allSatisfy(\.isNaN))
        }
        #expect(expected.contains { $0 == 0 && $0.sign == .minus })
    }
}
