import NeuralNetworks

/// A network's parameters under the names of a PyTorch `torch.nn.Sequential` of `Linear` and
/// activation modules: layer l (0-based) is module 2l, so `0.weight` (shape [w₁, d]), `0.bias`,
/// `2.weight`, … — every hidden layer is followed by its activation module (`nn.Identity`
/// for identity), which holds no tensors. Weights are [out, in] row-major, as this network
/// stores them, so the values are copied as they are.
extension MultilayerPerceptron {
    /// The tensors `safetensors.torch.load_file` returns for this network.
    public var safetensors: [Safetensors.Tensor] {
        (0..<(layerWidths.count - 1)).flatMap { layer -> [Safetensors.Tensor] in
            let inWidth = layerWidths[layer], outWidth = layerWidths[layer + 1]
            let weights = Array(parameters[weightOffsets[layer]..<(weightOffsets[layer] + outWidth * inWidth)])
            let biases = Array(parameters[biasOffsets[layer]..<(biasOffsets[layer] + outWidth)])
            return [
                Safetensors.Tensor(name: "\(2 * layer).weight", shape: [outWidth, inWidth], values: weights),
                Safetensors.Tensor(name: "\(2 * layer).bias", shape: [outWidth], values: biases),
            ]
        }
    }

    /// This network with its parameters from `tensors` (names and shapes as ``safetensors``).
    ///
    /// - Throws: ``SafetensorsError`` naming a missing tensor, a wrong shape, a non-finite
    ///   value or a tensor this network has no place for.
    public func loading(_ tensors: [String: Safetensors.Tensor]) throws(SafetensorsError) -> MultilayerPerceptron {
        var network = self
        var expected: Set<String> = []
        for tensor in safetensors {
            expected.insert(tensor.name)
            guard let given = tensors[tensor.name] else {
                throw SafetensorsError("tensor '\(tensor.name)' (shape \(tensor.shape)) is missing for the network \(layerWidths)")
            }
            guard given.shape == tensor.shape else {
                throw SafetensorsError("tensor '\(tensor.name)' has shape \(given.shape), the network \(layerWidths) needs \(tensor.shape)")
            }
            guard given.values.allSatisfy(\.isFinite) else { throw SafetensorsError("tensor '\(tensor.name)' holds NaN or infinity") }
            let layer = Int(tensor.name.prefix { $0.isNumber })! / 2
            let offset = tensor.name.hasSuffix(".weight") ? weightOffsets[layer] : biasOffsets[layer]
            network.parameters.replaceSubrange(offset..<(offset + given.values.count), with: given.values)
        }
        if let extra = tensors.keys.sorted().first(where: { !expected.contains($0) }) {
            throw SafetensorsError("the file has a tensor the network \(layerWidths) has no place for (\(extra.count <= 40 ? extra : String(extra.prefix(40)) + "…"))")
        }
        return network
    }
}
