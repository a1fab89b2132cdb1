import Jacobians
#if canImport(Glibc) && arch(x86_64)
import Glibc
@testable import NeuralNetworks
import Testing

/// Accuracy of the vectorisable tanh/expm1 kernels, in every compiled variant
/// (baseline, AVX2 + FMA, AVX-512F), against Float80 (64-bit significand) references from
/// glibc's `tanhl`/`expm1l`, whose own error (≈ 2⁻¹¹ double ulp) is negligible at
/// the bounds asserted here.
@Suite struct ElementwiseKernelTests {
    typealias Variant = ElementwiseKernels.Variant

    /// |computed − reference| in units of the double ulp at the reference (the
    /// smaller ulp when the reference sits at a binade boundary, so never flattering).
    static func ulpError(_ computed: Double, _ reference: Float80) -> Double {
        let rounded = Double(reference).magnitude
        let ulp = Swift.min(rounded.ulp, rounded.nextDown.ulp)
        guard ulp > 0 else { return computed == 0 ? 0 : .infinity }
        return Double((Float80(computed) - reference).magnitude) / ulp
    }

    /// 10⁶ evenly spaced points over [−20, 20], 4·10⁵ log-spaced magnitudes from 1e-300 to 20
    /// (both signs), and the neighbourhoods of the reduction's switch points x = (j + ½)·ln2/2.
    static let sweep: [Double] = {
        var points: [Double] = []
        points.reserveCapacity(1_900_000)
        let count = 1_000_000
        for index in 0...count { points.append(-20 + 40 * Double(index) / Double(count)) }
        let logCount = 200_000
        let lower = log(1e-300), upper = log(20.0)
        for index in 0...logCount {
            let magnitude = exp(lower + (upper - lower) * Double(index) / Double(logCount))
            points.append(magnitude)
            points.append(-magnitude)
        }
        for j in 0..<60 {
            var x = (Double(j) + 0.5) * 0.6931471805599453 / 2
            for _ in 0..<500 { points.append(x); x = x.nextUp }
        }
        return points
    }()

    /// The kernel over a whole buffer in one variant.
    static func tanhValues(_ points: [Double], variant: Variant) -> [Double] {
        var values = points
        values.withUnsafeMutableBufferPointer {
            ElementwiseKernels.tanh($0.baseAddress!, count: $0.count, derivatives: nil, variant: variant)
        }
        return values
    }

    @Test(arguments: Variant.allCases)
    func tanhIsWithinTwoAndAHalfUlpOverTheSweep(_ variant: Variant) {
        var worst = 0.0, worstAt = 0.0
        let values = Self.tanhValues(Self.sweep, variant: variant)
        for (index, x) in Self.sweep.enumerated() {
            let error = Self.ulpError(values[index], tanhl(Float80(x)))
            if error > worst { worst = error; worstAt = x }
        }
        #expect(worst <= 2.5, "max error \(worst) ulp at x = \(worstAt)")
    }

    @Test(arguments: Variant.allCases)
    func tanhEdgeCases(_ variant: Variant) {
        func tanh(_ x: Double) -> Double { ElementwiseKernels.tanh(x, variant: variant) }
        let tiny: [Double] = [.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-300, 1e-20, 0x1p-27, 0x1p-26]
        for x in tiny {
            #expect(tanh(x) == x)
            #expect(tanh(-x) == -x)
        }
        let zero = tanh(0.0), negativeZero = tanh(-0.0)
        #expect(zero == 0 && zero.sign == .plus)
        #expect(negativeZero == 0 && negativeZero.sign == .minus)
        for x in [19.1, 20, 22, 710, 1e300, .greatestFiniteMagnitude, .infinity] {
            #expect(tanh(x) == 1)
            #expect(tanh(-x) == -1)
        }
        #expect(tanh(.nan).isNaN)
        #expect(tanh(-.nan).isNaN)
    }

    /// Without FMA contraction every variant rounds every operation alike: bitwise equal.
    @Test(arguments: [Variant.avx2, .avx512])
    func variantsAgreeBitwise(_ variant: Variant) {
        let baseline = Self.tanhValues(Self.sweep, variant: .baseline), vector = Self.tanhValues(Self.sweep, variant: variant)
        let differing = Self.sweep.indices.filter { baseline[$0].bitPattern != vector[$0].bitPattern }
        #expect(differing.isEmpty, "variants differ at \(differing.prefix(5).map { Self.sweep[$0] })")
    }

    /// Buffers of every length up to 80, at every offset from an aligned base, give each
    /// element exactly the one-element kernel's value and φ′ = 1 − t² (the interleaved vector
    /// loop, its remainder loop and the scalar tail all agree), and leave neighbours untouched.
    @Test(arguments: Variant.allCases)
    func shortBuffersMatchTheOneElementKernel(_ variant: Variant) {
        var generator = SeededGenerator(seed: 17)
        for count in 0...80 {
            for offset in 0..<3 {
                let points = (0..<count).map { _ in generator.nextUniform(in: -6, 6) }
                var values = [Double](repeating: .nan, count: count + offset + 1)
                var derivatives = values
                for index in 0..<count { values[offset + index] = points[index] }
                values.withUnsafeMutableBufferPointer { v in
                    derivatives.withUnsafeMutableBufferPointer { d in
                        ElementwiseKernels.tanh(v.baseAddress! + offset, count: count, derivatives: d.baseAddress! + offset, variant: variant)
                    }
                }
                var mismatches = 0
                for index in 0..<count {
                    let t = ElementwiseKernels.tanh(points[index], variant: .baseline)
                    if values[offset + index].bitPattern != t.bitPattern || derivatives[offset + index] != 1 - t * t { mismatches += 1 }
                }
                #expect(mismatches == 0, "length \(count), offset \(offset)")
                #expect(values[..<offset].allSatisfy(\.isNaN) && values[offset + count].isNaN)
                #expect(derivatives[..<offset].allSatisfy(\.isNaN) && derivatives[offset + count].isNaN)
            }
        }
    }

    @Test(arguments: Variant.allCases)
    func tanhIsExactlyOdd(_ variant: Variant) {
        let positive = Self.sweep.filter { $0 > 0 }
        let values = Self.tanhValues(positive, variant: variant), mirrored = Self.tanhValues(positive.map { -$0 }, variant: variant)
        let asymmetric = positive.indices.filter { mirrored[$0] != -values[$0] }.map { positive[$0] }
        #expect(asymmetric.isEmpty, "tanh(−x) ≠ −tanh(x) at \(asymmetric.prefix(5))")
    }

    @Test(arguments: Variant.allCases)
    func expm1IsWithinOneAndAHalfUlpOnTheRangeTanhUses(_ variant: Variant) {
        var worst = 0.0, worstAt = 0.0
        for index in 0...400_000 {
            let y = 40 * Double(index) / 400_000
            let error = Self.ulpError(ElementwiseKernels.expm1(y, variant: variant), expm1l(Float80(y)))
            if error > worst { worst = error; worstAt = y }
        }
        #expect(worst <= 1.5, "max error \(worst) ulp at y = \(worstAt)")
    }

    /// The dispatching buffer kernel writes exactly the active variant's values, and φ′ = 1 − t²
    /// from them: within 2⁻⁵⁰ absolute of sech² x (t's error, doubled, plus rounding),
    /// and within 4 ulp relative where |x| ≤ 0.5 (no cancellation there).
    @Test func bufferKernelAndDerivativeAgreeWithTheReference() {
        let points = Self.sweep
        var values = points, derivatives = [Double](repeating: .nan, count: points.count)
        values.withUnsafeMutableBufferPointer { v in
            derivatives.withUnsafeMutableBufferPointer { d in
                fastTanh(v.baseAddress!, count: points.count, derivatives: d.baseAddress!)
            }
        }
        var plain = points
        plain.withUnsafeMutableBufferPointer { fastTanh($0.baseAddress!, count: points.count) }
        let active: Variant = ElementwiseKernels.variant == "avx512f" ? .avx512 : (ElementwiseKernels.variant == "avx2+fma" ? .avx2 : .baseline)
        let expected = Self.tanhValues(points, variant: active)
        var worstAbsolute = 0.0, worstRelative = 0.0, mismatches = 0
        for (index, x) in points.enumerated() {
            let t = values[index]
            if t != expected[index] || plain[index] != t || derivatives[index] != 1 - t * t { mismatches += 1 }
            let reference = 1 - tanhl(Float80(x)) * tanhl(Float80(x))
            worstAbsolute = Swift.max(worstAbsolute, Double((Float80(derivatives[index]) - reference).magnitude))
            if x.magnitude <= 0.5 { worstRelative = Swift.max(worstRelative, Self.ulpError(derivatives[index], reference)) }
        }
        #expect(mismatches == 0)
        #expect(worstAbsolute <= 0x1p-50, "worst absolute φ′ error \(worstAbsolute)")
        #expect(worstRelative <= 4, "worst relative φ′ error \(worstRelative) ulp on |x| ≤ 0.5")
    }

    /// The AVX-512 small product adds the same FMAs in the same order as the AVX2 one:
    /// bitwise equal, for every m ≤ 9 (blocks of four rows and the rest), k ≤ 7, n ≤ 17
    /// (one and two vectors per row, masked edges, and n > 16, handed to AVX2), with and
    /// without bias, and nothing written past C.
    @Test func avx512ProductEqualsTheAVX2ProductBitwise() {
        var generator = SeededGenerator(seed: 23)
        var mismatches: [String] = []
        for m in 0...9 {
            for k in 0...7 {
                for n in 1...17 {
                    let a = (0..<(m * k)).map { _ in generator.nextUniform(in: -1, 1) }
                    let b = (0..<(k * n)).map { _ in generator.nextUniform(in: -1, 1) }
                    let bias = (0..<n).map { _ in generator.nextUniform(in: -1, 1) }
                    for withBias in [false, true] {
                        let avx2 = ElementwiseKernels.multiply(
                            a, rows: m, inner: k, b, columns: n, bias: withBias ? bias : nil, variant: .avx2)
                        let avx512 = ElementwiseKernels.multiply(
                            a, rows: m, inner: k, b, columns: n, bias: withBias ? bias : nil, variant: .avx512)
                        if zip(avx2, avx512).contains(where: { $0.bitPattern != $1.bitPattern }) || avx512.contains(where: \.isNaN) {
                            mismatches.append("\(m)×\(k)×\(n)\(withBias ? "+bias" : "")")
                        }
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "differ: \(mismatches.prefix(5))")
    }

    /// The small product against a naive triple loop, for widths on both sides of the
    /// register-blocked limit (16) and the masked edges.
    @Test(arguments: Variant.allCases)
    func smallProductMatchesANaiveProduct(_ variant: Variant) {
        var generator = SeededGenerator(seed: 5)
        for (m, k, n) in [(55, 32, 15), (1, 1, 1), (7, 3, 4), (5, 9, 16), (3, 5, 17), (4, 0, 3), (9, 30, 30)] {
            let a = (0..<(m * k)).map { _ in generator.nextUniform(in: -1, 1) }
            let b = (0..<(k * n)).map { _ in generator.nextUniform(in: -1, 1) }
            let bias = (0..<n).map { _ in generator.nextUniform(in: -1, 1) }
            let c = ElementwiseKernels.multiply(a, rows: m, inner: k, b, columns: n, variant: variant)
            let biased = ElementwiseKernels.multiply(a, rows: m, inner: k, b, columns: n, bias: bias, variant: variant)
            var worst = 0.0
            for i in 0..<m {
                for j in 0..<n {
                    var biasedSum = bias[j], biasedMagnitude = abs(bias[j])
                    for u in 0..<k { biasedSum += a[i * k + u] * b[u * n + j]; biasedMagnitude += abs(a[i * k + u] * b[u * n + j]) }
                    worst = Swift.max(worst, abs(biased[i * n + j] - biasedSum) / Swift.max(biasedMagnitude, .leastNormalMagnitude))
                    var sum = 0.0, magnitude = 0.0
                    for u in 0..<k { sum += a[i * k + u] * b[u * n + j]; magnitude += abs(a[i * k + u] * b[u * n + j]) }
                    worst = Swift.max(worst, abs(c[i * n + j] - sum) / Swift.max(magnitude, .leastNormalMagnitude))
                }
            }
            #expect(worst <= Double(Swift.max(k, 1)) * 0x1p-52, "\(m)×\(k)×\(n): relative error \(worst)")
        }
    }

    /// The activation buffer path (used by every sweep) runs the same kernel.
    @Test func activationBufferPathUsesTheKernel() {
        var values: [Double] = [-3, -0.5, 0, 1e-8, 0.7, 4]
        var derivatives = [Double](repeating: 0, count: values.count)
        let original = values
        values.withUnsafeMutableBufferPointer { v in
            derivatives.withUnsafeMutableBufferPointer { d in
                Activation.tanh.apply(to: v.baseAddress!, count: v.count, derivatives: d.baseAddress!)
            }
        }
        for (index, x) in original.enumerated() {
            var single = x
            fastTanh(&single, count: 1)
            #expect(values[index] == single)
            #expect(abs(values[index] - Activation.tanh.value(x)) <= 2 * Activation.tanh.value(x).magnitude.ulp)
        }
    }
}
#endif
