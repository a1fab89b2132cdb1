/// The buffers of a two-layer network's structured normal equations
/// (``MultilayerPerceptronResidualMap/formNormalEquationFactors(at:in:)`` and
/// ``MultilayerPerceptronResidualMap/assembleNormalEquations(residuals:in:gram:gradient:)``)
/// for one network shape and dataset (S samples, d → h → p): sized once at creation and reused
/// by every assembly, so nothing is allocated per iteration.
///
/// Holds, row-major:
/// - `factors` Bᵀ with B = [A | T̃] (Bᵀ is K × S, K = c₀ + h + 1, c₀ = h·d + h, so that every row
///   is built by contiguous products over the samples): row c = u·d + i of Bᵀ is D[:, u] ⊙ x[:, i]
///   (the weight column of W₁[u, i]), row h·d + u is D[:, u] (b₁[u]) — θ's first-layer order; D
///   = φ′ of the hidden layer — then rows t[:, u] (the hidden outputs) and a row of ones (b₂);
/// - `transposedInputs` Xᵀ (d × S), taken once from the map's inputs;
/// - `products` BᵀB (K × K, upper triangle, one dsyrk): AᵀA, AᵀT̃ and T̃ᵀT̃ together;
/// - `outputWeights` W₂ (p × h) at the factors' point, `outputGram` G = W₂ᵀW₂ (h × h),
///   `expandedOutputGram` G[u, u(c′)] (h × c₀), `pulledResiduals` (W₂ᵀRᵀ, then ⊙ Dᵀ; h × S).
///
/// About 8·(S·K + K² + S·(h + d)) bytes (seed-lm, S = 192, K = 64: 152 KB).
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
    let transposedInputs = ScratchBuffer()
    let products = ScratchBuffer()
    let outputWeights = ScratchBuffer()
    let outputGram = ScratchBuffer()
    let expandedOutputGram = ScratchBuffer()
    let pulledResiduals = ScratchBuffer()
    /// Whether `factors` and `outputWeights` hold the factors of some point.
    var hasFactors = false

    /// Buffers for the S samples `inputs` (S × d, row-major) through a d → h → p network.
    init(inputs: UnsafePointer<Double>, samples: Int, inputWidth d: Int, hidden h: Int, outputs p: Int) {
        sampleCount = samples
        inputWidth = d
        hiddenWidth = h
        outputWidth = p
        let c0 = h * (d + 1), k = c0 + h + 1
        unitOfColumn = (0..<c0).map { $0 < h * d ? $0 / d : $0 - h * d }
        factors.reserve(samples * k)
        transposedInputs.reserve(d * samples)
        for sample in 0..<samples {
            for index in 0..<d { transposedInputs.pointer[index * samples + sample] = inputs[sample * d + index] }
        }
        products.reserve(k * k)
        outputWeights.reserve(p * h)
        outputGram.reserve(h * h)
        expandedOutputGram.reserve(h * c0)
        pulledResiduals.reserve(samples * h)
    }

    /// Bytes held.
    public var byteCount: Int {
        [factors, transposedInputs, products, outputWeights, outputGram, expandedOutputGram, pulledResiduals].reduce(unitOfColumn.count * 8) { $0 + $1.byteCount }
    }
}
