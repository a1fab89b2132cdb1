import Datasets
import Foundation
import JSONDocuments
import YAMLDecoding
import MessageText

/// A manifest read, overridden, swept, defaulted, decoded and checked: every case ready to
/// run. Building a plan runs no stage; any problem is a located `YAMLError` (exit 2).
public struct ExperimentPlan: Sendable {
    /// The manifest path as given.
    public var manifestPath: String
    /// The manifest text as given (copied into the bundle).
    public var manifestText: String
    /// `--set` overrides as given (`model.layers=[5,32,3]`).
    public var overrides: [String]
    /// The experiment name (`name:`), used as the results folder.
    public var name: String
    /// The description.
    public var description: String
    /// The manifest seed.
    public var seed: UInt64
    /// How many replicates each sweep case has (`replicates:`, default 1).
    public var replicates: Int
    /// The sweep keys in the order written.
    public var sweepKeys: [String]
    /// Every case, first sweep axis outermost.
    public var cases: [PlannedCase]

    /// Reads and checks `path` against `registry`.
    ///
    /// - Parameter overrides: `key.path=value` strings; the value is YAML (`[5, 32, 3]`,
    ///   `{kind: adam}`); `sweep.model.layers=[…]` replaces a sweep axis.
    /// - Throws: `YAMLError` naming file:line:column and the field.
    public static func load(path: String, overrides: [String] = [], registry: PluginRegistry) throws -> ExperimentPlan {
        let data: Data
        do throws(InputFileError) {
            data = try InputFile.read(path)
        } catch {
            throw YAMLError(location: nil, keyPath: "", message: "\(path): cannot read the manifest: it \(error.reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw YAMLError(location: SourceLocation(file: path, line: 1, column: 1), message: "the manifest is not UTF-8 text")
        }
        return try plan(text: text, path: path, overrides: overrides, registry: registry)
    }

    /// Builds a plan from manifest text; `path` names it in messages and anchors relative file names.
    ///
    /// Sizes are checked against `memoryBudget` (``MemoryBudget/system`` unless a test gives
    /// another; `limits.memory-cap` replaces it) before anything is built.
    public static func plan(
        text: String, path: String, overrides: [String] = [], registry: PluginRegistry, memoryBudget: MemoryBudget = .system
    ) throws -> ExperimentPlan {
        var root = try YAMLParser.parse(text, file: path)
        guard case .mapping = root else {
            throw YAMLError(location: root.location, message: "a manifest is a mapping of fields (name, data, model, …), got \(root.summary)")
        }
        root = root.fillingDefaults(from: try ManifestDefaults.node())
        for override in overrides { root = try apply(override: override, to: root) }
        let maximumCases: Int
        do {
            // Read before the sweep is expanded: its size is checked from the axes' lengths.
            maximumCases = try root["limits"].map { try YAMLNodeDecoder().decode(RunLimits.self, from: $0, keyPath: ["limits"]).maximumCases }
                ?? RunLimits.defaultMaximumCases
        } catch let error as YAMLError {
            throw error.suggestingKey(among: RunLimits.fieldNames)
        }
        let sweepPlan = try SweepAxis.assignments(
            from: root["sweep"] ?? .scalar(YAMLScalar(value: "", location: root.location)), maximumCases: maximumCases)
        let base = root.removing(key: "sweep")
        let directory = (URL(fileURLWithPath: path).deletingLastPathComponent().path)

        var cases: [PlannedCase] = []
        var head: ManifestHead?
        var preparedSections = ManifestSectionCache()
        let grid = sweepPlan.grid
        let replicates = try Replicates.count(in: root, sweepCases: grid.count, maximumCases: maximumCases)
        var index = 0
        for assignment in grid {
            var tree = base
            var sweep: [String: JSONValue] = [:]
            for (axis, value) in assignment {
                tree = try axis.applying(value, to: tree)
                sweep[axis.key] = value.jsonValue
            }
            let caseHead: ManifestHead, jacobian: JacobianSettings, limits: RunLimits
            do {
                caseHead = try YAMLNodeDecoder().decode(ManifestHead.self, from: tree)
                jacobian = try preparedSections.jacobian(caseHead.jacobian)
                limits = try preparedSections.limits(caseHead.limits)
            } catch let error as YAMLError {
                let candidates = error.keyPath == "jacobian" ? ["with-respect-to", "strategies", "reference", "auto"]
                    : error.keyPath == "limits" ? RunLimits.fieldNames : ManifestHead.fieldNames
                throw error.suggestingKey(among: candidates)
            }
            head = head ?? caseHead
            for replicate in 0..<replicates {
                cases.append(try PlannedCase(
                    index: index, sweep: sweep, sweepKeys: sweepPlan.keys.filter { sweep[$0] != nil }, replicate: replicate, tree: tree,
                    head: caseHead, jacobian: jacobian, limits: limits, manifestDirectory: directory, registry: registry,
                    memoryBudget: memoryBudget, cache: &preparedSections))
                index += 1
            }
        }
        guard let head else { throw YAMLError(location: root.location, message: "the sweep produced no cases") }
        try checkFiles(of: cases)
        try preflightData(of: cases)
        assignIdentifiers(&cases)
        return ExperimentPlan(
            manifestPath: path, manifestText: text, overrides: overrides, name: head.name, description: head.description,
            seed: head.seed, replicates: replicates,
            sweepKeys: sweepPlan.keys + (replicates > 1 ? [PlannedCase.replicateKey] : []), cases: cases)
    }

    /// Applies one `key.path=value` override.
    static func apply(override: String, to root: YAMLNode) throws -> YAMLNode {
        let location = SourceLocation(file: "--set \(override)", line: 1, column: 1)
        guard let equals = override.firstIndex(of: "="), equals != override.startIndex else {
            throw YAMLError(location: location, message: "expected --set key.path=value, e.g. --set model.layers=[5,32,3]")
        }
        let key = String(override[..<equals])
        let value = try YAMLParser.parse(value: String(override[override.index(after: equals)...]), file: "--set \(key)")
        var path = YAMLNode.pathComponents(key)
        var tree = root
        if path.first == "sweep", path.count > 1 {
            path = ["sweep", String(key.dropFirst("sweep.".count))]
            if tree["sweep"] == nil { tree = try tree.replacingValue(atPath: ["sweep"], with: .mapping([], location)) }
        }
        guard let first = path.first, (SweepAxis.sweepableFields + ["name", "sweep", "replicates"]).contains(first), !path.contains("") else {
            let known = SweepAxis.sweepableFields + ["name", "sweep", "replicates"]
            let suggestion = KeySuggestion.closest(to: path.first ?? key, among: known).map { " (did you mean '\($0)')?" } ?? ""
            throw YAMLError(location: location, keyPath: key, message: "--set key \(QuotedText.quoted(key)) names no field\(suggestion)")
        }
        return try tree.replacingValue(atPath: path, with: value)
    }

    /// Every file any case names must exist and be readable.
    static func checkFiles(of cases: [PlannedCase]) throws {
        var checked = Set<String>()
        for plannedCase in cases {
            for (name, location) in plannedCase.files {
                let path = name.hasPrefix("/") ? name : plannedCase.manifestDirectory + "/" + name
                guard checked.insert(path).inserted else { continue }
                var isDirectory: ObjCBool = false
                let shownPath = QuotedText.quoted(path, limit: QuotedText.maximumPathShown)
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    var link = stat()
                    if lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK {
                        throw YAMLError(location: location, message: "file \(QuotedText.quoted(name)) is a symbolic link that leads nowhere (a loop or a missing target; \(shownPath))")
                    }
                    throw YAMLError(location: location, message: "file \(QuotedText.quoted(name)) does not exist (looked at \(shownPath))")
                }
                guard !isDirectory.boolValue, FileManager.default.isReadableFile(atPath: path) else {
                    throw YAMLError(location: location, message: "file \(QuotedText.quoted(name)) is \(isDirectory.boolValue ? "a directory" : "not readable") (\(shownPath))")
                }
            }
        }
    }

    /// Reads every distinct data section's files once (a malformed CSV or NIST file is an
    /// input error, located at the field naming it).
    static func preflightData(of cases: [PlannedCase]) throws {
        var done = Set<String>()
        for plannedCase in cases where !plannedCase.data.files.isEmpty {
            guard done.insert(plannedCase.data.resolved.jsonValue.canonicalText).inserted else { continue }
            do {
                try plannedCase.data.preflight(StageEnvironment(seeds: plannedCase.seeds, manifestDirectory: plannedCase.manifestDirectory))
            } catch {
                throw YAMLError(location: plannedCase.data.files.first?.location, keyPath: "data", message: "\(error)")
            }
        }
    }

    /// Case ids: readable slugs of the sweep values (`layers=5x9x3`), with a short hash of
    /// the assignment appended when slugs collide or were shortened; `default` without a sweep.
    static func assignIdentifiers(_ cases: inout [PlannedCase]) {
        let slugs = cases.map { CaseIdentifier.slug(sweep: $0.sweep, keys: $0.sweepKeys) }
        var counts: [String: Int] = [:]
        for slug in slugs { counts[slug.text, default: 0] += 1 }
        for index in cases.indices {
            let slug = slugs[index]
            if counts[slug.text, default: 0] > 1 || slug.truncated {
                var hash = StableHash()
                hash.combine(JSONValue.object(cases[index].sweep).canonicalText)
                cases[index].id = slug.text + "-" + hash.hex(6)
            } else {
                cases[index].id = slug.text
            }
        }
    }
}

/// The top-level fields of one case's manifest tree; stage sections stay YAML until their
/// plugin decodes them.
struct ManifestHead: Decodable {
    var name: String
    var description: String
    /// Most bytes a `description` may have (4 KiB).
    static let maximumDescriptionBytes = 4096
    var seed: UInt64
    var replicates: Int
    var data: YAMLNode
    var model: YAMLNode
    /// The `jacobian:` section, decoded into ``JacobianSettings`` by the planning's cache.
    var jacobian: YAMLNode
    var solver: YAMLNode?
    var evaluation: [YAMLNode]
    /// The `limits:` section, nil without one, decoded into ``RunLimits`` by the planning's cache.
    var limits: YAMLNode?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, seed, replicates, data, model, jacobian, solver, evaluation, limits
    }

    /// The longest experiment name: it is a folder name (at most 255 bytes on Linux), and the
    /// bundle's own folder and the `latest` link go beside it.
    static let maximumNameLength = 100

    /// The characters an experiment name may hold.
    private static let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")

    /// Why `name` cannot name a results folder, or nil: letters, digits, '.', '_' and '-' only,
    /// not starting with '.' (hidden, `.` or `..`) or '-' (read as an option by shell tools),
    /// at most ``maximumNameLength`` characters.
    static func nameProblem(_ name: String) -> String? {
        guard let first = name.first else { return "is empty" }
        guard name.allSatisfy({ nameCharacters.contains($0) }) else { return "must be letters, digits, '.', '_' or '-'" }
        guard first != ".", first != "-" else { return "must not start with '.' or '-'" }
        guard name.count <= maximumNameLength else { return "has \(name.count) characters, more than \(maximumNameLength)" }
        return nil
    }

    /// Every top-level key a manifest may have.
    static let fieldNames = CodingKeys.allCases.map(\.rawValue) + ["sweep"]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        if let problem = Self.nameProblem(name) {
            throw DecodingError.dataCorruptedError(
                forKey: .name, in: container, debugDescription: "name \(QuotedText.quoted(name)) \(problem) (it names the results folder)")
        }
        description = try container.decode(String.self, forKey: .description)
        // The description is copied into summary.md and report.html: bounded, not megabytes.
        guard description.utf8.count <= Self.maximumDescriptionBytes else {
            throw DecodingError.dataCorruptedError(
                forKey: .description, in: container,
                debugDescription: "the description has \(description.utf8.count) bytes, more than \(Self.maximumDescriptionBytes); keep long notes in a file beside the manifest")
        }
        let seedValue = try container.decode(Int.self, forKey: .seed)
        guard seedValue >= 0, UInt64(seedValue) <= CaseSeed.maximum else {
            throw DecodingError.dataCorruptedError(forKey: .seed, in: container, debugDescription: "seed must be an integer from 0 to 2^53-1, got \(seedValue)")
        }
        seed = UInt64(seedValue)
        replicates = try container.decode(Int.self, forKey: .replicates)
        data = try container.decode(YAMLNode.self, forKey: .data)
        model = try container.decode(YAMLNode.self, forKey: .model)
        jacobian = try container.decode(YAMLNode.self, forKey: .jacobian)
        solver = try container.decodeIfPresent(YAMLNode.self, forKey: .solver)
        if solver?.isNull == true { solver = nil }
        evaluation = try container.decode([YAMLNode].self, forKey: .evaluation)
        limits = try container.decodeIfPresent(YAMLNode.self, forKey: .limits)
        if limits?.isNull == true { limits = nil }
    }
}
