import Foundation
import JSONDocuments
@testable import Pipeline
import Testing

/// The matrix-free fit in the pipeline: its trace columns and metrics, the teacher-cost
/// yardsticks, and a `max-time` stop whose metrics are not called deterministic.
@Suite struct MatrixFreeFitTests {
    static let file = "/tmp/matrix-free.yaml"

    static func manifest(solver: String) -> String {
        """
        name: mf
        data: {kind: teacher-mlp, layers: [1, 12, 12, 1], samples: 300, test-samples: 50, noise: 0.01}
        model: {kind: mlp, layers: [1, 12, 12, 1]}
        solver: \(solver)
        evaluation: [{kind: fit}]
        """
    }

    static func run(solver: String) throws -> CaseRecord {
        let plan = try ExperimentPlan.plan(text: manifest(solver: solver), path: file, registry: .standard)
        return try CaseExecution.run(try #require(plan.cases.first), cancellation: CancellationFlag())
    }

    @Test func aMatrixFreeFitReportsItsInnerSolvesAndTheTeacherYardsticks() throws {
        let record = try Self.run(solver: "{kind: levenberg-marquardt, linear-solver: lsmr, max-iterations: 30}")
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        #expect(Array(fit.traceColumns.suffix(3)) == ["inner_iterations", "inner_stop", "inner_tolerance"])
        #expect(fit.trace.allSatisfy { $0.count == fit.traceColumns.count && $0[8] >= 1 && $0[8] <= 3 })
        let metrics = Dictionary(record.metrics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(metrics["fit.linear_solver"]?.value == .string("lsmr"))
        #expect(metrics["fit.preconditioner"]?.value == .string("scaling"))
        #expect(metrics["fit.normal_equations"]?.value == .string("matrix-free"))
        let inner = fit.trace.reduce(0) { $0 + Int($1[7]) }
        #expect(metrics["fit.inner_iterations"]?.value == .integer(inner) && metrics["fit.inner_iterations"]?.kind == .deterministic)
        let teacher = try #require(metrics["data.teacher_cost"]?.value.numberValue)
        let ratio = try #require(metrics["fit.cost_over_teacher"]?.value.numberValue)
        #expect(abs(ratio - fit.finalCost / teacher) <= 1e-15 * ratio)
        // A fit that ends below 1.05 × the teacher cost crossed it at a recorded accepted step.
        if ratio <= 1.05 {
            let iterations = try #require(metrics["fit.teacher.iterations_to_1_05"]?.value.integerValue)
            let row = try #require(fit.trace.first { $0[5] == 1 && $0[0] == Double(iterations) })
            #expect(row[1] <= 1.05 * teacher)
            #expect(metrics["fit.teacher.time_to_1_05_us"]?.kind == .timing)
        } else {
            #expect(metrics["fit.teacher.iterations_to_1_05"] == nil && metrics["fit.teacher.time_to_1_05_us"] == nil)
        }
        // Fewer parameters than samples: conditional standard errors stand in for the covariance.
        #expect(metrics["fit.covariance"]?.value.stringValue?.hasPrefix("approximated") == true)
        let conditional = try #require(fit.conditionalStandardErrors)
        #expect(conditional.count == fit.parameters.count && conditional.allSatisfy { $0 > 0 && $0.isFinite })
        #expect(BundleDocuments.parametersCSV(record).hasPrefix("name,initial,value,standard_error,conditional_standard_error\n"))
        // LSMR's preconditioner is D; the network's forcing hint applies.
        #expect(metrics["fit.forcing"]?.value == .string("gradient-ratio"))
        #expect(metrics["fit.backtracking_steps"]?.value.integerValue == 4)
        // A network's matrix-free damping: D = I from τ = 1e-6.
        #expect(metrics["fit.scaling"]?.value == .string("levenberg") && metrics["fit.initial_damping"]?.value.numberValue == 1e-6)
        #expect(metrics["fit.dgemm_gflops"] != nil && metrics["fit.gauss_newton_product_over_dgemm"] != nil)
    }

    /// `preconditioner: none`, a fixed `inner-tolerance` and `backtracking-steps: 0` reach the
    /// fit: recorded as such, every inner solve at that tolerance, nothing backtracked.
    @Test func plainConjugateGradientsAtAFixedToleranceAreRecorded() throws {
        let record = try Self.run(
            solver: "{kind: levenberg-marquardt, linear-solver: cg, preconditioner: none, inner-tolerance: 1e-5, backtracking-steps: 0, max-iterations: 10}")
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fit = try #require(record.fit)
        let metrics = Dictionary(record.metrics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(metrics["fit.linear_solver"]?.value == .string("cg") && metrics["fit.preconditioner"]?.value == .string("none"))
        #expect(!fit.trace.isEmpty && fit.trace.allSatisfy { $0[9] == 1e-5 })
        #expect(metrics["fit.forcing"]?.value == .string("fixed"))
        #expect(metrics["fit.backtracking_steps"]?.value.integerValue == 0 && metrics["fit.backtracked_steps"]?.value.integerValue == 0)
    }

    @Test func aFitStoppedByMaxTimeHasNoDeterministicFitMetrics() throws {
        let record = try Self.run(solver: "{kind: levenberg-marquardt, linear-solver: cg, max-time: 0}")
        #expect(record.status == .ok, "\(record.error ?? "")")
        let fitMetrics = record.metrics.filter { $0.name.hasPrefix("fit.") }
        #expect(fitMetrics.first { $0.name == "fit.status" }?.value == .string("max-time"))
        #expect(!fitMetrics.isEmpty && fitMetrics.allSatisfy { $0.kind == .timing })
        // The data's own metrics stay deterministic.
        #expect(record.metrics.first { $0.name == "data.teacher_cost" }?.kind == .deterministic)
    }
}
