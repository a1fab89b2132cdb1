import Foundation
import Jacobians
import LinearAlgebra
import Solvers
import YAMLDecoding
import MessageText

/// `evaluation: [{kind: peer-comparison}]` — PyTorch, JAX and SciPy on this very case, in the
/// same run: times jacobench's exact strategies and one forward pass, writes the case (network,
/// data, reference Jacobian, those timings) as JSON, runs `peers/peer_benchmark.py` in the
/// peers' virtual environment pinned to one CPU, and merges its figures as `peer.*` metrics
/// (see ``PeerComparisonReport``), with ratios to jacobench's fastest exact strategy.
///
/// Parameter cases are exported at the model's initial parameters, so SciPy's LM starts where
/// jacobench's solver started; input cases at the evaluated parameters. For parameter cases
/// jacobench's default LM is then timed to SciPy's final cost (``FitToPeerCost``), and the fitting
/// peers (`fit_peers.py` beside the script: SciPy trf, lmfit, jaxopt, optimistix) fit the same
/// case from the same start (``FittingPeersReport``). Without the venv or
/// the script the evaluation is skipped: `peer.status` says why and how to create it
/// (`make peers`). Python is never needed by anything else.
///
/// Timed calls alternate between θ and θ with its first entry one ulp up, so that no strategy
/// reuses a forward pass cached at the previous call's point (the peers recompute theirs too).
public enum PeerComparisonEvaluation: EvaluationStage {
    /// Options of the `peer-comparison` evaluation.
    public struct Configuration: DeclaredStageConfiguration {
        /// The peers' Python interpreter (a relative name starts at the project folder, never the
        /// manifest's); only the project's own runs unless the command line allows another
        /// (``PeerProgramPolicy``).
        public var python = ".peers-venv/bin/python"
        /// The benchmark script (found and allowed like `python`).
        public var script = "peers/peer_benchmark.py"
        /// Most timed calls per variant, on both sides.
        public var repeats = 20
        /// Seconds of timed calls per variant, on both sides.
        public var budget = 1.0
        /// jacobench strategies to time; empty: every exact strategy applicable to the case
        /// except `auto` and `swift-autodiff`.
        public var strategies: [String] = []
        /// Pin the peers' process to one CPU with taskset.
        public var pinCPU = true
        /// Only peer variants whose name contains one of these words (empty: all).
        public var only: [String] = []
        /// Leave out peer variants whose name contains one of these words.
        public var skip: [String] = []

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .optional("python", \.python, "the peers' Python (created by `make peers`; in the checkout; another only with --allow-program)"),
            .optional("script", \.script, "the peer benchmark script (in the checkout; another only with --allow-program)"),
            .optional("repeats", \.repeats, "most timed calls per variant, both sides"),
            .optional("budget", \.budget, "seconds of timed calls per variant, both sides (at least 3 calls)"),
            .optional("strategies", \.strategies, "jacobench strategies to time; [] = every applicable exact one but auto and swift-autodiff"),
            .optional("pin-cpu", \.pinCPU, "run the peers under taskset -c 0 (JAX ignores thread flags)"),
            .optional("only", \.only, "only peer variants whose name contains one of these words"),
            .optional("skip", \.skip, "leave out peer variants whose name contains one of these words"),
        ]
    }

    /// `peer-comparison`.
    public static let kind = "peer-comparison"
    /// One line.
    public static let summary = "PyTorch, JAX and SciPy on the same case in the same run (peers/; skipped without its venv)"

    /// Checks sizes, strategy names, and that the program it would start is allowed
    /// (``PeerProgramPolicy``): a manifest naming another program is rejected here.
    public static func validate(_ configuration: Configuration) throws {
        if case .refused(let field, let reason) = PeerProgramPolicy.current.decide(python: configuration.python, script: configuration.script) {
            throw ConfigurationProblem(field: field, reason)
        }
        try CheckedNumber.positive(configuration.repeats, field: "repeats")
        guard configuration.repeats <= JacobianTimingEvaluation.maximumRepeats else {
            throw ConfigurationProblem(field: "repeats", "must be at most \(JacobianTimingEvaluation.maximumRepeats), got \(configuration.repeats)")
        }
        try CheckedNumber.positive(configuration.budget, field: "budget")
        for name in configuration.strategies where !JacobianStrategyCatalog.names.contains(name) {
            throw ConfigurationProblem(
                field: "strategies", "unknown Jacobian strategy \(QuotedText.quoted(name)); known: \(JacobianStrategyCatalog.names.joined(separator: ", "))")
        }
    }

    /// Runs the comparison, or reports why it was skipped.
    public static func evaluate(_ context: StageContext<Configuration>, subject: EvaluationSubject) throws -> EvaluationResult {
        let configuration = context.configuration
        let python: String, script: String
        switch PeerProgramPolicy.current.decide(python: configuration.python, script: configuration.script) {
        case .runs(let allowedPython, let allowedScript): (python, script) = (allowedPython, allowedScript)
        case .skipped(let reason): return skipped(reason, context: context)
        case .refused(let field, let reason): throw ConfigurationProblem(field: field, reason)
        }
        let target = subject.jacobian.withRespectTo
        let parameters = target == .parameters ? subject.model.initialParameters : subject.parameters
        var (peerCase, map, point) = try PeerCase.differentiated(
            name: "case", model: subject.model, data: subject.data.training, parameters: parameters, withRespectTo: target)
        context.progress.note("peer-comparison: reference Jacobian")
        peerCase.jacobian = try JacobianStrategyCatalog.strategy(named: subject.jacobian.reference).jacobian(of: map, at: point)

        let strategies = try chosenStrategies(configuration.strategies, for: map)
        var timings: [String: RepeatedTiming] = [:]
        for strategy in strategies {
            context.progress.note("peer-comparison: timing \(strategy.name)")
            timings[strategy.name] = try time(map: map, at: point, configuration: configuration, cancellation: context.cancellation) { at, buffer in
                _ = try strategy.jacobian(of: map, at: at, into: &buffer)
            }
        }
        var output = [Double](repeating: 0, count: map.outputCount)
        let forwardPass = try time(map: map, at: point, configuration: configuration, cancellation: context.cancellation) { at, _ in
            map.evaluate(at: at, into: &output)
        }
        peerCase.jacobenchMicroseconds = timings.mapValues(\.medianMicroseconds)
        peerCase.jacobenchMicroseconds["forward-pass"] = forwardPass.medianMicroseconds

        let folder = try OutputFiles.scratchFolder(prefix: "jacobench-peers")
        defer { OutputFiles.remove(folder) }
        let casePath = folder + "/case.json"
        try OutputFiles.write(peerCase.jsonText(), to: casePath)
        let process = PeerBenchmarkProcess(
            python: python, script: script, pinToOneCPU: configuration.pinCPU, repeats: configuration.repeats,
            budgetSeconds: configuration.budget, only: configuration.only, skip: configuration.skip)
        context.progress.note("peer-comparison: running \(script)")
        let outcome = try process.run(casePath: casePath, folder: folder, cancellation: context.cancellation)

        let fitMicroseconds = subject.fit?.timingsSeconds["total"] ?? subject.fitSeconds
        let fit = target == .parameters ? subject.fit.flatMap { fit in fitMicroseconds.map { (fit.finalCost, $0 * 1e6) } } : nil
        let report = PeerComparisonReport(
            results: outcome.results, jacobench: timings, exactStrategies: Set(strategies.filter(\.isExact).map(\.name)),
            forwardPass: forwardPass, fit: fit, exactVariantsMatch: outcome.exactVariantsMatch)
        var metrics = report.metrics, timingRows = report.timings
        let scipy = outcome.results["peers"]?[PeerComparisonReport.fitVariant]
        if target == .parameters, let scipyCost = scipy?["cost"]?.numberValue, scipyCost.isFinite {
            context.progress.note("peer-comparison: jacobench's default LM to SciPy's cost")
            let toCost = try FitToPeerCost.measure(
                peerCost: scipyCost, fit: subject.fit, map: map, start: point, budgetSeconds: configuration.budget,
                maximumRepeats: configuration.repeats, cancellation: context.cancellation)
            metrics += toCost.metrics(peerMicroseconds: scipy?["median_us"]?.numberValue)
            if let warm = toCost.warm {
                timingRows.append(TimingRow(
                    name: "peer.jacobench.fit-to-scipy-cost", repeats: warm.repeats, medianMicroseconds: warm.medianMicroseconds,
                    minimumMicroseconds: warm.minimumMicroseconds, maximumMicroseconds: warm.maximumMicroseconds,
                    forwardUnits: warm.medianMicroseconds / forwardPass.medianMicroseconds))
            }
        }
        if target == .parameters {
            metrics += try fittingPeers(
                python: python, script: script, casePath: casePath, folder: folder, configuration: configuration,
                fit: subject.fit, context: context)
        }
        return EvaluationResult(metrics: metrics, timings: timingRows)
    }

    /// The fitting peers (`fit_peers.py`, beside the benchmark script) on the same case file and
    /// start, as ``FittingPeersReport`` metrics; `peer.fitting.status` says why when they cannot run.
    static func fittingPeers(
        python: String, script: String, casePath: String, folder: String, configuration: Configuration,
        fit: FitOutcome?, context: StageContext<Configuration>
    ) throws -> [Metric] {
        let fittingScript = (script as NSString).deletingLastPathComponent + "/" + fittingScriptName
        guard FileManager.default.fileExists(atPath: fittingScript) else {
            return [.text("peer.fitting.status", "skipped: no \(fittingScriptName) beside \(script)")]
        }
        // The sibling runs only when the policy allows it itself (the checkout's own, or --allow-program).
        guard case .runs = PeerProgramPolicy.current.decide(python: python, script: fittingScript) else {
            return [.text("peer.fitting.status", "skipped: \(fittingScript) is not an allowed program (jacobench run --allow-program)")]
        }
        let process = PeerBenchmarkProcess(
            python: python, script: fittingScript, pinToOneCPU: configuration.pinCPU, repeats: configuration.repeats,
            budgetSeconds: configuration.budget)
        context.progress.note("peer-comparison: running \(fittingScript)")
        let outcome: PeerBenchmarkProcess.Outcome
        do {
            // The benchmark's results in `folder` are read already: its file names are reused.
            outcome = try process.run(casePath: casePath, folder: folder, cancellation: context.cancellation)
        } catch let error as PeerBenchmarkError {
            return [.text("peer.fitting.status", "failed: \(error)")]
        }
        let trace = fit.map { fit -> [(cost: Double, seconds: Double, iteration: Int)] in
            let columns = fit.traceColumns
            guard let cost = columns.firstIndex(of: "cost"), let seconds = columns.firstIndex(of: "elapsed_seconds"),
                  let accepted = columns.firstIndex(of: "accepted"), let iteration = columns.firstIndex(of: "iteration") else { return [] }
            return fit.trace.filter { $0[accepted] == 1 }.map { ($0[cost], $0[seconds], Int($0[iteration])) }
        }
        return FittingPeersReport(results: outcome.results, fit: fit.map { ($0.finalCost, trace ?? []) }).metrics
    }

    /// The fitting peers' script, found beside the benchmark script.
    static let fittingScriptName = (PeerProgramPolicy.fittingScript as NSString).lastPathComponent

    /// The result of a skipped comparison: `peer.status` = `skipped: <reason>`.
    static func skipped(_ reason: String, context: StageContext<Configuration>) -> EvaluationResult {
        context.progress.note("peer-comparison skipped: \(reason)")
        return EvaluationResult(metrics: [.text("peer.status", "skipped: \(reason)")])
    }

    /// What a resolved `peer-comparison` section (defaults filled in, as in a planned case)
    /// would start under the current policy; nil for another kind of section.
    public static func decision(forSection section: YAMLNode) -> PeerProgramPolicy.Decision? {
        guard case .scalar(let kindScalar)? = section["kind"], kindScalar.value == kind,
              case .scalar(let python)? = section["python"], case .scalar(let script)? = section["script"] else { return nil }
        return PeerProgramPolicy.current.decide(python: python.value, script: script.value)
    }

    /// Left out when no strategies are named: `auto` (it picks one of the others) and
    /// `swift-autodiff` (m pullbacks through the toolchain's reverse mode: a reference,
    /// never the fastest, and measured by `jacobian-timing` anyway).
    static let excludedByDefault: Set<String> = ["auto", "swift-autodiff"]

    /// The named strategies, or every exact catalog strategy applicable to `map` except
    /// ``excludedByDefault``.
    static func chosenStrategies(_ names: [String], for map: any DifferentiableMap) throws -> [any JacobianStrategy] {
        let wanted = names.isEmpty
            ? JacobianStrategyCatalog.entries.filter { $0.isExact && !excludedByDefault.contains($0.name) }.map(\.name)
            : names
        return try wanted.map { try JacobianStrategyCatalog.strategy(named: $0) }
            .filter { $0.inapplicabilityReason(for: map) == nil }
    }

    /// Times `body` at alternating points (θ, θ with its first entry one ulp up) with one reused buffer.
    static func time(
        map: any DifferentiableMap, at point: [Double], configuration: Configuration, cancellation: CancellationFlag,
        _ body: ([Double], inout Matrix) throws -> Void
    ) throws -> RepeatedTiming {
        var nudged = point
        if !nudged.isEmpty { nudged[0] = nudged[0].nextUp }
        var buffer = Matrix(rows: map.outputCount, columns: map.inputCount)
        var useNudged = false
        return try RepeatedTiming.measure(budgetSeconds: configuration.budget, maximumRepeats: configuration.repeats, cancellation: cancellation) {
            useNudged.toggle()
            try body(useNudged ? nudged : point, &buffer)
        }
    }
}
