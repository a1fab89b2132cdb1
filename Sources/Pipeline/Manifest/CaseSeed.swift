import JSONDocuments
import YAMLDecoding

/// The two seeds of a case, each derived from what its stage's output depends on.
///
/// - `data`: H("data", manifest seed, replicate, canonical JSON of the resolved `data:` section).
/// - `parameters`: H("parameters", manifest seed, replicate, canonical JSON of the resolved `model:` section).
///
/// A sweep over solver, Jacobian, evaluation or limits settings therefore keeps the data and the
/// initial parameters bit for bit; a sweep over the model (e.g. its layers) draws a new start on
/// the same data; a sweep over the data draws new data and keeps the start of an unchanged model
/// section. The model seed leaves the data section out on purpose: the model's parameter count
/// and shapes are fixed by its own section (layer widths include the input and output widths).
/// No solver or evaluation draws random numbers today; one that does must derive its seed the
/// same way from its own resolved section.
public struct CaseSeeds: Sendable, Hashable {
    /// Seeds the data stage (sampling, noise, teacher network, train/test split).
    public var data: UInt64
    /// Seeds the model stage's initial parameters θ₀.
    public var parameters: UInt64

    /// Creates a pair of seeds.
    public init(data: UInt64, parameters: UInt64) {
        self.data = data
        self.parameters = parameters
    }
}

/// Seed derivation: from the manifest seed, the replicate and a resolved manifest section,
/// never the case's index or its sweep values, so adding a sweep value leaves every other
/// case's seeds (and results) unchanged.
public enum CaseSeed {
    /// Largest seed: 2⁵³ − 1, so seeds survive JSON readers that hold numbers as doubles.
    public static let maximum: UInt64 = (1 << 53) - 1

    /// Both seeds of a case from its manifest seed, replicate and resolved sections.
    public static func seeds(manifestSeed: UInt64, replicate: Int, data: JSONValue, model: JSONValue) -> CaseSeeds {
        CaseSeeds(
            data: derive(role: "data", manifestSeed: manifestSeed, replicate: replicate, section: data),
            parameters: derive(role: "parameters", manifestSeed: manifestSeed, replicate: replicate, section: model))
    }

    /// A SplitMix64 finalisation of FNV-1a-64 over the role name, the manifest seed, the
    /// replicate and the canonical (sorted-key, compact) JSON of `section`, kept to 53 bits:
    /// stable across runs, machines and versions.
    public static func derive(role: String, manifestSeed: UInt64, replicate: Int, section: JSONValue) -> UInt64 {
        var hash = StableHash()
        hash.combine(role)
        hash.combine(String(manifestSeed))
        hash.combine(String(replicate))
        hash.combine(section.canonicalText)
        return hash.finalized & maximum
    }
}

/// FNV-1a-64 over UTF-8 bytes with a SplitMix64 finaliser; stable across processes
/// (unlike `Hasher`).
struct StableHash {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Mixes in the UTF-8 bytes of `text` and a separator.
    mutating func combine(_ text: String) {
        for byte in text.utf8 { mix(byte) }
        separate()
    }

    /// Mixes in the exact bits of `values` (IEEE 754 bit patterns, little-endian bytes), the
    /// count first, and a separator: equal hashes mean bitwise-equal arrays (up to collisions).
    mutating func combine(bits values: [Double]) {
        combine(String(values.count))
        for value in values {
            var pattern = value.bitPattern
            for _ in 0..<8 {
                mix(UInt8(truncatingIfNeeded: pattern))
                pattern >>= 8
            }
        }
        separate()
    }

    private mutating func mix(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01b3
    }

    private mutating func separate() {
        state ^= 0xff
        state = state &* 0x0000_0100_0000_01b3
    }

    /// The mixed 64-bit value.
    var finalized: UInt64 {
        var z = state &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The first `count` hex digits of the finalized value.
    func hex(_ count: Int) -> String {
        let text = String(finalized, radix: 16)
        let padded = String(repeating: "0", count: max(0, 16 - text.count)) + text
        return String(padded.prefix(count))
    }
}

/// Content hashes a reader compares to see that cases share data or a start.
public enum ContentHash {
    /// 16 hex digits over the exact bits of the training inputs and targets (`data.hash`).
    public static func data(inputs: [Double], targets: [Double]) -> String {
        var hash = StableHash()
        hash.combine("inputs")
        hash.combine(bits: inputs)
        hash.combine("targets")
        hash.combine(bits: targets)
        return hash.hex(16)
    }

    /// 16 hex digits over the exact bits of θ₀ (`model.initial_parameters_hash`).
    public static func parameters(_ values: [Double]) -> String {
        var hash = StableHash()
        hash.combine(bits: values)
        return hash.hex(16)
    }
}
