import Foundation
import Solvers
import Testing
import YAMLDecoding
@testable import Pipeline

/// Sizes are predicted from the manifest with checked arithmetic and held against the
/// memory budget before anything is built.
@Suite struct MemoryBudgetTests {
    static let file = "/tmp/memory-budget.yaml"

    static func manifest(data: String, model: String = "{kind: mlp, layers: [5, 30, 3]}", extra: String = "") -> String {
        "name: m\ndata: \(data)\nmodel: \(model)\n\(extra)"
    }

    static let teacher = "{kind: teacher-mlp, layers: [5, 30, 3], samples: 192}"

    /// A multi-megabyte description is refused (it would be copied into every report).
    @Test func aHugeDescriptionIsRefused() throws {
        let text = "description: \"" + String(repeating: "x", count: 5_000_000) + "\"\n" + Self.manifest(data: Self.teacher)
        let error = try #require(throws: YAMLError.self) { _ = try ExperimentPlan.plan(text: text, path: Self.file, registry: .standard) }
        #expect(error.message.contains("the description has 5000000 bytes, more than 4096"), "\(error.message.prefix(300))")
        #expect(error.description.count < 400, "the value itself is not echoed")
    }

    @Test func theBudgetIsTheSmallerOfPhysicalMemoryAndTheCgroupLimit() {
        #expect(MemoryBudget.detect(physicalBytes: 8 << 30, cgroupLimit: (2 << 30, "memory.max"))
            == MemoryBudget(bytes: 2 << 30, source: "cgroup memory.max"))
        #expect(MemoryBudget.detect(physicalBytes: 8 << 30, cgroupLimit: (16 << 30, "memory.max"))
            == MemoryBudget(bytes: 8 << 30, source: "physical memory"))
        #expect(MemoryBudget.detect(physicalBytes: 8 << 30, cgroupLimit: nil).source == "physical memory")
        #expect(MemoryBudget.resolve(memoryCap: 1 << 20, system: MemoryBudget(bytes: 8 << 30, source: "x"))
            == MemoryBudget(bytes: 1 << 20, source: "limits.memory-cap"))
    }

    @Test func cgroupFilesAreReadV2FirstAndMaxMeansNone() {
        let v2 = MemoryBudget.cgroupLimitBytes { $0 == "/sys/fs/cgroup/memory.max" ? "4294967296\n" : nil }
        #expect(v2?.bytes == 4_294_967_296 && v2?.file == "memory.max")
        #expect(MemoryBudget.cgroupLimitBytes { $0 == "/sys/fs/cgroup/memory.max" ? "max\n" : nil } == nil)
        let v1 = MemoryBudget.cgroupLimitBytes { $0.hasSuffix("memory.limit_in_bytes") ? "1073741824" : nil }
        #expect(v1?.bytes == 1_073_741_824 && v1?.file == "memory/memory.limit_in_bytes")
        // cgroup v1's "no limit" is a number near Int.max.
        #expect(MemoryBudget.cgroupLimitBytes { $0.hasSuffix("memory.limit_in_bytes") ? "9223372036854771712" : nil } == nil)
    }

    /// 10¹⁴ samples would take petabytes and hours to draw: the refusal comes from the
    /// configuration alone, so this test returning at all shows nothing was built.
    @Test func dataOverTheBudgetIsAnInputErrorAtTheDataSection() throws {
        let text = Self.manifest(data: "{kind: teacher-mlp, layers: [5, 30, 3], samples: 100000000000000}")
        let error = try #require(throws: YAMLError.self) {
            _ = try ExperimentPlan.plan(text: text, path: Self.file, registry: .standard, memoryBudget: MemoryBudget(bytes: 1 << 30, source: "test"))
        }
        #expect(error.keyPath == "data")
        #expect(error.message.contains("the data alone is predicted to hold") && error.message.contains("more than the memory budget 1.0 GiB (test)"), "\(error.message)")
    }

    @Test func aModelOverTheBudgetIsAnInputErrorAtTheModelSection() throws {
        let text = Self.manifest(data: Self.teacher, model: "{kind: mlp, layers: [5, 100000, 3]}")
        let error = try #require(throws: YAMLError.self) {
            _ = try ExperimentPlan.plan(text: text, path: Self.file, registry: .standard, memoryBudget: MemoryBudget(bytes: 64 << 20, source: "test"))
        }
        #expect(error.keyPath == "model", "\(error)")
    }

    @Test func aSizeOverflowNamesTheField() throws {
        let text = Self.manifest(data: "{kind: teacher-mlp, layers: [5, 30, 3], samples: 192, test-samples: 9223372036854775000}")
        let error = try #require(throws: YAMLError.self) { _ = try ExperimentPlan.plan(text: text, path: Self.file, registry: .standard) }
        #expect(error.keyPath == "data.test-samples", "\(error)")
        #expect(error.message.hasPrefix("size overflows"), "\(error)")
    }

    /// Under a limits: section a case over its memory cap is planned, then recorded as
    /// skipped without building its data.
    @Test func underALimitsSectionACaseOverItsCapIsRecordedAsSkipped() throws {
        let text = Self.manifest(data: "{kind: teacher-mlp, layers: [5, 30, 3], samples: 100000}", extra: "limits: {memory-cap: 1 MiB}\n")
        let plan = try ExperimentPlan.plan(text: text, path: Self.file, registry: .standard)
        let plannedCase = try #require(plan.cases.first)
        let reason = try #require(plannedCase.overMemoryBudget)
        #expect(reason.contains("more than the memory budget 1.0 MiB (limits.memory-cap)"), "\(reason)")
        let record = try CaseExecution.run(plannedCase, cancellation: CancellationFlag())
        #expect(record.status == .skipped)
        #expect(record.error == reason)
    }

    /// Data and model fit, but J (576 × 273 doubles, 1.2 MiB) does not: without limits a case
    /// whose dense fit forms J (here told to take JᵀJ from J) fails with the reason before any
    /// strategy allocates it; with limits it is skipped.
    @Test func aJacobianOverTheBudgetIsRefusedBeforeAnyStrategyRuns() throws {
        let budget = MemoryBudget(bytes: 800 << 10, source: "test")
        let fit = "solver: {kind: levenberg-marquardt, linear-solver: cholesky, normal-equations: from-jacobian}\n"
        let plan = try ExperimentPlan.plan(text: Self.manifest(data: Self.teacher, extra: fit), path: Self.file, registry: .standard, memoryBudget: budget)
        let plannedCase = try #require(plan.cases.first)
        #expect(plannedCase.overMemoryBudget == nil)
        let record = try CaseExecution.run(plannedCase, cancellation: CancellationFlag())
        #expect(record.status == .failed)
        #expect(record.error?.contains("the Jacobian alone (M = 576 × N = 273 doubles) needs 1.2 MiB, more than the memory budget 800.0 KiB (test)") == true, "\(record.error ?? "")")
        #expect(record.fit == nil, "the solver never ran")

        let bounded = try ExperimentPlan.plan(
            text: Self.manifest(data: Self.teacher, extra: fit + "limits: {memory-cap: 800 KiB}\n"), path: Self.file, registry: .standard)
        let skipped = try CaseExecution.run(try #require(bounded.cases.first), cancellation: CancellationFlag())
        #expect(skipped.status == .skipped, "\(skipped.error ?? "")")
    }

    /// The same shape over 400 samples (J 1,200 × 273 doubles, 2.6 MB) under 1.5 MB: the network
    /// assembles JᵀJ (1.2 MB with its factor) without J, so the dense fit is neither refused nor,
    /// under a limits: section, skipped for J; it runs, forms no Jacobian, and takes its
    /// covariance from JᵀJ.
    @Test func aFitOnNormalEquationsTheNetworkAssemblesIsNotRefusedForJ() throws {
        let budget = MemoryBudget(bytes: 1_500_000, source: "test")
        let data = "{kind: teacher-mlp, layers: [5, 30, 3], samples: 400}"
        let settings = [
            "solver: {kind: levenberg-marquardt, max-iterations: 3}\n",
            "solver: {kind: levenberg-marquardt, max-iterations: 3, linear-solver: cholesky}\n",
            "solver: {kind: levenberg-marquardt, max-iterations: 3}\nlimits: {memory-cap: 1465 KiB}\n",
        ]
        for solver in settings {
            let plan = try ExperimentPlan.plan(
                text: Self.manifest(data: data, extra: solver), path: Self.file, registry: .standard, memoryBudget: budget)
            let record = try CaseExecution.run(try #require(plan.cases.first), cancellation: CancellationFlag())
            #expect(record.status == .ok, "\(solver): \(record.error ?? "")")
            let fit = try #require(record.fit)
            #expect(fit.matrixFree == nil && fit.jacobianEvaluations == 0, "\(solver)")
            #expect(fit.standardErrors?.count == 273, "\(solver): the covariance from JᵀJ")
        }
        let fromJacobian = try ExperimentPlan.plan(
            text: Self.manifest(data: data, extra: "solver: {kind: levenberg-marquardt, linear-solver: cholesky, normal-equations: from-jacobian}\n"),
            path: Self.file, registry: .standard, memoryBudget: budget)
        let refused = try CaseExecution.run(try #require(fromJacobian.cases.first), cancellation: CancellationFlag())
        #expect(refused.status == .failed && refused.error?.contains("the Jacobian alone (M = 1200 × N = 273 doubles)") == true, "\(refused.error ?? "")")
    }

    /// 10⁶ samples of the scale network (`experiments/many-samples.yaml`) under a 1 GiB cap: the
    /// data (16 MB of samples; the teacher evaluates them block by block) and the model (its
    /// residual map's inputs, outputs and residuals) are predicted at tens of megabytes, not the
    /// 976 MB that activations and derivatives over every sample would take, so the case is
    /// planned; a cap below the samples themselves still skips it.
    @Test func aMillionSampleFitIsPlannedUnderOneGiB() throws {
        let manifest = Self.manifest(
            data: "{kind: teacher-mlp, layers: [1, 30, 30, 1], samples: 1000000}", model: "{kind: mlp, layers: [1, 30, 30, 1]}",
            extra: "solver: {kind: levenberg-marquardt, max-iterations: 2}\n")
        let plan = try ExperimentPlan.plan(text: manifest + "limits: {memory-cap: 1 GiB}\n", path: Self.file, registry: .standard)
        let plannedCase = try #require(plan.cases.first)
        #expect(plannedCase.overMemoryBudget == nil, "\(plannedCase.overMemoryBudget ?? "")")
        let predicted = try #require(plannedCase.predictedStageBytes)
        let samples = 1_000_000 * 2 * 8, sweeps = 2 * 1_000_000 * 61 * 8
        #expect(predicted >= samples && predicted < 100_000_000 && predicted < sweeps / 8, "\(predicted)")
        let tight = try ExperimentPlan.plan(text: manifest + "limits: {memory-cap: 15 MiB}\n", path: Self.file, registry: .standard)
        #expect(try #require(tight.cases.first).overMemoryBudget?.contains("the data alone is predicted to hold") == true)
    }

    /// The minimum peak a bounded case is checked against follows how its stages differentiate
    /// the residuals: J's strategy peak when one forms J, the network's activations and
    /// derivatives over every sample and one lane (2 × S × Σw + 2 × S × max w doubles) for a
    /// matrix-free or first-order fit,
    /// nothing for a fit on normal equations the network sums over sample blocks, or when
    /// nothing differentiates.
    @Test func theMinimumPeakFollowsHowTheStagesDifferentiate() throws {
        let data = "{kind: teacher-mlp, layers: [5, 30, 3], samples: 400}"
        let sweeps = 2 * 400 * (30 + 3) * 8 + 2 * 30 * 400 * 8, jacobian = 1200 * 273 * 8
        let small = MemoryBudget(bytes: 1_500_000, source: "test")
        let cases: [(solver: String, budget: MemoryBudget?, use: ResidualDerivativeUse?, peak: ClosedRange<Int>)] = [
            ("{kind: levenberg-marquardt, linear-solver: cg}", nil, .wholeBatchSweeps, sweeps...sweeps),
            ("{kind: adam, max-iterations: 3}", nil, .wholeBatchSweeps, sweeps...sweeps),
            ("{kind: levenberg-marquardt}", small, .sampleBlocks, 0...0),
            ("{kind: levenberg-marquardt, linear-solver: cholesky, normal-equations: from-jacobian}", small, .jacobian, (jacobian + sweeps)...(4 * jacobian)),
            ("null", nil, nil, 0...0),
        ]
        for item in cases {
            let plan = try ExperimentPlan.plan(
                text: Self.manifest(data: data, extra: "solver: \(item.solver)\n"), path: Self.file, registry: .standard,
                memoryBudget: item.budget ?? .system)
            let plannedCase = try #require(plan.cases.first)
            let environment = StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory)
            let built = try plannedCase.data.run(environment, ())
            let model = try plannedCase.model.run(environment, built)
            let residuals = try model.residualMap(on: built.training)
            let use = JacobianBudget.derivativeUse(
                plannedCase, problem: JacobianBudget.fitProblem(plannedCase, data: built, model: model, residuals: residuals))
            #expect(use == item.use, "\(item.solver)")
            let estimate = try CaseEstimate.build(plannedCase, forwardSeconds: 1e-4)
            #expect(item.peak.contains(estimate.minimumPeakBytes), "\(item.solver): \(estimate.minimumPeakBytes) (\(estimate.minimumPeakDetail))")
            // The run estimate times a forward pass unless the case will be refused for memory
            // (here only the one forming J, 2.6 MB, over 1.5 MB).
            let timed = try CaseEstimate.build(plannedCase)
            #expect((timed.forwardSeconds == 0) == (item.use == .jacobian), "\(item.solver): \(timed.forwardSeconds) s")
        }
    }

    /// 40,960 samples of 1 → 3,000 → 1: data and model fit 1 GiB (the model evaluates in sample
    /// blocks), but one sweep over every sample at once (activations, derivatives and a lane:
    /// 3.9 GB) does not. A matrix-free or first-order fit is refused before it allocates them,
    /// with the sizes; under a `limits:` section it is skipped by its predicted minimum peak.
    @Test func aSweepOverAllSamplesOverTheBudgetIsRefusedBeforeAnySweep() throws {
        let data = "{kind: function, formula: \"y = sin(x1)\", axes: [{name: x1, lower: 0, upper: 1}], samples: 40960}"
        let model = "{kind: mlp, layers: [1, 3000, 1]}"
        for solver in ["{kind: levenberg-marquardt, linear-solver: cg, max-iterations: 2}", "{kind: adam, max-iterations: 2}"] {
            let text = Self.manifest(data: data, model: model, extra: "solver: \(solver)\n")
            let plan = try ExperimentPlan.plan(
                text: text, path: Self.file, registry: .standard, memoryBudget: MemoryBudget(bytes: 1 << 30, source: "test"))
            let plannedCase = try #require(plan.cases.first)
            #expect(plannedCase.overMemoryBudget == nil)
            let record = try CaseExecution.run(plannedCase, cancellation: CancellationFlag())
            #expect(record.status == .failed, "\(solver)")
            #expect(record.error?.contains("a sweep over all 40960 samples at once (the network's activations, their derivatives and one lane) needs 3.7 GiB, more than the memory budget 1.0 GiB (test)") == true, "\(solver): \(record.error ?? "")")
            #expect(record.fit == nil, "\(solver): the solver never ran")
            #expect(try CaseEstimate.build(plannedCase).forwardSeconds == 0, "\(solver): a refused case's forward pass is not timed")

            let bounded = try ExperimentPlan.plan(text: text + "limits: {memory-cap: 1 GiB}\n", path: Self.file, registry: .standard)
            let skipped = try CaseExecution.run(try #require(bounded.cases.first), cancellation: CancellationFlag())
            #expect(skipped.status == .skipped && skipped.error?.contains("for single-lane sweeps over all samples at once") == true, "\(solver): \(skipped.error ?? "")")
        }
    }

    /// The same case with `linear-solver: auto`: the dense normal equations (2 × 273² doubles,
    /// 1.2 MB) do not fit 800 KiB, so the fit goes matrix-free, never forms J, and runs.
    @Test func autoGoesMatrixFreeWhenTheDenseSystemsDoNotFitTheBudget() throws {
        let budget = MemoryBudget(bytes: 800 << 10, source: "test")
        let fit = "solver: {kind: levenberg-marquardt, max-iterations: 3}\n"
        let plan = try ExperimentPlan.plan(text: Self.manifest(data: Self.teacher, extra: fit), path: Self.file, registry: .standard, memoryBudget: budget)
        let record = try CaseExecution.run(try #require(plan.cases.first), cancellation: CancellationFlag())
        #expect(record.status == .ok, "\(record.error ?? "")")
        let statistics = try #require(record.fit?.matrixFree)
        #expect(statistics.linearSolver == "cg")
        #expect(statistics.reason == "auto: the dense normal equations need 1.2 MB, over the memory budget of 0.8 MB", "\(statistics.reason)")
        #expect(record.fit?.iterations == 3)
    }

    /// 10 axes of 10 values: 10¹⁰ combinations, refused from the axes' lengths (building
    /// them would exhaust memory long before an answer).
    @Test func aSweepIsCountedFromItsShapeBeforeExpansion() throws {
        var sweep = "sweep:\n"
        for axis in 0..<10 { sweep += "  data.x\(axis): [" + (0..<10).map(String.init).joined(separator: ", ") + "]\n" }
        let node = try YAMLParser.parse(sweep, file: Self.file)
        let error = try #require(throws: YAMLError.self) { _ = try SweepAxis.assignments(from: try #require(node["sweep"]), maximumCases: 100_000) }
        #expect(error.message.contains("10000000000 combinations, more than limits.max-cases = 100000"), "\(error)")
        var three = "sweep:\n"
        for axis in 0..<3 { three += "  data.x\(axis): [" + (0..<10).map(String.init).joined(separator: ", ") + "]\n" }
        let threeAxes = try #require(try YAMLParser.parse(three, file: Self.file)["sweep"])
        #expect(throws: YAMLError.self) { _ = try SweepAxis.assignments(from: threeAxes, maximumCases: 999) }
        #expect(try SweepAxis.assignments(from: threeAxes, maximumCases: 1000).grid.count == 1000)
    }
}
