import JSONDocuments

/// The fitting peers (`peers/fit_peers.py`: SciPy trf and lm, lmfit, jaxopt's and optimistix's
/// Levenberg-Marquardt, each from the case's start) as `peer.fitting.*` metrics of a
/// `peer-comparison` evaluation, beside jacobench's own fit of the same case:
///
/// - `peer.fitting.best.cost`, `.best.peer` (text), `.best.target_cost` — the lowest final cost
///   among the peers and jacobench, and best·(1 + 1e-6);
/// - per peer that ran: `peer.fitting.<peer>.cost`, `.cost_relative_to_best`, `.reached` (text
///   `true`/`false`), `.median_us` and, when reached, `.time_to_best_us` (timings); per peer
///   that did not: `peer.fitting.<peer>.status` (text: `skipped: <reason>` or `failed`);
/// - jacobench's fit: `peer.fitting.jacobench.cost`, `.reached`, `.iterations_to_best` and
///   `.time_to_best_us` (from the fit's own trace, as the script reads a bundle's).
///
/// Costs are the script's, recomputed in jacobench's convention; the peers' costs depend on
/// their own libraries, so they are marked timing-like only where they are times.
public struct FittingPeersReport: Sendable {
    /// The metrics.
    public var metrics: [Metric] = []

    /// Builds the metrics from the script's results document and jacobench's fit.
    ///
    /// - Parameters:
    ///   - results: `fit_peers.py --out` (schema 1, kind `fit-peers`).
    ///   - fit: jacobench's final cost and its accepted trace (cost, elapsed seconds) in order.
    public init(results: JSONValue, fit: (cost: Double, trace: [(cost: Double, seconds: Double, iteration: Int)])?) {
        if let skipped = results["skipped"]?.stringValue {
            metrics.append(.text("peer.fitting.status", "skipped: \(skipped)"))
            return
        }
        let peers = results["peers"]?.objectValue ?? [:]
        var best: (peer: String, cost: Double)?
        // In name order, so that a tie names the same peer on every run.
        for (name, peer) in peers.sorted(by: { $0.key < $1.key }) where peer["status"]?.stringValue == "ok" {
            if let cost = peer["cost"]?.numberValue, cost.isFinite, cost < (best?.cost ?? .infinity) { best = (name, cost) }
        }
        if let fit, fit.cost.isFinite, fit.cost < (best?.cost ?? .infinity) { best = ("jacobench", fit.cost) }
        guard let best else {
            metrics.append(.text("peer.fitting.status", "no peer finished"))
            return
        }
        let target = best.cost * (1 + Self.relativeTolerance)
        metrics.append(.deterministic("peer.fitting.best.cost", best.cost))
        metrics.append(.text("peer.fitting.best.peer", best.peer))
        metrics.append(.deterministic("peer.fitting.best.target_cost", target))
        for (name, peer) in peers.sorted(by: { $0.key < $1.key }) {
            let prefix = "peer.fitting.\(name)"
            guard peer["status"]?.stringValue == "ok", let cost = peer["cost"]?.numberValue else {
                let reason = peer["reason"]?.stringValue ?? peer["error"]?.stringValue
                metrics.append(.text(prefix + ".status", (peer["status"]?.stringValue ?? "failed") + (reason.map { ": \($0)" } ?? "")))
                continue
            }
            metrics.append(.deterministic(prefix + ".cost", cost))
            metrics.append(.deterministic(prefix + ".cost_relative_to_best", (cost - best.cost) / best.cost))
            let reached = cost <= target
            metrics.append(.text(prefix + ".reached", reached ? "true" : "false"))
            if let median = peer["median_us"]?.numberValue { metrics.append(.timing(prefix + ".median_us", median)) }
            if reached, let time = peer["time_to_best_us"]?.numberValue { metrics.append(.timing(prefix + ".time_to_best_us", time)) }
        }
        if let fit {
            metrics.append(.deterministic("peer.fitting.jacobench.cost", fit.cost))
            let first = fit.trace.first { $0.cost <= target }
            metrics.append(.text("peer.fitting.jacobench.reached", first == nil ? "false" : "true"))
            if let first {
                metrics.append(.count("peer.fitting.jacobench.iterations_to_best", first.iteration))
                metrics.append(.timing("peer.fitting.jacobench.time_to_best_us", first.seconds * 1e6))
            }
        }
        metrics.append(.text("peer.fitting.status", "ok"))
    }

    /// The common best cost's relative tolerance (the script's).
    public static let relativeTolerance = 1e-6
}
