import Jacobians
@testable import NeuralNetworks
import Testing

/// The two-layer row kernel (`jb_two_layer_rows`) in both compiled variants against a
/// scalar Swift transcription of its formula with the same rounding order (so bitwise,
/// including the sign of zero), every entry of every row overwritten, and its refusal
/// of blocks over its stack tables (h·d + h > 512 or p·(h·d + h) > 2048). Whole-Jacobian agreement with independent per-output
/// sweeps and forward mode is in `FusedPerSampleJacobianTests`.
@Suite struct TwoLayerRowKernelTests {
    typealias Variant = ElementwiseKernels.Variant

    struct Shape: Sendable, CustomStringConvertible {
        var d: Int, h: Int, p: Int, samples: Int, identityHidden: Bool, identityTop: Bool
        var description: String { "\(d)→\(h)→\(p) S=\(samples)\(identityHidden ? " D1=1" : "")\(identityTop ? " g=1" : "")" }
    }

    static let shapes: [Shape] = [
        .init(d: 5, h: 9, p: 3, samples: 6, identityHidden: false, identityTop: false),
        .init(d: 1, h: 4, p: 1, samples: 3, identityHidden: false, identityTop: true),
        .init(d: 8, h: 16, p: 2, samples: 4, identityHidden: true, identityTop: false),
        .init(d: 11, h: 7, p: 4, samples: 2, identityHidden: false, identityTop: false),
        .init(d: 3, h: 64, p: 5, samples: 2, identityHidden: true, identityTop: true),
    ]

    /// Values in [−1, 1] with every fifth one a signed zero (both signs occur).
    static func values(_ count: Int, _ generator: inout SeededGenerator) -> [Double] {
        (0..<count).map { index in
            index % 5 == 3 ? (Bool.random(using: &generator) ? 0.0 : -0.0) : Double.random(in: -1...1, using: &generator)
        }
    }

    /// Row s·p + o from the documented formula, same operation order as the kernel.
    static func reference(
        x: [Double], t1: [Double], derivatives: [Double]?, w2: [Double], gains: [Double]?, shape: Shape, rowStride: Int
    ) -> [Double] {
        let (d, h, p) = (shape.d, shape.h, shape.p)
        var rows = [Double](repeating: .nan, count: shape.samples * p * rowStride)
        for s in 0..<shape.samples {
            for o in 0..<p {
                let base = (s * p + o) * rowStride
                let g = gains?[s * p + o] ?? 1
                for u in 0..<h {
                    let w = w2[o * h + u], mask = derivatives?[s * h + u]
                    for i in 0..<d { rows[base + u * d + i] = g * (w * (mask.map { $0 * x[s * d + i] } ?? x[s * d + i])) }
                    rows[base + h * d + u] = g * (w * (mask ?? 1))
                }
                for q in 0..<p {
                    for i in 0..<h { rows[base + h * d + h + q * h + i] = q == o ? g * t1[s * h + i] : 0 }
                    rows[base + h * d + h + p * h + q] = q == o ? g : 0
                }
            }
        }
        return rows
    }

    @Test(arguments: shapes, Variant.allCases)
    func rowsEqualTheFormulaBitwise(_ shape: Shape, _ variant: Variant) throws {
        var generator = SeededGenerator(seed: 31 + UInt64(shape.h))
        let (d, h, p, samples) = (shape.d, shape.h, shape.p, shape.samples)
        let x = Self.values(samples * d, &generator), t1 = Self.values(samples * h, &generator)
        let derivatives = shape.identityHidden ? nil : Self.values(samples * h, &generator)
        let w2 = Self.values(p * h, &generator)
        let gains = shape.identityTop ? nil : Self.values(samples * p, &generator)
        let length = h * d + h + p * h + p, rowStride = length + 3
        let rows = try #require(
            ElementwiseKernels.twoLayerRows(
                inputs: x, inputWidth: d, hidden: t1, hiddenDerivatives: derivatives, hiddenWidth: h, topWeights: w2,
                outputs: p, gains: gains, samples: samples, rowStride: rowStride, variant: variant))
        let expected = Self.reference(
            x: x, t1: t1, derivatives: derivatives, w2: w2, gains: gains, shape: shape, rowStride: rowStride)
        var mismatches = 0, untouchedPadding = true
        for row in 0..<(samples * p) {
            for column in 0..<rowStride {
                let index = row * rowStride + column
                if column < length {
                    if rows[index].bitPattern != expected[index].bitPattern { mismatches += 1 }
                } else if !rows[index].isNaN {
                    untouchedPadding = false
                }
            }
        }
        #expect(mismatches == 0)
        #expect(untouchedPadding)
        #expect(rows.contains { $0 == 0 && $0.sign == .minus })
    }

    /// Every d = 1…9 against h ∈ {1, 2, 3, 5, 9, 13} (h not a multiple of 4, and below 4),
    /// p = 1…5, gains and hidden derivatives present or absent, rows packed or with a stride
    /// one or four past their length, odd sample counts: bitwise the formula, padding untouched.
    @Test(arguments: 1...9)
    func everySmallShapeEqualsTheFormulaBitwise(_ d: Int) throws {
        var generator = SeededGenerator(seed: 400 + UInt64(d))
        var failures: [String] = []
        for h in [1, 2, 3, 5, 9, 13] {
            for p in 1...5 {
                for flags in 0..<4 {
                    let shape = Shape(d: d, h: h, p: p, samples: 3 + (h + p) % 3, identityHidden: flags & 1 == 1, identityTop: flags & 2 == 2)
                    let samples = shape.samples
                    let x = Self.values(samples * d, &generator), t1 = Self.values(samples * h, &generator)
                    let derivatives = shape.identityHidden ? nil : Self.values(samples * h, &generator)
                    let w2 = Self.values(p * h, &generator)
                    let gains = shape.identityTop ? nil : Self.values(samples * p, &generator)
                    let length = h * d + h + p * h + p
                    for rowStride in [length, length + 1, length + 4] {
                        let expected = Self.reference(
                            x: x, t1: t1, derivatives: derivatives, w2: w2, gains: gains, shape: shape, rowStride: rowStride)
                        for variant in Variant.allCases {
                            let rows = try #require(
                                ElementwiseKernels.twoLayerRows(
                                    inputs: x, inputWidth: d, hidden: t1, hiddenDerivatives: derivatives, hiddenWidth: h,
                                    topWeights: w2, outputs: p, gains: gains, samples: samples, rowStride: rowStride,
                                    variant: variant))
                            let differs = rows.indices.contains { index in
                                index % rowStride < length ? rows[index].bitPattern != expected[index].bitPattern : !rows[index].isNaN
                            }
                            if differs { failures.append("\(shape) stride \(rowStride) \(variant)") }
                        }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(3))")
    }

    @Test(arguments: Variant.allCases)
    func blocksOverTheStackTablesAreDeclined(_ variant: Variant) {
        // h·d + h = 585 > 512.
        let wide = ElementwiseKernels.twoLayerRows(
            inputs: .init(repeating: 1, count: 8), inputWidth: 8, hidden: .init(repeating: 0.5, count: 65),
            hiddenDerivatives: nil, hiddenWidth: 65, topWeights: .init(repeating: 1, count: 65), outputs: 1, gains: nil,
            samples: 1, rowStride: 8 * 65 + 65 + 65 + 1, variant: variant)
        #expect(wide == nil)
        // p·(h·d + h) = 5·420 = 2100 > 2048 (each block alone fits).
        let tall = ElementwiseKernels.twoLayerRows(
            inputs: .init(repeating: 1, count: 6), inputWidth: 6, hidden: .init(repeating: 0.5, count: 60),
            hiddenDerivatives: nil, hiddenWidth: 60, topWeights: .init(repeating: 1, count: 300), outputs: 5, gains: nil,
            samples: 1, rowStride: 420 + 300 + 5, variant: variant)
        #expect(tall == nil)
        // p·(h·d + h) = 4·420 = 1680 fits.
        let fits = ElementwiseKernels.twoLayerRows(
            inputs: .init(repeating: 1, count: 6), inputWidth: 6, hidden: .init(repeating: 0.5, count: 60),
            hiddenDerivatives: nil, hiddenWidth: 60, topWeights: .init(repeating: 1, count: 240), outputs: 4, gains: nil,
            samples: 1, rowStride: 420 + 240 + 4, variant: variant)
        #expect(fits != nil)
    }
}
