import Foundation
import Testing

/// Compares rendered text with a golden file in `Tests/ReportsTests/Snapshots/`.
///
/// To (re)record the golden files after an intended change in rendering, run
///
///     JACOBENCH_RECORD_SNAPSHOTS=1 swift test --skip-build --filter ReportsTests
///
/// then look at the changed files (`git diff`, or convert an SVG with
/// `rsvg-convert -o /tmp/chart.png Tests/ReportsTests/Snapshots/NAME.svg`) before committing.
/// A missing golden file is a failure, never silently recorded.
func expectSnapshot(
    _ actual: String, named name: String, filePath: String = #filePath, sourceLocation: SourceLocation = #_sourceLocation
) {
    let folder = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = folder.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["JACOBENCH_RECORD_SNAPSHOTS"] == "1" {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            Issue.record("could not record snapshot \(file.path): \(error)", sourceLocation: sourceLocation)
        }
        return
    }
    guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record(
            "missing snapshot \(file.path); record it with JACOBENCH_RECORD_SNAPSHOTS=1 swift test --skip-build --filter ReportsTests",
            sourceLocation: sourceLocation
        )
        return
    }
    guard expected != actual else { return }
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let firstDifference = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(expectedLines.count, actualLines.count)
    let expectedLine = firstDifference < expectedLines.count ? String(expectedLines[firstDifference]) : "<end of file>"
    let actualLine = firstDifference < actualLines.count ? String(actualLines[firstDifference]) : "<end of file>"
    Issue.record(
        """
        snapshot \(name) differs at line \(firstDifference + 1):
          expected: \(expectedLine)
          actual:   \(actualLine)
        If the change is intended, re-record with JACOBENCH_RECORD_SNAPSHOTS=1.
        """,
        sourceLocation: sourceLocation
    )
}
