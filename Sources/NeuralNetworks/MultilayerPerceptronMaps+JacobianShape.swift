import Jacobians

extension MultilayerPerceptronResidualMap: JacobianShapeDescribing {
    /// The network's widths over its samples, with respect to its parameters.
    public var jacobianShape: JacobianShape {
        .multilayerPerceptron(layers: network.layerWidths, samples: sampleCount, variables: .parameters)
    }
}

extension MultilayerPerceptronInputMap: JacobianShapeDescribing {
    /// The network's widths over its points, with respect to their inputs.
    public var jacobianShape: JacobianShape {
        .multilayerPerceptron(layers: network.layerWidths, samples: pointCount, variables: .inputs)
    }
}
