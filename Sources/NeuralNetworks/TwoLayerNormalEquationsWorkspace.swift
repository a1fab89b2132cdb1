/// The buffers of a two-layer network's structured normal equations
/// (``MultilayerPerceptronResidualMap/formNormalEquationFactors(at:in:)`` and
/// ``MultilayerPerceptronResidualMap/assembleNormalEquations(residuals:in:gram:gradient:)``)
/// for one network shape and dataset (S samples, d → h → p): sized once at creation and reused
/// by every assembly, so nothing is allocated per iteration.
///
/// Holds, row-major:
/// - `factors` B = [A | T̃], S × K with K = c₀ + h + 1 and c₀ = h·d + h: A_s[c] = D_s[u]·x_s[i]
///   for the weight column c = u·d + i and A_s[c] = D_s[u] for the bias column c = h·d + u
///   (θ's first-layer order; D_s = φ′ of the hidden layer at sample s), then T̃_s = [t_s, 1]
///   (the hidden outputs, and 1 for the output biases);
/// - `products` BᵀB (K × K, upper triangle, one dsyrk): AᵀA, AᵀT̃ and T̃ᵀT̃ together;
/// - `outputWeights` W₂ (p × h) at the factors' point, `outputGram` G = W₂ᵀW₂ (h × h),
///   `pulledResiduals` Q = R·W₂, then D ⊙ Q (S × h).
///
/// About 8·(S·K + K² + S·h) bytes (seed-lm, S = 192, K = 64: 144 KB).
public final class TwoLayerNormalEquationsWorkspace {
    /// S.
    public let sampleCount: Int
    /// d.
    public let inputWidth: Int
    /// h.
    public let hiddenWidth: Int
    /// p.
    public let outputWidth: Int
    /// c₀ = h·d + h, the first layer's parameter count.
    public var firstLayerColumns: Int { hiddenWidth * (inputWidth + 1) }
    /// K = c₀ + h + 1, the columns of B.
    public var factorColumns: Int { firstLayerColumns + hiddenWidth + 1 }
    /// n = c₀ + p·(h + 1), the parameter count.
    public var parameterCount: Int { firstLayerColumns + outputWidth * (hiddenWidth + 1) }

    /// u(c): the hidden unit of first-layer column c (c < c₀).
    let unitOfColumn: [Int]
    let factors = ScratchBuffer()
    let products = ScratchBuffer()
    let outputWeights = ScratchBuffer()
    let outputGram = ScratchBuffer()
    let pulledResiduals = ScratchBuffer()
    /// Whether `factors` and `outputWeights` hold the factors of some point.
    var hasFactors = false

    /// Buffers for S samples through a d → h → p network.
    init(samples: Int, inputs d: Int, hidden h: Int, outputs p: Int) {
        sampleCount = samples
        inputWidth = d
        hiddenWidth = h
        outputWidth = p
        let c0 = h * (d + 1), k = c0 + h + 1
        unitOfColumn = (0..<c0).map { $0 < h * d ? $0 / d : $0 - h * d }
        factors.reserve(samples * k)
        products.reserve(k * k)
        outputWeights.reserve(p * h)
        outputGram.reserve(h * h)
        pulledResiduals.reserve(samples * h)
    }

    /// Bytes held.
    public var byteCount: Int {
        [factors, products, outputWeights, outputGram, pulledResiduals].reduce(unitOfColumn.count * 8) { $0 + $1.byteCount }
    }
}
