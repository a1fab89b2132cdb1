import ArgumentParser
import Foundation
import Pipeline

extension BundleCollection.Format: ExpressibleByArgument {}

/// `jacobench collect RESULTS [--manifests DIR] [--require-complete] [--format table|json]`.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Gather every bundle under a results folder into one table; say which manifests have no complete bundle.",
        discussion: """
            After a sharded batch (e.g. a SLURM job array), lists each bundle's cases ok/failed and key
            metrics. With --manifests DIR, names the manifests of DIR without a complete bundle (resubmit
            those) and those with more than one. --require-complete exits 1 unless every manifest of DIR
            has exactly one complete bundle.
            """)

    @Argument(help: "The results folder (RESULTS/<experiment>/<run>/).")
    var results: String

    @Option(name: .long, help: "A folder of manifests to check against the bundles.")
    var manifests: String?

    @Flag(name: .customLong("require-complete"), help: "Exit 1 unless every manifest of --manifests has exactly one complete bundle.")
    var requireComplete = false

    @Option(name: .long, help: "table or json.")
    var format: BundleCollection.Format = .table

    func run() throws {
        guard !requireComplete || manifests != nil else { throw UsageError("--require-complete needs --manifests DIR") }
        let collection = try BundleCollection.load(results: results, manifestDirectory: manifests)
        print(collection.render(format), terminator: "")
        if requireComplete && !collection.isEveryManifestCompleteOnce { throw ExitCode(ExitStatus.failure) }
    }
}
