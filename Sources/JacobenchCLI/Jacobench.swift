import ArgumentParser

/// The `jacobench` command: runs experiment manifests and compares result bundles.
@main
struct JacobenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jacobench",
        abstract: "Jacobians of small networks and formula models by every strategy, measured side by side.",
        version: JacobenchVersion.current,
        subcommands: []
    )
}
