import JSONDocuments

/// A field of environment.json that differs between two bundles (`diff` states it in its
/// heading).
public struct EnvironmentDifference: Sendable, Equatable {
    /// The field: `cpu_model`, `host`, `threads`, `blas_core` or `build_commit`.
    public var field: String
    /// Its text in A (`?` when not recorded).
    public var a: String
    /// Its text in B.
    public var b: String

    /// The fields compared, in the order stated. `build_commit` is the commit the binary was
    /// built from, ` (dirty)` appended when its tracked files had changes (for bundles written
    /// before build stamps, their `commit`).
    public static let fields = ["cpu_model", "host", "threads", "blas_core", "build_commit"]
    /// The fields that make timings incomparable: a different machine, kernels or thread
    /// count. A different build alone is what a comparison is usually for.
    public static let machineFields: Set<String> = ["cpu_model", "host", "threads", "blas_core"]

    /// Whether this difference is of the machine (timings across it are not judged).
    public var isMachine: Bool { Self.machineFields.contains(field) }

    /// The differences between two environment records; a field missing from both is
    /// skipped, `threads` falls back to `blas_threads` and `build_commit` to `commit` for
    /// bundles written before they existed.
    public static func between(_ a: JSONValue, _ b: JSONValue) -> [EnvironmentDifference] {
        fields.compactMap { field in
            let valueA = value(field, in: a), valueB = value(field, in: b)
            guard valueA != nil || valueB != nil, valueA != valueB else { return nil }
            return EnvironmentDifference(field: field, a: valueA ?? "?", b: valueB ?? "?")
        }
    }

    static func value(_ field: String, in record: JSONValue) -> String? {
        if field == "build_commit" { return EnvironmentRecord.buildCommitText(of: record) }
        var value = record[field]
        if field == "threads", value == nil || value == .null { value = record["blas_threads"] }
        guard let value, value != .null else { return nil }
        return value.stringValue ?? value.canonicalText
    }

    /// `threads 1 → 4`; a commit shortened to 12 characters (`build_commit 3e45cb2f1a0c →
    /// 1043d9f2b7c1 (dirty)`).
    public var phrase: String {
        let shorten = { (text: String) -> String in
            guard field == "build_commit" else { return text }
            let hash = text.prefix { $0 != " " }
            return hash.count > 12 ? String(hash.prefix(12)) + text.dropFirst(hash.count) : text
        }
        return "\(field) \(shorten(a)) → \(shorten(b))"
    }
}

/// Two bundles `diff` cannot compare: different experiments, or no case in common.
public struct BundleMismatch: Error, CustomStringConvertible, Equatable {
    /// What differs, naming both bundles.
    public var description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}
