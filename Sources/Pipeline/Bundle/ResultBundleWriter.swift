import Foundation

/// Writes one result bundle: everything goes into a hidden folder beside the final place
/// (`results/<experiment>/.<run-id>.partial`, same filesystem) and is renamed into place by
/// ``finish(records:complete:)``, so a killed run never leaves a folder that looks like a
/// bundle. Each case's files are likewise written into a hidden folder and renamed.
///
/// Only the runner writes files; stages return values.
public final class ResultBundleWriter {
    /// The run id (folder name).
    public let runID: String
    /// Where the finished bundle will be.
    public let finalPath: String
    /// Where it is being written.
    public let partialPath: String
    /// `results/<experiment>`.
    public let experimentDirectory: String
    /// The experiment name.
    public let experiment: String
    /// The description (for summary.md).
    public let experimentDescription: String
    /// ISO 8601 start time.
    public let started: String
    /// When resuming: the bundle being replaced (the finished bundle, or the hidden
    /// `.partial` folder a killed run left).
    private let replacing: String?
    /// Cases written so far (a failing disk keeps them: the partial folder is resumable).
    public private(set) var writtenCases = 0
    /// What went wrong after the bundle was complete and in place (the `latest` link).
    public private(set) var warnings: [String] = []

    private init(runID: String, experimentDirectory: String, experiment: String, description: String, partialPath: String, started: String, replacing: String?) {
        self.runID = runID
        self.experimentDirectory = experimentDirectory
        self.experiment = experiment
        self.experimentDescription = description
        self.finalPath = experimentDirectory + "/" + runID
        self.partialPath = partialPath
        self.started = started
        self.replacing = replacing
    }

    /// Reserves a new run id under `resultsDirectory/experiment` and creates its partial folder.
    ///
    /// - Throws: ``BundleError`` when the results folder cannot be created or written
    ///   (before any case runs).
    public static func create(resultsDirectory: String, experiment: String, description: String) throws -> ResultBundleWriter {
        try ResultsFolder.check(resultsDirectory)
        let experimentDirectory = resultsDirectory + "/" + experiment
        try ResultsFolder.check(experimentDirectory)
        try BundleFiles.makeDirectory(experimentDirectory)
        guard FileManager.default.isWritableFile(atPath: experimentDirectory) else {
            throw BundleError("results folder \(experimentDirectory) is not writable")
        }
        for _ in 0..<64 {
            let runID = RunIdentifier.make()
            let partial = experimentDirectory + "/." + runID + ".partial"
            guard !FileManager.default.fileExists(atPath: experimentDirectory + "/" + runID),
                  try BundleFiles.makeDirectoryExclusively(partial) else { continue }
            let writer = ResultBundleWriter(
                runID: runID, experimentDirectory: experimentDirectory, experiment: experiment, description: description,
                partialPath: partial, started: EnvironmentRecord.iso8601(Date()), replacing: nil)
            try BundleFiles.makeDirectory(partial + "/cases")
            return writer
        }
        throw BundleError("could not reserve a new run id in \(experimentDirectory)")
    }

    /// A writer that rebuilds `bundlePath` beside it, copying `keptCases`' folders and the
    /// run-level files, for `--resume`; ``finish(records:complete:)`` swaps it in. `bundlePath`
    /// may be the hidden `.<run-id>.partial` folder a killed run left: the bundle then
    /// appears at `<run-id>`.
    public static func resuming(bundlePath: String, experiment: String, description: String, started: String, keptCases: [String]) throws -> ResultBundleWriter {
        let url = URL(fileURLWithPath: bundlePath).standardizedFileURL
        let runID = RunIdentifier.of(bundleFolder: url.lastPathComponent)
        let experimentDirectory = url.deletingLastPathComponent().path
        let partial = experimentDirectory + "/." + runID + ".resume-\(getpid())"
        guard try BundleFiles.makeDirectoryExclusively(partial) else {
            throw BundleError("\(partial) exists: is another resume of this bundle running?")
        }
        try BundleFiles.makeDirectory(partial + "/cases")
        do {
            for name in ["manifest.yaml", "resolved.json", "environment.json"] {
                try FileManager.default.copyItem(atPath: url.path + "/" + name, toPath: partial + "/" + name)
            }
            for id in keptCases {
                try FileManager.default.copyItem(atPath: url.path + "/cases/" + id, toPath: partial + "/cases/" + id)
            }
        } catch {
            throw BundleError("cannot copy \(bundlePath) for resuming: \(error.localizedDescription)")
        }
        return ResultBundleWriter(
            runID: runID, experimentDirectory: experimentDirectory, experiment: experiment, description: description,
            partialPath: partial, started: started, replacing: url.path)
    }

    /// Writes a run-level file (`manifest.yaml`, `resolved.json`, `environment.json`).
    public func write(_ name: String, _ text: String) throws {
        try BundleFiles.write(text, to: partialPath + "/" + name)
    }

    /// Writes `cases/<id>/` (metrics, parameters, trace, timings) and renames it into place.
    public func writeCase(_ record: CaseRecord) throws {
        let folder = partialPath + "/cases/" + record.id
        let temporary = partialPath + "/cases/." + record.id + ".partial"
        try? FileManager.default.removeItem(atPath: temporary)
        try? FileManager.default.removeItem(atPath: folder)
        try BundleFiles.makeDirectory(temporary)
        try BundleFiles.write(BundleDocuments.metrics(record), to: temporary + "/metrics.json")
        try BundleFiles.write(BundleDocuments.parameters(record), to: temporary + "/parameters.json")
        try BundleFiles.write(BundleDocuments.parametersCSV(record), to: temporary + "/parameters.csv")
        if let curve = BundleDocuments.fitCurve(record) { try BundleFiles.write(curve, to: temporary + "/fit.csv") }
        if let weights = record.weights { try BundleFiles.write(bytes: weights, to: temporary + "/weights.safetensors") }
        try BundleFiles.write(BundleDocuments.trace(record), to: temporary + "/trace.csv")
        try BundleFiles.write(BundleDocuments.timings(record), to: temporary + "/timings.csv")
        try BundleFiles.write(BundleDocuments.metricKinds(record), to: temporary + "/metric_kinds.json")
        if let error = record.error { try BundleFiles.write(error + "\n", to: temporary + "/error.txt") }
        try BundleFiles.rename(temporary, to: folder)
        writtenCases += 1
    }

    /// Rewrites `status.json` in the partial folder (after every case, so progress is visible).
    public func writeStatus(records: [CaseRecord], complete: Bool) throws {
        try write("status.json", BundleDocuments.status(
            experiment: experiment, run: runID, records: records, complete: complete, started: started,
            updated: EnvironmentRecord.iso8601(Date())))
    }

    /// Writes status, summary.json, summary.md and report.html, then renames the folder into place and
    /// points `latest` at it. Returns the bundle's path.
    @discardableResult
    public func finish(records: [CaseRecord], complete: Bool) throws -> String {
        try writeStatus(records: records, complete: complete)
        let summary = BundleDocuments.summary(experiment: experiment, run: runID, records: records, complete: complete)
        try write("summary.json", summary.text())
        try BundleReport.write(bundlePath: partialPath, description: experimentDescription)
        if let replacing {
            let retired = experimentDirectory + "/." + runID + ".replaced-\(getpid())"
            try BundleFiles.rename(replacing, to: retired)
            try BundleFiles.rename(partialPath, to: finalPath)
            try? FileManager.default.removeItem(atPath: retired)
        } else {
            try BundleFiles.rename(partialPath, to: finalPath)
        }
        do {
            try BundleFiles.pointLink(experimentDirectory + "/latest", at: runID)
        } catch {
            // The bundle is complete and in place; only the convenience link is stale.
            warnings.append("\(error); the bundle itself is complete at \(finalPath)")
        }
        return finalPath
    }

    /// Removes the partial folder (used when a run fails before any case).
    public func discard() {
        try? FileManager.default.removeItem(atPath: partialPath)
    }
}
