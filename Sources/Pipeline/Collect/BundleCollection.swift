import Foundation
import YAMLDecoding

/// One result bundle found under a results folder, read from its status.json and summary.json.
public struct CollectedBundle: Sendable, Equatable {
    /// The bundle folder.
    public var path: String
    /// The experiment name (status.json `experiment`, else the parent folder's name).
    public var experiment: String
    /// The run id (status.json `run`, else the folder's name).
    public var run: String
    /// Whether every case ran (status.json `complete`).
    public var complete: Bool
    /// Cases with status ok.
    public var ok: Int
    /// Cases with status failed.
    public var failed: Int
    /// Cases not run yet (an interrupted run).
    public var pending: Int
    /// Cases recorded as skipped because a manifest limit ruled them out (memory cap, time
    /// budget); counted apart from `ok`, since they have no metrics.
    public var skipped: Int
    /// Key metrics, each the worst value over the bundle's cases (see ``BundleCollection/keyMetrics``).
    public var metrics: [String: Double]
}

/// Which bundles a manifest of the collected directory has.
public struct ManifestCoverage: Sendable, Equatable {
    /// The manifest file.
    public var manifest: String
    /// Its top-level `name`.
    public var name: String
    /// Run ids of its complete bundles, sorted.
    public var completeRuns: [String]
    /// Run ids of its incomplete bundles, sorted.
    public var incompleteRuns: [String]
}

/// Every bundle under a results folder in one table, and (given a folder of manifests)
/// which manifests have no complete bundle yet or more than one — what `jacobench collect`
/// prints after a SLURM job array so a user can resubmit only what is missing.
///
/// Layout read: `RESULTS/<experiment>/<run>/status.json` (+ `summary.json` for metrics);
/// hidden folders (`.<run>.partial`), symlinks (`latest`) and plain files are ignored.
public struct BundleCollection: Sendable {
    /// Metrics shown per bundle and how cases are reduced to one value: the worst case
    /// (largest cost/error, fewest correct digits).
    public static let keyMetrics: [(name: String, worstIsLargest: Bool)] = [
        ("fit.final_cost", true), ("fit.test_rmse", true), ("nist.lre_min", false),
    ]

    /// Every bundle, sorted by experiment then run.
    public var bundles: [CollectedBundle]
    /// One entry per manifest of the directory (empty without `--manifests`), sorted by file.
    public var manifests: [ManifestCoverage]

    /// Manifests without any complete bundle.
    public var missing: [ManifestCoverage] { manifests.filter { $0.completeRuns.isEmpty } }
    /// Manifests with more than one complete bundle.
    public var duplicated: [ManifestCoverage] { manifests.filter { $0.completeRuns.count > 1 } }
    /// True when every manifest has exactly one complete bundle.
    public var isEveryManifestCompleteOnce: Bool { missing.isEmpty && duplicated.isEmpty }

    /// Reads every bundle under `results`, and the manifests (`*.yaml`, `*.yml`) of `manifestDirectory`.
    ///
    /// - Throws: ``BundleError`` for an unreadable results folder or a manifest without a
    ///   `name`; `YAMLError` for a manifest that is not YAML. A bundle whose status.json or
    ///   summary.json is malformed is skipped with a warning on stderr.
    public static func load(results: String, manifestDirectory: String? = nil) throws -> BundleCollection {
        let bundles = try readBundles(results)
        var coverage: [ManifestCoverage] = []
        if let manifestDirectory {
            for manifest in try BatchPlan.manifests(in: manifestDirectory, shard: nil) {
                let name = try manifestName(manifest)
                let own = bundles.filter { $0.experiment == name }
                coverage.append(ManifestCoverage(
                    manifest: manifest, name: name,
                    completeRuns: own.filter(\.complete).map(\.run).sorted(),
                    incompleteRuns: own.filter { !$0.complete }.map(\.run).sorted()))
            }
        }
        return BundleCollection(bundles: bundles, manifests: coverage)
    }

    /// The bundles under `results`, sorted; a bundle whose files are malformed is skipped with
    /// a warning to `warn` (stderr by default) naming it and what is wrong.
    static func readBundles(_ results: String, warn: (String) -> Void = { FileHandle.standardError.write(Data("jacobench: warning: \($0)\n".utf8)) }) throws -> [CollectedBundle] {
        let files = FileManager.default
        guard let experiments = try? files.contentsOfDirectory(atPath: results) else {
            throw BundleError("cannot read the results folder \(results)")
        }
        var bundles: [CollectedBundle] = []
        for experiment in experiments where isVisibleFolder(results + "/" + experiment) {
            let folder = results + "/" + experiment
            for run in (try? files.contentsOfDirectory(atPath: folder)) ?? [] where isVisibleFolder(folder + "/" + run) {
                let path = folder + "/" + run
                guard files.fileExists(atPath: path + "/status.json") else { continue }
                do {
                    bundles.append(try readBundle(path, experiment: experiment, run: run))
                } catch let error as BundleError {
                    // One bad bundle does not hide the others.
                    warn("skipping \(path): \(error.message)")
                }
            }
        }
        return bundles.sorted { ($0.experiment, $0.run) < ($1.experiment, $1.run) }
    }

    /// One bundle: counts and completeness from status.json, key metrics from summary.json (when present).
    static func readBundle(_ path: String, experiment: String, run: String) throws -> CollectedBundle {
        let status = try CheckedBundleFiles.status(path)
        let counts = status["counts"]
        var bundle = CollectedBundle(
            path: path, experiment: status["experiment"]?.stringValue ?? experiment, run: status["run"]?.stringValue ?? run,
            complete: status["complete"] == .bool(true),
            ok: counts?["ok"]?.integerValue ?? 0, failed: counts?["failed"]?.integerValue ?? 0,
            pending: counts?["pending"]?.integerValue ?? 0, skipped: counts?["skipped"]?.integerValue ?? 0, metrics: [:])
        guard FileManager.default.fileExists(atPath: path + "/summary.json") else { return bundle }
        let cases = try CheckedBundleFiles.summary(path)["cases"]?.arrayValue ?? []
        for (name, worstIsLargest) in keyMetrics {
            let values = cases.compactMap { $0["metrics"]?[name]?.numberValue }
            guard let worst = worstIsLargest ? values.max() : values.min() else { continue }
            bundle.metrics[name] = worst
        }
        return bundle
    }

    /// A manifest's top-level `name` (read without validating the rest of the manifest).
    static func manifestName(_ path: String) throws -> String {
        let text = try BundleFiles.read(path)
        if case .mapping(let entries, _) = try YAMLParser.parse(text, file: path),
           let entry = entries.first(where: { $0.key == "name" }), case .scalar(let scalar) = entry.value, !scalar.value.isEmpty {
            return scalar.value
        }
        throw BundleError("\(path): the manifest has no top-level `name`, so its bundles cannot be found")
    }

    private static func isVisibleFolder(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        guard !name.hasPrefix("."), let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return false }
        return attributes[.type] as? FileAttributeType == .typeDirectory
    }
}
