import CNumericKernels

/// The elementwise kernels behind the sweeps (tanh and its derivative, the outer
/// products and flat products of the per-sample Jacobian), implemented in the C
/// target `CNumericKernels` and compiled twice: for baseline x86-64 and for
/// AVX2 + FMA, chosen once at run time from the CPU's features.
///
/// tanh is e/(e + 2) with e = expm1(2|x|) (Cody–Waite reduction, degree-13 Taylor
/// kernel, 2^k from the exponent bits), branch-free so that it vectorises (four vectors
/// interleaved per iteration, and an AVX-512 variant where the CPU has it); its error is
/// ≤ 2.5 ulp in every variant, which are bitwise equal, proven against a Float80
/// reference in `ElementwiseKernelTests`.
public enum ElementwiseKernels {
    /// "avx512f", "avx2+fma" or "baseline": the variant this process uses for tanh and the
    /// small product (the other kernels use "avx2+fma" on an AVX-512 machine).
    public static var variant: String {
        jb_kernels_variant() != 1 ? "baseline" : (jb_has_avx512() == 1 ? "avx512f" : "avx2+fma")
    }

    /// The compiled variants a test can force (each falls back to the one before it when the
    /// CPU lacks it; `avx512` is AVX2 + FMA for the kernels without an AVX-512 variant).
    enum Variant: Int32, CaseIterable {
        case baseline = 0, avx2 = 1, avx512 = 2
    }

    /// tanh x in one variant (scalar, for tests).
    static func tanh(_ x: Double, variant: Variant) -> Double {
        var value = x
        jb_tanh_variant(variant.rawValue, &value, nil, 1)
        return value
    }

    /// tanh over a buffer in one variant, with φ′ = 1 − tanh² when `derivatives` is given (tests).
    static func tanh(
        _ values: UnsafeMutablePointer<Double>, count: Int, derivatives: UnsafeMutablePointer<Double>?, variant: Variant
    ) {
        jb_tanh_variant(variant.rawValue, values, derivatives, count)
    }

    /// C = A·B + 1·biasᵀ (row-major, m × k times k × n; no bias when nil) in one variant (tests).
    static func multiply(
        _ a: [Double], rows m: Int, inner k: Int, _ b: [Double], columns n: Int, bias: [Double]? = nil, variant: Variant
    ) -> [Double] {
        var c = [Double](repeating: .nan, count: m * n)
        if let bias {
            jb_matmul_variant(variant.rawValue, a, m, k, b, n, bias, &c)
        } else {
            jb_matmul_variant(variant.rawValue, a, m, k, b, n, nil, &c)
        }
        return c
    }

    /// The parameter rows of a two-layer network's per-sample Jacobian in one variant
    /// (tests; see `jb_two_layer_rows`): x S × d, t1 and D1 (nil: identity) S × h, W2 p × h,
    /// gains S·p (nil: 1). Returns S·p rows of `rowStride` doubles (entries past
    /// h·d + h + p·h + p stay NaN), or nil when the kernel declines (h·d + h > 512 or
    /// p·(h·d + h) > 2048).
    static func twoLayerRows(
        inputs x: [Double], inputWidth d: Int, hidden t1: [Double], hiddenDerivatives: [Double]?, hiddenWidth h: Int,
        topWeights: [Double], outputs p: Int, gains: [Double]?, samples: Int, rowStride: Int, variant: Variant
    ) -> [Double]? {
        var rows = [Double](repeating: .nan, count: samples * p * rowStride)
        let written = rows.withUnsafeMutableBufferPointer { target in
            hiddenDerivatives.withOptionalPointer { derivatives in
                gains.withOptionalPointer { gain in
                    jb_two_layer_rows_variant(
                        variant.rawValue, x, d, t1, derivatives, h, topWeights, p, gain, samples, target.baseAddress,
                        rowStride)
                }
            }
        }
        return written == 1 ? rows : nil
    }

    /// The parameter rows of an MLP's per-sample Jacobian written by the streamed kernel in one
    /// variant (tests; see `jb_streamed_parameter_rows`): `widths` w_0…w_{top+1} (p = last),
    /// deltas[l] S·p × w_{l+1}, inputs[l] S × w_l (l = 0…top), gains S·p (nil: 1). The rows start
    /// `offset` doubles into the returned array (entries before them and the `trailing` after
    /// them stay NaN), so every alignment of the target can be exercised.
    static func streamedParameterRows(
        widths: [Int], deltas: [[Double]], inputs: [[Double]], gains: [Double]?, samples: Int, offset: Int,
        trailing: Int, variant: Variant
    ) -> [Double] {
        let top = widths.count - 2, p = widths[top + 1]
        var length = p * widths[top] + p
        for layer in 0..<top { length += widths[layer + 1] * widths[layer] + widths[layer + 1] }
        var rows = [Double](repeating: .nan, count: offset + samples * p * length + trailing)
        var staging = [Double](repeating: 0, count: length + 16)
        let deltaPointers = deltas.map { UnsafeMutablePointer<Double>.allocate(capacity: max($0.count, 1)) }
        let inputPointers = inputs.map { UnsafeMutablePointer<Double>.allocate(capacity: max($0.count, 1)) }
        defer { (deltaPointers + inputPointers).forEach { $0.deallocate() } }
        for (pointer, values) in zip(deltaPointers, deltas) { pointer.initialize(from: values, count: values.count) }
        for (pointer, values) in zip(inputPointers, inputs) { pointer.initialize(from: values, count: values.count) }
        let deltaArguments: [UnsafePointer<Double>?] = deltaPointers.map { UnsafePointer($0) }
        let inputArguments: [UnsafePointer<Double>?] = inputPointers.map { UnsafePointer($0) }
        rows.withUnsafeMutableBufferPointer { target in
            gains.withOptionalPointer { gain in
                jb_streamed_parameter_rows_variant(
                    variant.rawValue, top, deltaArguments, inputArguments, widths, gain, samples, &staging,
                    target.baseAddress.map { $0 + offset })
            }
        }
        return rows
    }

    /// expm1 y for y ∈ [−40, 40] in one variant (tests).
    static func expm1(_ y: Double, variant: Variant) -> Double {
        var input = y, result = 0.0
        jb_expm1_variant(variant.rawValue, &input, &result, 1)
        return result
    }
}

/// tanh over a buffer, in place (≤ 2.5 ulp; see ``ElementwiseKernels``).
@usableFromInline
func fastTanh(_ values: UnsafeMutablePointer<Double>, count: Int) {
    jb_tanh(values, nil, count)
}

/// tanh over a buffer, in place, also writing φ′ = 1 − tanh² into `derivatives`.
@usableFromInline
func fastTanh(_ values: UnsafeMutablePointer<Double>, count: Int, derivatives: UnsafeMutablePointer<Double>) {
    jb_tanh(values, derivatives, count)
}

extension Optional where Wrapped == [Double] {
    /// `body` with the array's base address, or nil when the array is absent.
    fileprivate func withOptionalPointer<Result>(_ body: (UnsafePointer<Double>?) -> Result) -> Result {
        switch self {
        case .some(let array): array.withUnsafeBufferPointer { body($0.baseAddress) }
        case .none: body(nil)
        }
    }
}
