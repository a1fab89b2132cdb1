import Jacobians

extension PeerCase {
    /// The case `jacobench export-case` writes: runs `plannedCase`'s data and model stages (no
    /// solver, no evaluations) and exports the model at its initial parameters with the
    /// reference Jacobian of the manifest's `jacobian.reference` strategy — left out, with the
    /// reason, when m·n is over ``jacobianValueLimit`` (``attachReference(_:of:at:valueLimit:)``).
    /// Data drawn from a teacher network adds its ``teacherCost`` and, with `test-samples`, the
    /// held-out samples (``testInputs``, ``testTargets``).
    ///
    /// - Throws: the stages' errors, ``PeerCaseError`` when the model is not an MLP.
    /// - Complexity: O(m + n) memory (the data, the network and its per-sample activations)
    ///   past the limit; nothing of size m·n or n² is built.
    public static func exported(from plannedCase: PlannedCase, name: String) throws -> PeerCase {
        let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory)
        let data = try plannedCase.data.run(environment, ())
        let model = try plannedCase.model.run(environment, data)
        var (peerCase, map, point) = try differentiated(
            name: name, model: model, data: data.training, parameters: model.initialParameters,
            withRespectTo: plannedCase.jacobian.withRespectTo)
        peerCase.teacherCost = data.split.teacherCost
        if let test = data.test {
            peerCase.testInputs = test.inputs
            peerCase.testTargets = test.targets
        }
        try peerCase.attachReference(
            JacobianStrategyCatalog.strategy(named: plannedCase.jacobian.reference), of: map, at: point)
        return peerCase
    }
}
