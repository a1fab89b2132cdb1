import Foundation
import PackagePlugin

/// Stamps the commit a binary is built from into the Pipeline module: before every build,
/// `scripts/build-stamp.sh` asks git for the checkout's HEAD and whether tracked files differ
/// from it, and writes `BuildStamp+Generated.swift` (`BuildStamp.current`) into this plugin's
/// work folder, rewriting it only when its text changes, so unchanged builds stay incremental.
/// Runs offline (git and sh only); outside a git checkout the stamp says "unknown" (nil).
@main
struct BuildStampPlugin: BuildToolPlugin {
    /// One prebuild command: SwiftPM runs it before each build and compiles what it wrote.
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedSources")
        return [
            .prebuildCommand(
                displayName: "Stamping the build with the checkout's commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appending(path: "scripts/build-stamp.sh").path, package.path, output.path],
                outputFilesDirectory: output)
        ]
    }
}
