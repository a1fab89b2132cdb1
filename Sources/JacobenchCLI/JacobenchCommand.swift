import ArgumentParser
import Foundation
import Pipeline

/// The `jacobench` command: runs experiment manifests and compares result bundles.
@main
struct JacobenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jacobench",
        abstract: "Jacobians of small networks and formula models by every strategy, measured side by side.",
        version: JacobenchVersion.described,
        subcommands: [RunCommand.self, ValidateCommand.self, ListCommand.self, AdviseCommand.self, BatchCommand.self, DiffCommand.self, ExportCaseCommand.self, ReportCommand.self, CollectCommand.self]
    )

    /// Parses, runs, and maps every outcome to an exit status in one place (``ExitStatus``).
    static func main() {
        OpenBLASKernelChoice.apply()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = ExitStatus.code(for: error)
            let message = ExitStatus.isOwnError(error) ? "jacobench: error: \(error)" : fullMessage(for: error)
            if !message.isEmpty {
                if code == 0 { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
            Foundation.exit(code)
        }
    }
}
