import _Differentiation

/// Layer l of a ``MultilayerPerceptron`` as two operations the Swift compiler's reverse mode
/// differentiates as wholes (`swift-autodiff`): the affine map z = W·a + b, whose pullback is
/// registered here (products over unsafe buffers for one sample, BLAS `dgemm` for a batch),
/// and the activation φ applied elementwise, whose pullback multiplies by φ′(z) taken from
/// the toolchain's own gradient of the scalar φ (`Activation.differentiableSlope`).
///
/// W_l (w_l × w_{l−1}, row-major) and b_l are read from the flat θ at the network's offsets,
/// so the gradient with respect to θ is the parameter layout itself: an n-vector that is
/// zero outside the layer's block. The compiler chains these pullbacks and sums the layers'
/// θ-gradients; nothing here is a hand-written sweep over the network.
struct DifferentiableDenseLayer {
    /// w_{l−1}, the inputs of the layer.
    let inWidth: Int
    /// w_l, the units of the layer.
    let outWidth: Int
    /// Offset of W_l in θ.
    let weightOffset: Int
    /// Offset of b_l in θ.
    let biasOffset: Int
    /// φ_l.
    let activation: Activation

    /// Layer `layer` (0-based) of `network`.
    init(_ network: MultilayerPerceptron, layer: Int) {
        inWidth = network.layerWidths[layer]
        outWidth = network.layerWidths[layer + 1]
        weightOffset = network.weightOffsets[layer]
        biasOffset = network.biasOffsets[layer]
        activation = network.activations[layer]
    }

    // MARK: One sample

    /// z = W·a + b for one sample: a has w_{l−1} values, z has w_l.
    ///
    /// - Complexity: w_l·(w_{l−1} + 1) multiply-adds; its pullback the same twice over
    ///   (Wᵀ·v and v·aᵀ) plus an n-vector for the θ-gradient.
    @differentiable(reverse, wrt: (parameters, input))
    func affine(_ parameters: [Double], _ input: [Double]) -> [Double] {
        var output = [Double](repeating: 0, count: outWidth)
        parameters.withBaseAddress { theta in
            input.withBaseAddress { a in
                output.withMutableBaseAddress { z in
                    multiplyAdd(theta: theta, a: a, into: z)
                }
            }
        }
        return output
    }

    /// z = W·a + b on raw storage.
    @inline(__always)
    private func multiplyAdd(theta: UnsafePointer<Double>, a: UnsafePointer<Double>, into z: UnsafeMutablePointer<Double>) {
        for unit in 0..<outWidth {
            let row = theta + weightOffset + unit * inWidth
            var sum = theta[biasOffset + unit]
            for index in 0..<inWidth { sum += row[index] * a[index] }
            z[unit] = sum
        }
    }

    /// dθ gets v·aᵀ in W's block and v in b's block (zero elsewhere); da = Wᵀ·v.
    @derivative(of: affine, wrt: (parameters, input))
    func affineVJP(_ parameters: [Double], _ input: [Double]) -> (
        value: [Double], pullback: (Array<Double>.TangentVector) -> (Array<Double>.TangentVector, Array<Double>.TangentVector)
    ) {
        let value = affine(parameters, input)
        return (value, { cotangent in
            let v = cotangent.base
            if v.isEmpty { return (.zero, .zero) }
            return (.init(parameterGradient(count: parameters.count, input: input, cotangent: v)),
                    .init(inputGradient(parameters, cotangent: v)))
        })
    }

    /// da = Wᵀ·v only (the parameters held constant: a network's inputs).
    @derivative(of: affine, wrt: input)
    func affineInputVJP(_ parameters: [Double], _ input: [Double]) -> (
        value: [Double], pullback: (Array<Double>.TangentVector) -> Array<Double>.TangentVector
    ) {
        let value = affine(parameters, input)
        return (value, { cotangent in
            let v = cotangent.base
            if v.isEmpty { return .zero }
            return .init(inputGradient(parameters, cotangent: v))
        })
    }

    /// The n-vector v·aᵀ ⊕ v in this layer's block of θ.
    private func parameterGradient(count: Int, input: [Double], cotangent v: [Double]) -> [Double] {
        var gradient = [Double](repeating: 0, count: count)
        gradient.withMutableBaseAddress { g in
            input.withBaseAddress { a in
                v.withBaseAddress { v in
                    for unit in 0..<outWidth {
                        let row = g + weightOffset + unit * inWidth
                        let scale = v[unit]
                        for index in 0..<inWidth { row[index] = scale * a[index] }
                        g[biasOffset + unit] = scale
                    }
                }
            }
        }
        return gradient
    }

    /// Wᵀ·v, w_{l−1} values.
    private func inputGradient(_ parameters: [Double], cotangent v: [Double]) -> [Double] {
        var gradient = [Double](repeating: 0, count: inWidth)
        gradient.withMutableBaseAddress { g in
            parameters.withBaseAddress { theta in
                v.withBaseAddress { v in
                    for unit in 0..<outWidth {
                        let row = theta + weightOffset + unit * inWidth
                        let scale = v[unit]
                        for index in 0..<inWidth { g[index] += scale * row[index] }
                    }
                }
            }
        }
        return gradient
    }

    // MARK: A batch

    /// Z = A·Wᵀ + 1·bᵀ for a batch: A is S × w_{l−1} row-major, Z is S × w_l.
    ///
    /// - Complexity: one `dgemm`; its pullback two (Vᵀ·A for W, V·W for A) and column sums of V for b.
    @differentiable(reverse, wrt: (parameters, inputs))
    func affine(_ parameters: [Double], batch inputs: [Double], samples: Int) -> [Double] {
        var output = [Double](repeating: 0, count: samples * outWidth)
        parameters.withBaseAddress { theta in
            inputs.withBaseAddress { a in
                output.withMutableBaseAddress { z in
                    for sample in 0..<samples {
                        for unit in 0..<outWidth { z[sample * outWidth + unit] = theta[biasOffset + unit] }
                    }
                    gemm(
                        transposeA: false, transposeB: true, m: samples, n: outWidth, k: inWidth,
                        a: a, lda: inWidth, b: theta + weightOffset, ldb: inWidth, beta: 1, c: z, ldc: outWidth)
                }
            }
        }
        return output
    }

    /// dW = Vᵀ·A, db = Σ_s V[s, ·] in θ's layout; dA = V·W.
    @derivative(of: affine(_:batch:samples:), wrt: (parameters, inputs))
    func affineBatchVJP(_ parameters: [Double], batch inputs: [Double], samples: Int) -> (
        value: [Double], pullback: (Array<Double>.TangentVector) -> (Array<Double>.TangentVector, Array<Double>.TangentVector)
    ) {
        let value = affine(parameters, batch: inputs, samples: samples)
        return (value, { cotangent in
            let v = cotangent.base
            if v.isEmpty { return (.zero, .zero) }
            return (.init(batchParameterGradient(count: parameters.count, inputs: inputs, cotangent: v, samples: samples)),
                    .init(batchInputGradient(parameters, cotangent: v, samples: samples)))
        })
    }

    /// dA = V·W only (the parameters held constant).
    @derivative(of: affine(_:batch:samples:), wrt: inputs)
    func affineBatchInputVJP(_ parameters: [Double], batch inputs: [Double], samples: Int) -> (
        value: [Double], pullback: (Array<Double>.TangentVector) -> Array<Double>.TangentVector
    ) {
        let value = affine(parameters, batch: inputs, samples: samples)
        return (value, { cotangent in
            let v = cotangent.base
            if v.isEmpty { return .zero }
            return .init(batchInputGradient(parameters, cotangent: v, samples: samples))
        })
    }

    /// The n-vector Vᵀ·A ⊕ Σ_s V[s, ·] in this layer's block of θ.
    private func batchParameterGradient(count: Int, inputs: [Double], cotangent v: [Double], samples: Int) -> [Double] {
        var gradient = [Double](repeating: 0, count: count)
        gradient.withMutableBaseAddress { g in
            inputs.withBaseAddress { a in
                v.withBaseAddress { v in
                    gemm(
                        transposeA: true, transposeB: false, m: outWidth, n: inWidth, k: samples,
                        a: v, lda: outWidth, b: a, ldb: inWidth, beta: 0, c: g + weightOffset, ldc: inWidth)
                    for sample in 0..<samples {
                        for unit in 0..<outWidth { g[biasOffset + unit] += v[sample * outWidth + unit] }
                    }
                }
            }
        }
        return gradient
    }

    /// V·W, S × w_{l−1}.
    private func batchInputGradient(_ parameters: [Double], cotangent v: [Double], samples: Int) -> [Double] {
        var gradient = [Double](repeating: 0, count: samples * inWidth)
        gradient.withMutableBaseAddress { g in
            parameters.withBaseAddress { theta in
                v.withBaseAddress { v in
                    gemm(
                        transposeA: false, transposeB: false, m: samples, n: inWidth, k: outWidth,
                        a: v, lda: outWidth, b: theta + weightOffset, ldb: inWidth, beta: 0, c: g, ldc: inWidth)
                }
            }
        }
        return gradient
    }

    // MARK: The activation

    /// φ(z) elementwise, for one sample or a batch alike.
    @differentiable(reverse)
    func activate(_ z: [Double]) -> [Double] {
        let activation = activation
        return z.map { activation.differentiableValue($0) }
    }

    /// v ⊙ φ′(z), with φ′(z_i) the compiler's gradient of the scalar φ at z_i
    /// (`Activation.differentiableSlope`).
    @derivative(of: activate)
    func activateVJP(_ z: [Double]) -> (value: [Double], pullback: (Array<Double>.TangentVector) -> Array<Double>.TangentVector) {
        let activation = activation
        var value = [Double](repeating: 0, count: z.count)
        var slope = [Double](repeating: 0, count: z.count)
        for index in z.indices {
            value[index] = activation.differentiableValue(z[index])
            slope[index] = activation.differentiableSlope(z[index])
        }
        return (value, { cotangent in
            let v = cotangent.base
            if v.isEmpty { return .zero }
            var gradient = v
            for index in gradient.indices { gradient[index] *= slope[index] }
            return .init(gradient)
        })
    }
}

/// values − constant elementwise (a residual's observations), differentiable in `values`
/// with the identity as pullback.
@differentiable(reverse, wrt: values)
func subtracting(_ constant: [Double], from values: [Double]) -> [Double] {
    var result = values
    for index in result.indices { result[index] -= constant[index] }
    return result
}

@derivative(of: subtracting, wrt: values)
func subtractingVJP(_ constant: [Double], from values: [Double]) -> (
    value: [Double], pullback: (Array<Double>.TangentVector) -> Array<Double>.TangentVector
) {
    (subtracting(constant, from: values), { $0 })
}
