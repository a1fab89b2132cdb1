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
/// AᵀA, AᵀT̃ and T̃ᵀT̃ come from one dsyrk of B = [A | T̃] (S × K, K = c₀ + h + 1; stored as Bᵀ): S·K²/2
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
        return inputs.elements.withBaseAddress { x in
            TwoLayerNormalEquationsWorkspace(
                inputs: x, samples: sampleCount, inputWidth: network.inputWidth, hidden: network.layerWidths[1],
                outputs: network.outputWidth)
        }
    }

    /// The per-sample factors at θ = `point`: one forward sweep with derivatives (skipped when
    /// the cached one is current), then Bᵀ = [A | T̃]ᵀ (K × S) and a copy of W₂ into `workspace`.
    ///
    /// - Complexity: one forward pass plus S·K writes (contiguous products over the samples).
    public func formNormalEquationFactors(at point: [Double], in workspace: TwoLayerNormalEquationsWorkspace) {
        precondition(point.count == inputCount, "θ has \(point.count) values, the network has \(inputCount) parameters")
        precondition(matches(workspace), "the workspace was made for another network or dataset")
        point.withBaseAddress { sweeps.setParameters($0) }
        sweeps.forward(derivatives: true)
        let samples = sampleCount, d = workspace.inputWidth, h = workspace.hiddenWidth, p = workspace.outputWidth
        let c0 = workspace.firstLayerColumns
        let hidden = UnsafePointer(sweeps.layerOutputs[0].pointer)
        let derivatives = UnsafePointer(sweeps.layerDerivatives[0].pointer)
        let factors = workspace.factors.pointer, xt = UnsafePointer(workspace.transposedInputs.pointer)
        let derivativeRows = factors + h * d * samples, hiddenRows = factors + c0 * samples
        // Dᵀ (the b₁ rows) and Tᵀ, transposed from the sweep's sample-major S × h blocks.
        for sample in 0..<samples {
            let ds = derivatives + sample * h, ts = hidden + sample * h
            var derivativeTarget = derivativeRows + sample, hiddenTarget = hiddenRows + sample
            for unit in 0..<h {
                derivativeTarget.pointee = ds[unit]
                hiddenTarget.pointee = ts[unit]
                derivativeTarget += samples
                hiddenTarget += samples
            }
        }
        (hiddenRows + h * samples).update(repeating: 1, count: samples)
        // W₁ rows: D[:, u] ⊙ x[:, i].
        for unit in 0..<h {
            let du = UnsafePointer(derivativeRows + unit * samples)
            for index in 0..<d {
                let row = factors + (unit * d + index) * samples, xi = xt + index * samples
                for sample in 0..<samples { row[sample] = du[sample] * xi[sample] }
            }
        }
        workspace.outputWeights.pointer.update(from: sweeps.theta.pointer + sweeps.weightOffsets[1], count: p * h)
        workspace.hasFactors = true
    }

    /// JᵀJ (n × n, both triangles) into `gram` and Jᵀr (n values) into `gradient`, from the
    /// factors last formed in `workspace` and the residuals r (S·p values, row s·p + o) at the
    /// same θ. `gram` and `gradient` are reshaped when their sizes differ.
    ///
    /// - Complexity: one dsyrk of K × S (S·K²/2 multiply-adds), about 2n² products and copies,
    ///   and Jᵀr in three small gemms (S·h·(2p + d) multiply-adds); no allocation once sized.
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
        let expanded = workspace.expandedOutputGram.pointer, pulled = workspace.pulledResiduals.pointer
        // BᵀB, upper triangle: AᵀA, AᵀT̃ and T̃ᵀT̃.
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(k), Int32(samples), 1, factors, Int32(samples), 0, products, Int32(k))
        // G = W₂ᵀW₂, and G[u, u(c′)] for every first-layer column c′.
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
            for unit in 0..<h {
                let row = expanded + unit * c0, gRow = g + unit * h
                for column in 0..<c0 { row[column] = gRow[units[column]] }
            }
            gram.elements.withMutableBaseAddress { out in
                // Upper triangle, row by row (contiguous products).
                for c in 0..<c0 {
                    let unit = units[c], gRow = UnsafePointer(expanded + unit * c0), pRow = UnsafePointer(products + c * k)
                    let row = out + c * n
                    for other in c..<c0 { row[other] = gRow[other] * pRow[other] }
                    let hiddenProducts = pRow + c0
                    for o in 0..<p {
                        let weight = w2[o * h + unit], target = row + c0 + o * h
                        for hiddenUnit in 0..<h { target[hiddenUnit] = weight * hiddenProducts[hiddenUnit] }
                        row[biasColumns + o] = weight * hiddenProducts[h]
                    }
                }
                for row in c0..<n { (out + row * n + c0).update(repeating: 0, count: n - c0) }
                let samplesSum = products[(c0 + h) * k + c0 + h]
                for o in 0..<p {
                    let column = c0 + o * h, bias = biasColumns + o
                    for a in 0..<h {
                        let pRow = UnsafePointer(products + (c0 + a) * k + c0), target = out + (column + a) * n + column
                        for b in a..<h { target[b] = pRow[b] }
                        out[(column + a) * n + bias] = pRow[h]
                    }
                    out[bias * n + bias] = samplesSum
                }
                // Lower triangle from the upper (pointer steps: no index arithmetic per entry).
                for i in 1..<max(n, 1) {
                    let row = out + i * n
                    var source = UnsafePointer(out + i)
                    for j in 0..<i {
                        row[j] = source.pointee
                        source += n
                    }
                }
            }
        }
        residuals.withBaseAddress { r in
            inputs.elements.withBaseAddress { x in
                gradient.withMutableBaseAddress { out in
                    // Eᵀ = (W₂ᵀRᵀ) ⊙ Dᵀ (h × S; Dᵀ: the b₁ rows of Bᵀ).
                    gemm(transposeA: true, transposeB: true, m: h, n: samples, k: p, a: w2, lda: h, b: r, ldb: p, beta: 0, c: pulled, ldc: samples)
                    let firstBias = out + h * d
                    for unit in 0..<h {
                        let e = pulled + unit * samples, du = factors + (h * d + unit) * samples
                        var sum = 0.0
                        for sample in 0..<samples {
                            let value = e[sample] * du[sample]
                            e[sample] = value
                            sum += value
                        }
                        firstBias[unit] = sum
                    }
                    // W₁: EᵀX (h × d).
                    gemm(transposeA: false, transposeB: false, m: h, n: d, k: samples, a: pulled, lda: samples, b: x, ldb: d, beta: 0, c: out, ldc: d)
                    // W₂: RᵀT (p × h), T from the Tᵀ rows; b₂: Σ_s r_s.
                    gemm(transposeA: true, transposeB: true, m: p, n: h, k: samples, a: r, lda: p, b: factors + c0 * samples, ldb: samples,
                         beta: 0, c: out + c0, ldc: h)
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
