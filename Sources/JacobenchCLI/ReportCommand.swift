import ArgumentParser
import Foundation
import Pipeline

/// `jacobench report BUNDLE`: rewrites summary.md and report.html from the bundle's files
/// (summary.json, environment.json, resolved.json, cases/*/trace.csv), e.g. after the
/// report layout changed. A bundle path that is a `latest` link is followed.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Regenerate summary.md and report.html of an existing result bundle.")

    @Argument(help: "The bundle folder (results/<experiment>/<run> or results/<experiment>/latest).")
    var bundle: String

    func run() throws {
        let path = URL(fileURLWithPath: bundle).resolvingSymlinksInPath().path
        try BundleReport.write(bundlePath: path)
        print("\(path)/report.html\n\(path)/summary.md")
    }
}
