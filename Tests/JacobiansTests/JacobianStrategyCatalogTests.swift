import Jacobians
import LinearAlgebra
import NeuralNetworks
import Testing

/// A user's map with no optional capability: f(x) = (x₀·x₁, sin x₀ + x₁²).
final class PlainMap: DifferentiableMap {
    var inputCount: Int { 2 }
    var outputCount: Int { 2 }
    func evaluate(at x: [Double], into output: inout [Double]) {
        output = [x[0] * x[1], sinApproximation(x[0]) + x[1] * x[1]]
    }
    func pushforward(at x: [Double], tangents: Matrix, into result: inout Matrix) {
        result = multiply(jacobian(x), tangents)
    }
    func pullback(at x: [Double], cotangents: Matrix, into result: inout Matrix) {
        result = multiply(cotangents, jacobian(x))
    }
    private func jacobian(_ x: [Double]) -> Matrix { Matrix([[x[1], x[0]], [cosApproximation(x[0]), 2 * x[1]]]) }
    // Polynomial stand-ins for sin/cos (degree 7 and 6), mutually consistent derivatives.
    private func sinApproximation(_ t: Double) -> Double { t - t * t * t / 6 + t * t * t * t * t / 120 - t * t * t * t * t * t * t / 5040 }
    private func cosApproximation(_ t: Double) -> Double { 1 - t * t / 2 + t * t * t * t / 24 - t * t * t * t * t * t / 720 }
}

@Suite struct JacobianStrategyCatalogTests {
    @Test func everyNameBuildsItsStrategy() throws {
        #expect(JacobianStrategyCatalog.names == [
            "reverse-loop", "forward-loop", "reverse-vectorized", "forward-vectorized", "per-sample",
            "forward-difference", "central-difference", "ridders", "complex-step", "swift-autodiff", "auto",
        ])
        for name in JacobianStrategyCatalog.names {
            #expect(try JacobianStrategyCatalog.strategy(named: name).name == name)
        }
        let chunked = try JacobianStrategyCatalog.strategy(named: "forward-vectorized", options: .init(chunk: 8))
        #expect((chunked as? ForwardVectorized)?.chunk == 8)
    }

    @Test func unknownNamesAndBadOptionsAreExplained() {
        #expect {
            try JacobianStrategyCatalog.strategy(named: "per_sample")
        } throws: { error in
            "\(error)".contains("did you mean 'per-sample'")
        }
        #expect(throws: JacobianStrategyCatalogError.self) {
            try JacobianStrategyCatalog.strategy(named: "reverse-vectorized", options: .init(chunk: 0))
        }
        #expect(throws: JacobianStrategyCatalogError.self) {
            try JacobianStrategyCatalog.strategy(named: "auto", options: .init(pinned: "fastest"))
        }
    }

    @Test func capabilityStrategiesAreNotApplicableWithAReason() throws {
        let map = PlainMap()
        let reasons = Dictionary(uniqueKeysWithValues: JacobianStrategyCatalog.applicability(for: map).map { ($0.name, $0.notApplicable) })
        #expect(reasons["per-sample"]??.contains("per-sample") == true)
        #expect(reasons["complex-step"]??.contains("complex") == true)
        #expect(reasons["swift-autodiff"]??.contains("Swift") == true)
        #expect(reasons["forward-vectorized"] == .some(nil))
        #expect(throws: StrategyNotApplicable.self) { try PerSampleGradients().jacobian(of: map, at: [0.3, 0.4]) }
        // The generic strategies still work on it.
        for name in ["reverse-loop", "forward-loop", "reverse-vectorized", "central-difference", "auto"] {
            let report = try JacobianConformance.check(try JacobianStrategyCatalog.strategy(named: name), on: map, at: [0.3, -0.7])
            #expect(report.passed, "\(report)")
        }
    }
}

@Suite struct AutoStrategyTests {
    static func calibration(perSample: Double?, evaluation: Double = 1e-5) -> AutoCalibration {
        AutoCalibration(
            evaluation: evaluation, pushforwardFixed: 1e-5, pushforwardPerLane: 1e-6,
            pullbackFixed: 1e-5, pullbackPerLane: 1e-6, perSample: perSample, complexEvaluation: 1e-4)
    }

    @Test func recordsItsCalibratedDecisionAndMatchesTheChosenStrategy() throws {
        let (map, theta) = ConformanceModel.forum5x9x3Tanh.make()
        let auto = AutoStrategy(calibrates: true)
        #expect(auto.lastDecision == nil)
        let jacobian = try auto.jacobian(of: map, at: theta)
        let decision = try #require(auto.lastDecision)
        #expect(decision.strategy.isExact)
        #expect(!decision.pinned)
        #expect(!decision.predictedSeconds.isEmpty)
        #expect(decision.predictedSeconds[decision.chosen] == decision.predictedSeconds.values.min())
        #expect(decision.reason.contains("n = 84, m = 576, S = 192, p = 3"))
        #expect(decision.excluded["forward-difference"] != nil)
        let reference = try ForwardVectorized().jacobian(of: map, at: theta)
        #expect(JacobianConformance.relativeDifference(jacobian, reference) <= 1e-12)
    }

    @Test func costModelPicksTheCheapestPrediction() {
        let (map, _) = ConformanceModel.forum5x9x3Tanh.make()
        let cheapPerSample = AutoStrategy.choose(for: map, calibration: Self.calibration(perSample: 1e-6), allowInexact: false)
        #expect(cheapPerSample.chosen == "per-sample")
        // forward-vectorized: 1e-5 + 84e-6 < reverse-vectorized: 1e-5 + 576e-6.
        let noPerSample = AutoStrategy.choose(for: map, calibration: Self.calibration(perSample: nil), allowInexact: false)
        #expect(noPerSample.chosen == "forward-vectorized")
        #expect(noPerSample.excluded["per-sample"] != nil)
    }

    @Test func neverInexactUnlessAllowed() {
        let (map, _) = ConformanceModel.forum5x9x3Tanh.make()
        let cheapEvaluation = Self.calibration(perSample: nil, evaluation: 1e-9)
        #expect(AutoStrategy.choose(for: map, calibration: cheapEvaluation, allowInexact: false).strategy.isExact)
        #expect(AutoStrategy.choose(for: map, calibration: cheapEvaluation, allowInexact: true).chosen == "forward-difference")
    }

    @Test(arguments: [
        // (available lanes, seconds per one-lane call, budget, expected K)
        (84, 1e-6, 2e-3, 64),      // cheap lanes: the full 64
        (10, 1e-6, 2e-3, 10),      // never more lanes than inputs
        (1021, 1.1e-3, 4.8e-3, 16), // scale case: 4 affordable, clamped up to 16
        (1021, 1e-4, 2e-3, 20),    // 20 affordable
        (1, 1e-3, 2e-3, 2),        // at least 2 (the slope needs two points)
        (500, 0, 2e-3, 64),        // an unmeasurably fast lane
    ])
    func calibrationLanesFollowTheBudget(available: Int, oneLane: Double, budget: Double, expected: Int) {
        #expect(AutoStrategy.calibrationLanes(available: available, oneLane: oneLane, budget: budget) == expected)
    }

    @Test func complexStepIsNotCalibratedWhenItsLowerBoundLosesToPerSample() throws {
        // n·t_eval = 84 × 1e-4 s = 8.4 ms ≥ per-sample's 1 ms: ruled out with the figures in the reason.
        let reason = try #require(
            AutoStrategy.complexStepLowerBoundExceedsPerSample(inputCount: 84, evaluation: 1e-4, perSample: 1e-3))
        #expect(reason.contains("n = 84") && reason.contains("8400.0 µs") && reason.contains("1000.0 µs"))
        #expect(AutoStrategy.complexStepLowerBoundExceedsPerSample(inputCount: 84, evaluation: 1e-6, perSample: 1e-3) == nil)
        #expect(AutoStrategy.complexStepLowerBoundExceedsPerSample(inputCount: 84, evaluation: 1e-4, perSample: nil) == nil)
        // The decision then lists complex-step as excluded with that reason, not as a candidate.
        let (map, _) = ConformanceModel.forum5x9x3Tanh.make()
        let calibration = AutoCalibration(
            evaluation: 1e-4, pushforwardFixed: 1e-5, pushforwardPerLane: 1e-6,
            pullbackFixed: 1e-5, pullbackPerLane: 1e-6, perSample: 1e-3, complexEvaluation: nil)
        let decision = AutoStrategy.choose(for: map, calibration: calibration, allowInexact: false)
        #expect(decision.predictedSeconds["complex-step"] == nil)
        #expect(decision.excluded["complex-step"] == reason)
    }

    @Test func calibrationTimesComplexStepExactlyWhenItsLowerBoundCouldWin() {
        // Complex evaluation is timed if and only if n·t_eval < t_per-sample.
        let (map, theta) = ConformanceModel.forum5x9x3Tanh.make()
        let calibration = AutoStrategy.calibrate(map, at: theta)
        #expect(calibration.perSample != nil)
        if Double(map.inputCount) * calibration.evaluation < (calibration.perSample ?? 0) {
            #expect(calibration.complexEvaluation != nil)
        } else {
            #expect(calibration.complexEvaluation == nil)
        }
    }

    @Test func pinningOverridesTheModel() throws {
        let (map, theta) = ConformanceModel.forum5x9x3Tanh.make()
        let auto = try AutoStrategy(pinned: "reverse-loop")
        var jacobian = Matrix(rows: 0, columns: 0)
        let cost = try auto.jacobian(of: map, at: theta, into: &jacobian)
        #expect(auto.lastDecision?.chosen == "reverse-loop")
        #expect(auto.lastDecision?.pinned == true)
        #expect(cost.pullbacks == 576)
        let pinnedToCapability = try AutoStrategy(pinned: "complex-step")
        #expect(pinnedToCapability.inapplicabilityReason(for: PlainMap()) != nil)
    }
}
