import ArgumentParser
import Foundation
import Pipeline

extension BundleComparison.Format: ExpressibleByArgument {}

/// `jacobench diff A B` / `jacobench diff --latest results/NAME`.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two runs of one experiment case by case; exit 1 when something regressed beyond noise.",
        discussion: """
            Cases are matched by their sweep values. A timing is a regression only when its ratio of
            medians passes 1 + --timing-tolerance and the slower run's fastest repeat is above the faster
            run's third quartile; a strategy timed in forward-pass units must also have moved in units
            (a forward pass that moved alone, or a run slowed by load throughout, is not a change;
            the forward pass's own move is shown as changed). Single-run timings and timings from another machine (cpu_model, host, threads,
            blas_core differ) are shown with --all, never counted. Differences of environment.json are
            stated in the heading.
            Exit status: 0 nothing regressed, 1 a regression, 2 unreadable bundles, two different
            experiments, or no case in common.
            """)

    @Argument(help: "Bundle A (the baseline) and bundle B.")
    var bundles: [String] = []

    @Option(name: .long, help: "An experiment folder: compare its two latest runs.")
    var latest: String?

    @Option(name: .long, help: "table, markdown or json.")
    var format: BundleComparison.Format = .table

    @Flag(name: .long, help: "Show unchanged rows too.")
    var all = false

    @Option(name: .long, help: "Relative tolerance for deterministic metrics.")
    var tolerance: Double = 1e-9

    @Option(name: .customLong("timing-tolerance"), help: "Timing ratio tolerance: B/A above 1 + this (with separated repeats) is a regression.")
    var timingTolerance: Double = 0.25

    func run() throws {
        let (a, b): (String, String)
        if let latest {
            guard bundles.isEmpty else { throw UsageError("give either two bundles or --latest DIR, not both") }
            (a, b) = try BundleComparison.latestPair(in: latest)
        } else {
            guard bundles.count == 2 else { throw UsageError("give two bundles: jacobench diff A B (or --latest results/NAME)") }
            (a, b) = (bundles[0], bundles[1])
        }
        let comparison = try BundleComparison.load(a, b, tolerance: tolerance, timingTolerance: timingTolerance)
        let colour = format == .table && isatty(1) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        print(comparison.render(format, all: all, colour: colour), terminator: "")
        if comparison.regressions > 0 { throw ExitCode(ExitStatus.failure) }
    }
}
