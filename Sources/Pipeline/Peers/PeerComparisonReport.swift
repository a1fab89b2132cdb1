import JSONDocuments
/// Turns the peer benchmark's results and jacobench's own timings of the same case into
/// metrics and `timings.csv` rows.
///
/// Metric names (all under `peer.`):
/// - `peer.<variant>.median_us`, `.min_us` (timing) for every peer variant
///   (`torch.functional.jacobian`, `jax.jit.vmap-jacrev`, `scipy.least_squares.lm`, …), and
///   `peer.<variant>.ratio_to_jacobench` = peer median ÷ jacobench's fastest exact median (for
///   the forward passes `torch.forward`, `jax.jit.forward`: `.ratio_to_jacobench_forward`, ÷
///   jacobench's forward pass);
/// - `peer.jacobench.<strategy>.median_us`, `.min_us`, `.q1_us`, `.q3_us`, `.repeats` (and the
///   same for `peer.jacobench.forward-pass`), `peer.jacobench.fastest_exact` (text),
///   `peer.jacobench.fastest_exact_us`;
/// - `peer.speedup.{torch_default,torch_best,jax_best,peer_best}` (peer ÷ jacobench, > 1 means
///   jacobench is faster) and `peer.{torch_best,jax_best,peer_best}.variant` (text);
/// - `peer.check.torch_relative_error` (‖J_torch − J_jacobench‖_F/‖J_jacobench‖_F) and
///   `peer.check.exact_variants_match` (text);
/// - for a fit: `peer.scipy.nfev`, `peer.scipy.njev`, `peer.scipy.cost`, and with jacobench's fit
///   `peer.speedup.fit` (scipy time ÷ jacobench's fit time) and `peer.fit.cost_relative_difference`
///   ((jacobench cost − scipy cost) ÷ scipy cost; negative means jacobench ended lower);
/// - `peer.version.<package>` (text) and `peer.status` (`ok` or `mismatch`).
public struct PeerComparisonReport: Sendable {
    /// The metrics.
    public var metrics: [Metric] = []
    /// One row per peer variant (`peer.<variant>`) and per jacobench strategy timed here
    /// (`peer.jacobench.<strategy>`); forward units are each side's own forward pass.
    public var timings: [TimingRow] = []

    /// The name of the peers' fit variant.
    public static let fitVariant = "scipy.least_squares.lm"

    /// Builds the report.
    ///
    /// - Parameters:
    ///   - results: the benchmark's results document (schema 1).
    ///   - jacobench: jacobench's timings of this case by strategy name.
    ///   - exactStrategies: which of those are exact (the fastest of these is the yardstick).
    ///   - forwardPass: jacobench's forward-pass timing, for forward units.
    ///   - fit: jacobench's fit outcome and its wall time in µs, when a solver ran.
    public init(
        results: JSONValue, jacobench: [String: RepeatedTiming], exactStrategies: Set<String>, forwardPass: RepeatedTiming?,
        fit: (cost: Double, microseconds: Double)?, exactVariantsMatch: Bool
    ) {
        let fastest = jacobench.filter { exactStrategies.contains($0.key) }
            .min { ($0.value.medianMicroseconds, $0.key) < ($1.value.medianMicroseconds, $1.key) }
        for (strategy, timing) in jacobench.sorted(by: { $0.key < $1.key }) {
            metrics += timing.metrics(prefix: "peer.jacobench.\(strategy)")
            timings.append(Self.row("peer.jacobench.\(strategy)", timing, forwardUnits: forwardPass.map { timing.medianMicroseconds / $0.medianMicroseconds }))
        }
        if let forwardPass {
            metrics += forwardPass.metrics(prefix: "peer.jacobench.forward-pass")
            timings.append(Self.row("peer.jacobench.forward-pass", forwardPass, forwardUnits: 1))
        }
        if let fastest {
            metrics.append(.text("peer.jacobench.fastest_exact", fastest.key))
            metrics.append(.timing("peer.jacobench.fastest_exact_us", fastest.value.medianMicroseconds))
        }
        let yardstick = fastest?.value.medianMicroseconds

        let peers = results["peers"]?.objectValue ?? [:]
        for variant in peers.keys.sorted() {
            guard let entry = peers[variant], let median = entry["median_us"]?.numberValue else { continue }
            let minimum = entry["min_us"]?.numberValue ?? median
            metrics.append(.timing("peer.\(variant).median_us", median))
            metrics.append(.timing("peer.\(variant).min_us", minimum))
            if variant.hasSuffix(".forward") {
                if let forwardPass {
                    metrics.append(.timing("peer.\(variant).ratio_to_jacobench_forward", median / forwardPass.medianMicroseconds))
                }
            } else if variant != Self.fitVariant, let yardstick {
                metrics.append(.timing("peer.\(variant).ratio_to_jacobench", median / yardstick))
            }
            timings.append(TimingRow(
                name: "peer.\(variant)", repeats: entry["repeats"]?.integerValue ?? 0, medianMicroseconds: median,
                minimumMicroseconds: minimum, maximumMicroseconds: entry["max_us"]?.numberValue ?? median,
                forwardUnits: entry["forward_units"]?.numberValue))
        }

        let summary = results["summary"]
        for key in ["torch_default", "torch_best", "jax_best", "peer_best"] {
            guard let best = summary?[key], let median = best["median_us"]?.numberValue else { continue }
            if key != "torch_default", let variant = best["variant"]?.stringValue {
                metrics.append(.text("peer.\(key).variant", variant))
            }
            if let yardstick { metrics.append(.timing("peer.speedup.\(key)", median / yardstick)) }
        }

        let checks = results["checks"]
        if let error = checks?["torch_vs_reference"]?.numberValue {
            metrics.append(.deterministic("peer.check.torch_relative_error", error))
        }
        metrics.append(.text("peer.check.exact_variants_match", exactVariantsMatch ? "true" : "false"))

        if let scipy = peers[Self.fitVariant] {
            if let nfev = scipy["nfev"]?.integerValue { metrics.append(.count("peer.scipy.nfev", nfev)) }
            if let njev = scipy["njev"]?.integerValue { metrics.append(.count("peer.scipy.njev", njev)) }
            if let cost = scipy["cost"]?.numberValue {
                metrics.append(.deterministic("peer.scipy.cost", cost))
                if let fit {
                    metrics.append(.deterministic("peer.fit.cost_relative_difference", (fit.cost - cost) / cost))
                }
            }
            if let fit, let median = scipy["median_us"]?.numberValue, fit.microseconds > 0 {
                metrics.append(.timing("peer.speedup.fit", median / fit.microseconds))
            }
        }

        for (package, version) in (results["versions"]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let text = version.stringValue { metrics.append(.text("peer.version.\(package)", text)) }
        }
        metrics.append(.text("peer.status", exactVariantsMatch ? "ok" : "mismatch"))
    }

    private static func row(_ name: String, _ timing: RepeatedTiming, forwardUnits: Double?) -> TimingRow {
        TimingRow(
            name: name, repeats: timing.repeats, medianMicroseconds: timing.medianMicroseconds,
            minimumMicroseconds: timing.minimumMicroseconds, maximumMicroseconds: timing.maximumMicroseconds,
            forwardUnits: forwardUnits, firstQuartileMicroseconds: timing.firstQuartileMicroseconds,
            thirdQuartileMicroseconds: timing.thirdQuartileMicroseconds)
    }
}
