import Foundation
import JSONDocuments

/// A bundle read back for `--resume`, every field checked: a missing field or one of the
/// wrong type is a ``BundleError`` naming the file and the field, never a trap or a
/// silently empty result.
struct StoredBundle {
    /// The bundle folder.
    let path: String
    /// resolved.json `manifest_path`.
    let manifestPath: String
    /// resolved.json `overrides`.
    let overrides: [String]
    /// resolved.json `inputs` (absolute path → SHA-256); empty for bundles written before them.
    let inputs: [String: String]
    /// status.json `complete`.
    let complete: Bool
    /// status.json `started`.
    let started: String
    /// status.json `cases`: id → (status, error).
    let statuses: [(id: String, status: CaseStatus, error: String?)]

    init(path: String) throws {
        self.path = path
        let resolvedFile = path + "/resolved.json", statusFile = path + "/status.json"
        let resolved = try BundleFiles.readJSON(resolvedFile)
        let status = try BundleFiles.readJSON(statusFile)
        manifestPath = try Self.field(resolved, "manifest_path", in: resolvedFile) { $0.stringValue }
        overrides = try Self.optionalField(resolved, "overrides", in: resolvedFile) { value in
            value.arrayValue.flatMap { items in
                let texts = items.compactMap(\.stringValue)
                return texts.count == items.count ? texts : nil
            }
        } ?? []
        inputs = try Self.optionalField(resolved, "inputs", in: resolvedFile) { value in
            value.objectValue.flatMap { object in
                let texts = object.compactMapValues(\.stringValue)
                return texts.count == object.count ? texts : nil
            }
        } ?? [:]
        complete = try Self.field(status, "complete", in: statusFile) { value in
            if case .bool(let flag) = value { return flag }
            return nil
        }
        started = try Self.optionalField(status, "started", in: statusFile) { $0.stringValue } ?? ""
        let cases = try Self.field(status, "cases", in: statusFile) { $0.arrayValue }
        statuses = try cases.enumerated().map { index, item in
            let where_ = "cases[\(index)]"
            guard case .object = item else { throw BundleError("\(statusFile): \(where_) is not an object") }
            let id = try Self.field(item, "id", in: statusFile, prefix: where_) { $0.stringValue }
            guard !id.isEmpty, !id.contains("/"), !id.hasPrefix(".") else {
                throw BundleError("\(statusFile): \(where_).id is not a case id")
            }
            let state = try Self.field(item, "status", in: statusFile, prefix: where_) { $0.stringValue.flatMap(CaseStatus.init(rawValue:)) }
            return (id, state, item["error"]?.stringValue)
        }
    }

    /// The cases still in `plan` whose folder holds their metrics, as records (status and error
    /// from status.json, metrics and kinds from the case folder): the finished ones, and the
    /// interrupted ones that kept their fit (still `pending`: a resume reruns them, and keeps
    /// their folder until it does).
    func keptRecords(of plan: ExperimentPlan) throws -> [String: CaseRecord] {
        let legacyKinds = (try? BundleFiles.readJSON(path + "/summary.json"))?["metric_kinds"]?.objectValue ?? [:]
        var kept: [String: CaseRecord] = [:]
        for entry in statuses {
            guard let plannedCase = plan.cases.first(where: { $0.id == entry.id }) else { continue }
            let folder = path + "/cases/" + entry.id
            guard FileManager.default.fileExists(atPath: folder + "/metrics.json") else { continue }
            let metricsFile = folder + "/metrics.json"
            let metrics = try BundleFiles.readJSON(metricsFile)
            guard let values = metrics.objectValue else { throw BundleError("\(metricsFile): not an object of metrics") }
            let kinds = (try? BundleFiles.readJSON(folder + "/metric_kinds.json"))?.objectValue ?? legacyKinds
            var record = CaseRecord.pending(plannedCase)
            record.status = entry.status
            record.error = entry.error
            record.metrics = values.keys.sorted().map { name in
                Metric(name: name, value: values[name] ?? .null,
                       kind: kinds[name]?.stringValue.flatMap(Metric.Kind.init(rawValue:)) ?? .deterministic)
            }
            kept[entry.id] = record
        }
        return kept
    }

    /// `key` of `object` read by `read`; a missing key or a value `read` rejects is an error.
    static func field<T>(_ object: JSONValue, _ key: String, in file: String, prefix: String? = nil, _ read: (JSONValue) -> T?) throws -> T {
        let name = prefix.map { "\($0).\(key)" } ?? key
        guard let value = object[key] else { throw BundleError("\(file): field '\(name)' is missing") }
        guard let typed = read(value) else { throw BundleError("\(file): field '\(name)' has the wrong type") }
        return typed
    }

    /// As ``field(_:_:in:prefix:_:)`` but nil when the key is absent (or null).
    static func optionalField<T>(_ object: JSONValue, _ key: String, in file: String, _ read: (JSONValue) -> T?) throws -> T? {
        guard let value = object[key], value != .null else { return nil }
        guard let typed = read(value) else { throw BundleError("\(file): field '\(key)' has the wrong type") }
        return typed
    }
}

/// summary.json and status.json of any bundle, read with their shape checked, for every
/// command that reads bundles (`report`, `diff`, `collect`, `--pin-from`): a wrong type is a
/// ``BundleError`` naming the file and the field, never a silently empty result.
enum CheckedBundleFiles {
    /// summary.json: `cases` a list of objects, each with a string `id` and `status`, an
    /// object `metrics` of numbers, strings, booleans or nulls, and an object `sweep` when
    /// present; `metric_kinds` an object of strings when present.
    static func summary(_ bundlePath: String) throws -> JSONValue {
        let file = bundlePath + "/summary.json"
        let summary = try BundleFiles.readJSON(file)
        guard case .object = summary else { throw BundleError("\(file): not a JSON object") }
        let cases = try StoredBundle.field(summary, "cases", in: file) { $0.arrayValue }
        if let kinds = summary["metric_kinds"], kinds != .null {
            guard let object = kinds.objectValue, object.values.allSatisfy({ $0.stringValue != nil }) else {
                throw BundleError("\(file): field 'metric_kinds' has the wrong type")
            }
        }
        for (index, item) in cases.enumerated() {
            let prefix = "cases[\(index)]"
            guard case .object = item else { throw BundleError("\(file): \(prefix) is not an object") }
            _ = try StoredBundle.field(item, "id", in: file, prefix: prefix) { $0.stringValue }
            _ = try StoredBundle.field(item, "status", in: file, prefix: prefix) { $0.stringValue.flatMap(CaseStatus.init(rawValue:)) }
            let metrics = try StoredBundle.field(item, "metrics", in: file, prefix: prefix) { $0.objectValue }
            for (name, value) in metrics {
                switch value {
                case .object, .array: throw BundleError("\(file): field '\(prefix).metrics.\(name)' has the wrong type")
                default: break
                }
            }
            if let sweep = item["sweep"], sweep != .null, sweep.objectValue == nil {
                throw BundleError("\(file): field '\(prefix).sweep' has the wrong type")
            }
        }
        return summary
    }

    /// status.json: `complete` a boolean, `cases` a list, `counts` an object of integers when present.
    static func status(_ bundlePath: String) throws -> JSONValue {
        let file = bundlePath + "/status.json"
        let status = try BundleFiles.readJSON(file)
        guard case .object = status else { throw BundleError("\(file): not a JSON object") }
        _ = try StoredBundle.field(status, "complete", in: file) { value -> Bool? in
            if case .bool(let flag) = value { return flag }
            return nil
        }
        _ = try StoredBundle.field(status, "cases", in: file) { $0.arrayValue }
        if let counts = status["counts"], counts != .null {
            guard let object = counts.objectValue, object.values.allSatisfy({ $0.integerValue != nil }) else {
                throw BundleError("\(file): field 'counts' has the wrong type")
            }
        }
        return status
    }
}
