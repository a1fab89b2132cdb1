import CBLASLapack
import LinearAlgebra

/// The Gauss-Newton normal equations JᵀJ and Jᵀr of a two-layer network's residual map,
/// assembled from per-sample factors without forming J.
///
/// For θ = (W₁ (h × d), b₁, W₂ (p × h), b₂) and an identity output layer, residual row (s, o)
/// has, in the first layer's c₀ = h·d + h columns, J[(s, o), c] = W₂[o, u(c)]·A_s[c] with
/// A_s = (D_s[u]·x_s[i] for u, i; D_s[u]) (D_s = φ′ of the hidden layer at sample s), and in the
/// output layer's columns only t_s (the hidden outputs) under W₂[o, :] and 1 under b₂[o]. With
/// T̃_s = [t_s, 1] and G = W₂ᵀW₂ therefore
///
///     JᵀJ₁₁[c, c′]        = G[u(c), u(c′)] · (AᵀA)[c, c′]
///     JᵀJ₁₂[c, (o′, u′)]  = W₂[o′, u(c)] · (AᵀT̃)[c, u′]      (u′ = h: the bias b₂[o′])
///     JᵀJ₂₂               = p diagonal copies of T̃ᵀT̃
///     (Jᵀr)₁[c]           = Σ_s A_s[c]·q_s[u(c)],  q_s = W₂ᵀ r_s
///     (Jᵀr)₂[(o, u′)]     = Σ_s r_{s,o}·T̃_s[u′]
///
/// AᵀA, AᵀT̃ and T̃ᵀT̃ come from one dsyrk of B = [A | T̃] (S × K, K = c₀ + h + 1): S·K²/2
/// multiply-adds instead of the S·p·n²/2 of JᵀJ from J — for seed-lm (5 → 9 → 3, S = 192,
/// K = 64, n = 84) 0.39 M instead of 2.03 M (1.15 M with the output layer's zeros skipped) —
/// and the S·p × n Jacobian (387 KB there) is never written. Exact to rounding: every entry is
/// a sum of the same products as Σᵢ JᵢₖJᵢₗ in another order, so |Δ(JᵀJ)ₖₗ| is of order
/// (S + p)·ε·‖Jₖ‖‖Jₗ‖.
///
/// Applies to exactly two layers (one hidden layer, any activation) with an identity output
/// layer; row weights or fixed parameters are the caller's business (they change J).
extension MultilayerPerceptronResidualMap {
    /// Whether the normal equations can be assembled from per-sample factors: two layers
    /// and an identity output activation (the hidden activation may be any).
    public var admitsFactoredNormalEquations: Bool {
        network.layerCount == 2 && network.activations[1] == .identity
    }

    /// A workspace for ``formNormalEquationFactors(at:in:)`` and
    /// ``assembleNormalEquations(residuals:in:gram:gradient:)``, or nil when the network does
    /// not qualify (see ``admitsFactoredNormalEquations``).
    public func makeNormalEquationsWorkspace() -> TwoLayerNormalEquationsWorkspace? {
        guard admitsFactoredNormalEquations else { return nil }
        return TwoLayerNormalEquationsWorkspace(
            samples: sampleCount, inputs: network.inputWidth, hidden: network.layerWidths[1], outputs: network.outputWidth)
    }

    /// The per-sample factors at θ = `point`: one forward sweep with derivatives (skipped when
    /// the cached one is current), then B = [A | T̃] (S × K) and a copy of W₂ into `workspace`.
    ///
    /// - Complexity: one forward pass plus S·K writes.
    public func formNormalEquationFactors(at point: [Double], in workspace: TwoLayerNormalEquationsWorkspace) {
        precondition(point.count == inputCount, "θ has \(point.count) values, the network has \(inputCount) parameters")
        precondition(matches(workspace), "the workspace was made for another network or dataset")
        point.withBaseAddress { sweeps.setParameters($0) }
        sweeps.forward(derivatives: true)
        let samples = sampleCount, d = workspace.inputWidth, h = workspace.hiddenWidth, p = workspace.outputWidth
        let c0 = workspace.firstLayerColumns, k = workspace.factorColumns
        let hidden = UnsafePointer(sweeps.layerOutputs[0].pointer)
        let derivatives = UnsafePointer(sweeps.layerDerivatives[0].pointer)
        let factors = workspace.factors.pointer
        inputs.elements.withBaseAddress { x in
            for sample in 0..<samples {
                let row = factors + sample * k, xs = x + sample * d
                let ds = derivatives + sample * h, ts = hidden + sample * h
                for unit in 0..<h {
                    let du = ds[unit]
                    let weights = row + unit * d
                    for index in 0..<d { weights[index] = du * xs[index] }
                    row[h * d + unit] = du
                    row[c0 + unit] = ts[unit]
                }
                row[c0 + h] = 1
            }
        }
        workspace.outputWeights.pointer.update(from: sweeps.theta.pointer + sweeps.weightOffsets[1], count: p * h)
        workspace.hasFactors = true
    }

    /// JᵀJ (n × n, both triangles) into `gram` and Jᵀr (n values) into `gradient`, from the
    /// factors last formed in `workspace` and the residuals r (S·p values, row s·p + o) at the
    /// same θ. `gram` and `gradient` are reshaped when their sizes differ.
    ///
    /// - Complexity: one dsyrk of S × K (S·K²/2 multiply-adds), n² scattered products, and
    ///   Jᵀr in three small gemms (S·h·(2p + d) multiply-adds); no allocation once sized.
    public func assembleNormalEquations(
        residuals: [Double], in workspace: TwoLayerNormalEquationsWorkspace, gram: inout Matrix, gradient: inout [Double]
    ) {
        precondition(workspace.hasFactors, "form the factors before assembling the normal equations")
        precondition(matches(workspace), "the workspace was made for another network or dataset")
        precondition(residuals.count == outputCount, "\(residuals.count) residuals, expected \(outputCount)")
        let samples = sampleCount, d = workspace.inputWidth, h = workspace.hiddenWidth, p = workspace.outputWidth
        let c0 = workspace.firstLayerColumns, k = workspace.factorColumns, n = workspace.parameterCount
        if gram.rows != n || gram.columns != n { gram.reshape(rows: n, columns: n) }
        if gradient.count != n { gradient = Array(repeating: 0, count: n) }
        let factors = UnsafePointer(workspace.factors.pointer), products = workspace.products.pointer
        let w2 = UnsafePointer(workspace.outputWeights.pointer), g = workspace.outputGram.pointer
        let pulled = workspace.pulledResiduals.pointer
        // BᵀB, upper triangle: AᵀA, AᵀT̃ and T̃ᵀT̃.
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(k), Int32(samples), 1, factors, Int32(k), 0, products, Int32(k))
        // G = W₂ᵀW₂.
        for a in 0..<h {
            for b in a..<h {
                var sum = 0.0
                for o in 0..<p { sum += w2[o * h + a] * w2[o * h + b] }
                g[a * h + b] = sum
                g[b * h + a] = sum
            }
        }
        let biasColumns = c0 + p * h
        workspace.unitOfColumn.withUnsafeBufferPointer { units in
            gram.elements.withMutableBaseAddress { out in
                for c in 0..<c0 {
                    let unit = units[c], gRow = g + unit * h, pRow = products + c * k, row = out + c * n
                    for other in c..<c0 {
                        let value = gRow[units[other]] * pRow[other]
                        row[other] = value
                        out[other * n + c] = value
                    }
                    for o in 0..<p {
                        let weight = w2[o * h + unit], column = c0 + o * h
                        for hiddenUnit in 0..<h {
                            let value = weight * pRow[c0 + hiddenUnit]
                            row[column + hiddenUnit] = value
                            out[(column + hiddenUnit) * n + c] = value
                        }
                        let value = weight * pRow[c0 + h]
                        row[biasColumns + o] = value
                        out[(biasColumns + o) * n + c] = value
                    }
                }
                for row in c0..<n { (out + row * n + c0).update(repeating: 0, count: n - c0) }
                let samplesSum = products[(c0 + h) * k + c0 + h]
                for o in 0..<p {
                    let column = c0 + o * h, bias = biasColumns + o
                    for a in 0..<h {
                        let pRow = products + (c0 + a) * k + c0
                        for b in a..<h {
                            out[(column + a) * n + column + b] = pRow[b]
                            out[(column + b) * n + column + a] = pRow[b]
                        }
                        out[(column + a) * n + bias] = pRow[h]
                        out[bias * n + column + a] = pRow[h]
                    }
                    out[bias * n + bias] = samplesSum
                }
            }
        }
        residuals.withBaseAddress { r in
            inputs.elements.withBaseAddress { x in
                gradient.withMutableBaseAddress { out in
                    // Q = R·W₂ (S × h), then E = D ⊙ Q (D: the bias columns of A).
                    gemm(transposeA: false, transposeB: false, m: samples, n: h, k: p, a: r, lda: p, b: w2, ldb: h, beta: 0, c: pulled, ldc: h)
                    for sample in 0..<samples {
                        let derivative = factors + sample * k + h * d, q = pulled + sample * h
                        for unit in 0..<h { q[unit] *= derivative[unit] }
                    }
                    // W₁: EᵀX (h × d); b₁: Σ_s E_s.
                    gemm(transposeA: true, transposeB: false, m: h, n: d, k: samples, a: pulled, lda: h, b: x, ldb: d, beta: 0, c: out, ldc: d)
                    let firstBias = out + h * d
                    firstBias.update(repeating: 0, count: h)
                    for sample in 0..<samples {
                        let e = pulled + sample * h
                        for unit in 0..<h { firstBias[unit] += e[unit] }
                    }
                    // W₂: RᵀT (p × h); b₂: Σ_s r_s.
                    gemm(transposeA: true, transposeB: false, m: p, n: h, k: samples, a: r, lda: p, b: factors + c0, ldb: k, beta: 0, c: out + c0, ldc: h)
                    let outputBias = out + biasColumns
                    outputBias.update(repeating: 0, count: p)
                    for sample in 0..<samples {
                        let rs = r + sample * p
                        for o in 0..<p { outputBias[o] += rs[o] }
                    }
                }
            }
        }
    }

    /// Whether `workspace` has this map's shape.
    private func matches(_ workspace: TwoLayerNormalEquationsWorkspace) -> Bool {
        admitsFactoredNormalEquations && workspace.sampleCount == sampleCount && workspace.inputWidth == network.inputWidth
            && workspace.hiddenWidth == network.layerWidths[1] && workspace.outputWidth == network.outputWidth
    }
}
