import Jacobians

/// JSON for ``FitResult`` and ``FitIteration`` that survives a fit that failed: NaN and ±∞ (the
/// cost of a fit that met non-finite residuals, an unknown gradient norm) are written as the
/// result bundles' strings `"NaN"`, `"Infinity"`, `"-Infinity"` instead of making the encoder
/// throw, and read back from them.
extension FitResult {
    enum CodingKeys: String, CodingKey {
        case solver, jacobianStrategy, parameters, parameterNames, cost, initialCost, iterations, residualEvaluations
        case jacobianEvaluations, gradientEvaluations, gradientNorm, status, message, timings, jacobianCost, trace
        case covariance, linearSolverUse, normalEquations, rankDeficientJacobians, convergence, linearSolverSwitch
        case boundsActive, loss, covarianceNote, matrixFree, conditionalStandardErrors, damping
    }

    /// Reads numbers or the bundles' strings for non-finite values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(decodingRequiredFrom: c)
        covarianceNote = try c.decodeIfPresent(String.self, forKey: .covarianceNote)
        matrixFree = try c.decodeIfPresent(MatrixFreeStatistics.self, forKey: .matrixFree)
        conditionalStandardErrors = try c.decodeIfPresent([Double].self, forKey: .conditionalStandardErrors)
        damping = try c.decodeIfPresent(String.self, forKey: .damping)
    }

    private init(decodingRequiredFrom c: KeyedDecodingContainer<CodingKeys>) throws {
        self.init(
            solver: try c.decode(String.self, forKey: .solver),
            jacobianStrategy: try c.decode(String.self, forKey: .jacobianStrategy),
            parameters: try c.decode([EncodedNumber].self, forKey: .parameters).map(\.value),
            parameterNames: try c.decodeIfPresent([String].self, forKey: .parameterNames),
            cost: try c.decode(EncodedNumber.self, forKey: .cost).value,
            initialCost: try c.decode(EncodedNumber.self, forKey: .initialCost).value,
            iterations: try c.decode(Int.self, forKey: .iterations),
            residualEvaluations: try c.decode(Int.self, forKey: .residualEvaluations),
            jacobianEvaluations: try c.decode(Int.self, forKey: .jacobianEvaluations),
            gradientEvaluations: try c.decode(Int.self, forKey: .gradientEvaluations),
            gradientNorm: try c.decode(EncodedNumber.self, forKey: .gradientNorm).value,
            status: try c.decode(FitStatus.self, forKey: .status),
            message: try c.decode(String.self, forKey: .message),
            timings: try c.decode(FitTimings.self, forKey: .timings),
            jacobianCost: try c.decode(JacobianCost.self, forKey: .jacobianCost),
            trace: try c.decode([FitIteration].self, forKey: .trace),
            covariance: try c.decodeIfPresent(FitCovariance.self, forKey: .covariance),
            linearSolverUse: try c.decode([String: Int].self, forKey: .linearSolverUse),
            normalEquations: try c.decode([String: Int].self, forKey: .normalEquations),
            rankDeficientJacobians: try c.decode(Int.self, forKey: .rankDeficientJacobians),
            convergence: try c.decodeIfPresent(FitConvergence.self, forKey: .convergence),
            linearSolverSwitch: try c.decodeIfPresent(String.self, forKey: .linearSolverSwitch),
            boundsActive: try c.decodeIfPresent([ActiveBound?].self, forKey: .boundsActive),
            loss: try c.decodeIfPresent(RobustLoss.self, forKey: .loss))
    }

    /// Writes non-finite numbers as strings.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(solver, forKey: .solver)
        try c.encode(jacobianStrategy, forKey: .jacobianStrategy)
        try c.encode(parameters.map(EncodedNumber.init), forKey: .parameters)
        try c.encodeIfPresent(parameterNames, forKey: .parameterNames)
        try c.encode(EncodedNumber(cost), forKey: .cost)
        try c.encode(EncodedNumber(initialCost), forKey: .initialCost)
        try c.encode(iterations, forKey: .iterations)
        try c.encode(residualEvaluations, forKey: .residualEvaluations)
        try c.encode(jacobianEvaluations, forKey: .jacobianEvaluations)
        try c.encode(gradientEvaluations, forKey: .gradientEvaluations)
        try c.encode(EncodedNumber(gradientNorm), forKey: .gradientNorm)
        try c.encode(status, forKey: .status)
        try c.encode(message, forKey: .message)
        try c.encode(timings, forKey: .timings)
        try c.encode(jacobianCost, forKey: .jacobianCost)
        try c.encode(trace, forKey: .trace)
        try c.encodeIfPresent(covariance, forKey: .covariance)
        try c.encode(linearSolverUse, forKey: .linearSolverUse)
        try c.encode(normalEquations, forKey: .normalEquations)
        try c.encode(rankDeficientJacobians, forKey: .rankDeficientJacobians)
        try c.encodeIfPresent(convergence, forKey: .convergence)
        try c.encodeIfPresent(linearSolverSwitch, forKey: .linearSolverSwitch)
        try c.encodeIfPresent(damping, forKey: .damping)
        try c.encodeIfPresent(boundsActive, forKey: .boundsActive)
        try c.encodeIfPresent(loss, forKey: .loss)
        try c.encodeIfPresent(covarianceNote, forKey: .covarianceNote)
        try c.encodeIfPresent(matrixFree, forKey: .matrixFree)
        try c.encodeIfPresent(conditionalStandardErrors, forKey: .conditionalStandardErrors)
    }
}

extension FitIteration {
    enum CodingKeys: String, CodingKey { case iteration, cost, damping, stepNorm, gradientNorm, accepted, elapsedSeconds, inner }

    /// Reads numbers or the bundles' strings for non-finite values.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            iteration: try c.decode(Int.self, forKey: .iteration), cost: try c.decode(EncodedNumber.self, forKey: .cost).value,
            damping: try c.decode(EncodedNumber.self, forKey: .damping).value,
            stepNorm: try c.decode(EncodedNumber.self, forKey: .stepNorm).value,
            gradientNorm: try c.decode(EncodedNumber.self, forKey: .gradientNorm).value,
            accepted: try c.decode(Bool.self, forKey: .accepted), elapsedSeconds: try c.decode(EncodedNumber.self, forKey: .elapsedSeconds).value)
        inner = try c.decodeIfPresent(InnerSolveRecord.self, forKey: .inner)
    }

    /// Writes non-finite numbers as strings.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(iteration, forKey: .iteration)
        try c.encode(EncodedNumber(cost), forKey: .cost)
        try c.encode(EncodedNumber(damping), forKey: .damping)
        try c.encode(EncodedNumber(stepNorm), forKey: .stepNorm)
        try c.encode(EncodedNumber(gradientNorm), forKey: .gradientNorm)
        try c.encode(accepted, forKey: .accepted)
        try c.encode(EncodedNumber(elapsedSeconds), forKey: .elapsedSeconds)
        try c.encodeIfPresent(inner, forKey: .inner)
    }
}
