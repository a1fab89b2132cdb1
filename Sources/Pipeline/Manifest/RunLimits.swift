import Foundation

/// The manifest's `limits:` section: what a case may cost before it runs.
///
///     limits:
///       memory-cap: 2 GiB       # a strategy (or a whole case) predicted above this is skipped
///       time-budget: 2 min      # a case predicted (or running) past this is skipped / cut short
///       chunk-above: 256 MiB    # vectorized strategies without `chunk` are chunked to stay under this
///       max-cases: 100000       # most cases a plan may have (sweep × replicates), checked before expanding
///
/// Sizes take B, kB/KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024),
/// or a bare number of bytes; durations take ms, s, min, h or a bare number of seconds.
/// Predictions come from ``JacobianCostModel``; a skipped case or strategy is recorded with
/// the predicted value and the limit, never dropped.
public struct RunLimits: Decodable, Sendable, Equatable {
    /// Bytes a case's Jacobian computation may take; nil: no cap.
    public var memoryCap: Int?
    /// Seconds a case may take; nil: no budget.
    public var timeBudget: Double?
    /// Peak bytes above which `forward-vectorized` / `reverse-vectorized` without an
    /// explicit `chunk` run chunked (the smaller of this and the memory cap).
    public var chunkAbove: Int
    /// Most cases a plan may have (sweep combinations × replicates).
    public var maximumCases: Int

    /// 100,000 cases: far more than a run finishes in a day, far fewer than fill memory.
    public static let defaultMaximumCases = 100_000

    /// 256 MiB: a vectorized sweep over the whole batch stays in memory on any laptop.
    public static let defaultChunkAbove = 256 << 20

    /// No cap, no budget, default chunking.
    public static let standard = RunLimits(memoryCap: nil, timeBudget: nil, chunkAbove: defaultChunkAbove)

    /// Limits; see the properties.
    public init(memoryCap: Int?, timeBudget: Double?, chunkAbove: Int = defaultChunkAbove, maximumCases: Int = defaultMaximumCases) {
        self.memoryCap = memoryCap
        self.timeBudget = timeBudget
        self.chunkAbove = chunkAbove
        self.maximumCases = maximumCases
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case memoryCap = "memory-cap"
        case timeBudget = "time-budget"
        case chunkAbove = "chunk-above"
        case maximumCases = "max-cases"
    }

    /// Every key of the section.
    static let fieldNames = CodingKeys.allCases.map(\.rawValue)

    /// Decodes sizes and durations written with units; errors name the field and the value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String? {
            guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
            return try container.decode(String.self, forKey: key)
        }
        func fail(_ key: CodingKeys, _ message: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
        }
        memoryCap = try text(.memoryCap).map { value in
            do { return try Self.bytes(value) } catch let problem as LimitValueProblem { throw fail(.memoryCap, problem.message) }
        }
        timeBudget = try text(.timeBudget).map { value in
            do { return try Self.seconds(value) } catch let problem as LimitValueProblem { throw fail(.timeBudget, problem.message) }
        }
        chunkAbove = try text(.chunkAbove).map { value in
            do { return try Self.bytes(value) } catch let problem as LimitValueProblem { throw fail(.chunkAbove, problem.message) }
        } ?? Self.defaultChunkAbove
        let cases = try container.decodeIfPresent(Int.self, forKey: .maximumCases) ?? Self.defaultMaximumCases
        guard cases >= 1 else { throw fail(.maximumCases, "must be at least 1, got \(cases)") }
        maximumCases = cases
    }

    /// Whether the manifest bounds its cases (a memory cap or a time budget): then a case
    /// over a limit is recorded as skipped instead of refused.
    public var boundsCases: Bool { memoryCap != nil || timeBudget != nil }

    /// The byte budget vectorized strategies are chunked to: the smaller of `chunk-above` and the cap.
    public var chunkBudget: Int { min(chunkAbove, memoryCap ?? Int.max) }

    /// Bytes from "2 GiB", "1.5GB", "512 MiB", "4096".
    static func bytes(_ text: String) throws -> Int {
        let units: [String: Double] = [
            "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
            "kib": 1024, "mib": 1_048_576, "gib": 1_073_741_824, "tib": 1_099_511_627_776,
        ]
        let (number, unit) = split(text)
        guard let number, let factor = unit.isEmpty ? 1 : units[unit.lowercased()] else {
            throw LimitValueProblem(message: "expected a size such as '2 GiB' or '512 MB' (units B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)")
        }
        let bytes = number * factor
        guard bytes.isFinite, bytes >= 1, bytes < 9e18 else {
            throw LimitValueProblem(message: "must be a positive size below 8 EiB")
        }
        return Int(bytes.rounded())
    }

    /// Seconds from "90 s", "2 min", "1.5h", "500 ms", "30".
    static func seconds(_ text: String) throws -> Double {
        let units: [String: Double] = ["ms": 1e-3, "s": 1, "sec": 1, "min": 60, "h": 3600]
        let (number, unit) = split(text)
        guard let number, let factor = unit.isEmpty ? 1 : units[unit.lowercased()] else {
            throw LimitValueProblem(message: "expected a duration such as '90 s' or '2 min' (units ms, s, min, h)")
        }
        let seconds = number * factor
        guard seconds.isFinite, seconds > 0 else { throw LimitValueProblem(message: "must be a positive duration") }
        return seconds
    }

    /// "2.5 GiB" → (2.5, "GiB"); the number is nil when the text does not start with one.
    private static func split(_ text: String) -> (Double?, String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var end = trimmed.firstIndex { !"0123456789.eE+-".contains($0) } ?? trimmed.endIndex
        // The longest prefix that is a number ("1e9" whole, "2e" as 2 with unit "e").
        while end > trimmed.startIndex, Double(trimmed[..<end]) == nil { end = trimmed.index(before: end) }
        guard end > trimmed.startIndex, let number = Double(trimmed[..<end]) else { return (nil, "") }
        let unit = trimmed[end...].trimmingCharacters(in: .whitespaces)
        return (number, unit)
    }
}

/// A limit value that does not parse (turned into a located decoding error).
struct LimitValueProblem: Error {
    var message: String
}

extension RunLimits {
    /// "3.1 GiB" for messages.
    static func describe(bytes: Int) -> String { ValueText.bytes(bytes) }

    /// "250 ms" / "95 s" / "2.1 min" for messages.
    static func describe(seconds: Double) -> String {
        if seconds < 1 { return String(format: "%.3g ms", seconds * 1e3) }
        return seconds < 120 ? String(format: "%.3g s", seconds) : String(format: "%.3g min", seconds / 60)
    }
}
