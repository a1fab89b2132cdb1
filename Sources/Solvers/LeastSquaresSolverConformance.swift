import Jacobians
import LinearAlgebra
import Synchronization

/// What one solver did under the conformance kit's rules on one problem.
public struct SolverConformanceReport: Sendable, CustomStringConvertible {
    /// The solver's manifest kind.
    public var solver: String
    /// The unconstrained fit every rule is compared with.
    public var control: FitResult?
    /// Every violation found; empty when the solver conforms.
    public var problems: [String] = []

    /// True when no problem was found.
    public var passed: Bool { problems.isEmpty }

    /// One line per problem, prefixed by the solver's kind.
    public var description: String {
        problems.isEmpty ? "\(solver): ok" : problems.map { "\(solver): \($0)" }.joined(separator: "\n")
    }
}

/// The kit every ``LeastSquaresSolver`` passes, on any problem that takes it more than three
/// iterations from `start` (the control):
///
/// ```swift
/// let report = LeastSquaresSolverConformance.check(MySolver.self, on: map, from: start)
/// #expect(report.passed, "\(report)")
/// ```
///
/// Rules, each a separate fit:
/// - **control** (defaults): finite parameters and cost, no more than the initial cost; the
///   trace numbers its iterations in order, its accepted entries are the reports the
///   problem's observer received, the last accepted cost is the result's; timings are
///   non-negative and the residual and Jacobian times lie within the total; at least one
///   residual evaluation per iteration.
/// - **max-iterations 0**: no step: the start, its cost, `max-iterations`, zero iterations.
/// - **max-iterations 2**: at most 2 iterations, status `max-iterations`.
/// - **max-evaluations 3**: at most 3 residual evaluations, status `max-evaluations`.
/// - **max-time 0**: stopped before the first step: the start, its cost, `max-time`.
/// - **target-cost** halfway between the initial and the control's final cost: status
///   `target-cost`, a cost at most the target, no more iterations than the control.
/// - **cancellation**: a `shouldStop` that says stop on its third call ends the fit with
///   `cancelled` after at most 3 iterations and is not asked again; one that says stop at once
///   ends it before the first step.
/// - **NaN**: residuals NaN at the start give `non-finite-residuals` at the start; residuals
///   that turn NaN after the fourth evaluation never give a converged status, and the result
///   stays finite and no worse than the start.
public enum LeastSquaresSolverConformance {
    /// Runs every rule on `type` for the problem `map` from `start` (see the type's
    /// documentation); `strategy` is the Jacobian strategy of every fit.
    public static func check(
        _ type: any LeastSquaresSolver.Type, on map: any DifferentiableMap, from start: [Double],
        strategy: any JacobianStrategy = ForwardVectorized()
    ) -> SolverConformanceReport {
        var report = SolverConformanceReport(solver: type.kind)
        func problem(_ map: any DifferentiableMap = map, shouldStop: (@Sendable () -> Bool)? = nil,
                     observer: (@Sendable (FitProgress) -> Void)? = nil) -> LeastSquaresProblem {
            LeastSquaresProblem(
                map: map, initialParameters: start, jacobianStrategy: strategy, shouldStop: shouldStop, iterationObserver: observer)
        }
        func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { report.problems.append(message()) }
        }

        // Control.
        let reports = Mutex<[FitProgress]>([])
        let control = type.limited().fit(problem(observer: { progress in reports.withLock { $0.append(progress) } }))
        report.control = control
        checkControl(control, reports: reports.withLock { $0 }, expect: expect)
        guard control.iterations > 3 else {
            report.problems.append("the control took \(control.iterations) iterations (\(control.status.rawValue)); the kit needs a problem that takes more than 3")
            return report
        }

        // Limits.
        let none = type.limited(maximumIterations: 0).fit(problem())
        expect(none.status == .maximumIterations && none.iterations == 0 && none.parameters == start && none.cost == none.initialCost,
               "max-iterations 0: \(none.status.rawValue) after \(none.iterations) iterations, parameters \(none.parameters == start ? "at" : "moved from") the start")
        let two = type.limited(maximumIterations: 2).fit(problem())
        expect(two.iterations <= 2 && two.status == .maximumIterations,
               "max-iterations 2: \(two.status.rawValue) after \(two.iterations) iterations")
        let three = type.limited(maximumEvaluations: 3).fit(problem())
        expect(three.residualEvaluations <= 3 && three.status == .maximumEvaluations,
               "max-evaluations 3: \(three.status.rawValue) after \(three.residualEvaluations) residual evaluations")
        let timed = type.limited(maximumSeconds: 0).fit(problem())
        expect(timed.status == .timeLimit && timed.iterations == 0 && timed.parameters == start && timed.cost == timed.initialCost,
               "max-time 0: \(timed.status.rawValue) after \(timed.iterations) iterations, parameters \(timed.parameters == start ? "at" : "moved from") the start")
        let target = (control.initialCost + control.cost) / 2
        let reached = type.limited(targetCost: target).fit(problem())
        expect(reached.status == .targetCostReached && reached.cost <= target && reached.iterations <= control.iterations,
               "target-cost \(target): \(reached.status.rawValue) at cost \(reached.cost) after \(reached.iterations) iterations (control \(control.iterations))")

        // Cancellation.
        let asked = Atomic<Int>(0)
        let cancelled = type.limited().fit(problem(shouldStop: { asked.add(1, ordering: .relaxed).newValue >= 3 }))
        let questions = asked.load(ordering: .relaxed)
        expect(cancelled.status == .cancelled && cancelled.iterations <= 3 && questions == 3,
               "cancel on the 3rd question: \(cancelled.status.rawValue) after \(cancelled.iterations) iterations, asked \(questions) times")
        expect(cancelled.parameters.allSatisfy(\.isFinite) && cancelled.cost <= cancelled.initialCost,
               "cancelled fit: parameters or cost not finite, or cost above the start's")
        let atOnce = type.limited().fit(problem(shouldStop: { true }))
        expect(atOnce.status == .cancelled && atOnce.iterations == 0 && atOnce.parameters == start,
               "cancelled before the start: \(atOnce.status.rawValue) after \(atOnce.iterations) iterations")

        // NaN.
        let nanAtStart = type.limited().fit(problem(NaNAfterEvaluations(map, healthyEvaluations: 0)))
        expect(nanAtStart.status == .nonFiniteResiduals && nanAtStart.iterations == 0 && nanAtStart.parameters == start,
               "NaN residuals at the start: \(nanAtStart.status.rawValue) after \(nanAtStart.iterations) iterations")
        let nanLater = type.limited().fit(problem(NaNAfterEvaluations(map, healthyEvaluations: 4)))
        expect(!nanLater.status.isConverged, "residuals NaN after 4 evaluations: reported converged (\(nanLater.status.rawValue))")
        expect(nanLater.parameters.allSatisfy(\.isFinite) && nanLater.cost.isFinite && nanLater.cost <= nanLater.initialCost,
               "residuals NaN after 4 evaluations: result not finite or worse than the start (cost \(nanLater.cost))")
        return report
    }

    /// The control's own rules: finite, no worse than the start, trace and observer agree,
    /// timings consistent.
    static func checkControl(_ control: FitResult, reports: [FitProgress], expect: (Bool, @autoclosure () -> String) -> Void) {
        expect(control.parameters.allSatisfy(\.isFinite) && control.cost.isFinite, "control: parameters or cost not finite")
        expect(control.cost <= control.initialCost, "control: final cost \(control.cost) above the initial \(control.initialCost)")
        expect(control.residualEvaluations >= control.iterations,
               "control: \(control.residualEvaluations) residual evaluations for \(control.iterations) iterations")
        let numbers = control.trace.map(\.iteration)
        expect(numbers == numbers.sorted() && (numbers.last ?? 0) <= control.iterations,
               "control: the trace's iteration numbers are out of order or past \(control.iterations)")
        let accepted = control.trace.filter(\.accepted)
        expect(control.iterations == 0 || !accepted.isEmpty, "control: \(control.iterations) iterations but no accepted trace entry")
        expect(reports.map(\.iteration) == accepted.map(\.iteration) && reports.map(\.cost) == accepted.map(\.cost),
               "control: the observer received \(reports.count) reports for \(accepted.count) accepted trace entries")
        if let last = accepted.last { expect(last.cost == control.cost, "control: last accepted trace cost \(last.cost) is not the result's \(control.cost)") }
        let timings = control.timings
        let parts = [timings.residualSeconds, timings.jacobianSeconds, timings.linearSolveSeconds, timings.gramSeconds, timings.factorizationSeconds]
        expect(parts.allSatisfy { $0 >= 0 } && timings.totalSeconds > 0, "control: negative or zero timings")
        expect(timings.residualSeconds + timings.jacobianSeconds <= timings.totalSeconds,
               "control: residual and Jacobian times exceed the total")
    }
}

/// `map`, whose residuals turn NaN after `healthyEvaluations` evaluations (0: at once).
final class NaNAfterEvaluations: DifferentiableMap {
    let map: any DifferentiableMap
    let healthyEvaluations: Int
    let evaluations = Atomic<Int>(0)

    init(_ map: any DifferentiableMap, healthyEvaluations: Int) {
        self.map = map
        self.healthyEvaluations = healthyEvaluations
    }

    var inputCount: Int { map.inputCount }
    var outputCount: Int { map.outputCount }

    func evaluate(at point: [Double], into output: inout [Double]) {
        map.evaluate(at: point, into: &output)
        if evaluations.add(1, ordering: .relaxed).newValue > healthyEvaluations, !output.isEmpty { output[0] = .nan }
    }

    func pushforward(at point: [Double], tangents: Matrix, into result: inout Matrix) {
        map.pushforward(at: point, tangents: tangents, into: &result)
    }

    func pullback(at point: [Double], cotangents: Matrix, into result: inout Matrix) {
        map.pullback(at: point, cotangents: cotangents, into: &result)
    }
}
