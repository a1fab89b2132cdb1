import JSONDocuments
import YAMLDecoding
/// Case seeds: derived from the manifest seed and the case's sweep values, never its index,
/// so adding a sweep value leaves every other case's seed (and results) unchanged.
public enum CaseSeed {
    /// Largest seed: 2⁵³ − 1, so seeds survive JSON readers that hold numbers as doubles.
    public static let maximum: UInt64 = (1 << 53) - 1

    /// The seed of a case.
    ///
    /// With no sweep values it is the manifest seed itself. Otherwise it is a SplitMix64
    /// finalisation of FNV-1a-64 over the manifest seed and the canonical (sorted-key,
    /// compact) JSON of the sweep assignment, kept to 53 bits: stable across runs,
    /// machines and versions.
    public static func derive(manifestSeed: UInt64, sweep: [String: JSONValue]) -> UInt64 {
        if sweep.isEmpty { return manifestSeed }
        var hash = StableHash()
        hash.combine(String(manifestSeed))
        hash.combine(JSONValue.object(sweep).canonicalText)
        return hash.finalized & maximum
    }
}

/// FNV-1a-64 over UTF-8 bytes with a SplitMix64 finaliser; stable across processes
/// (unlike `Hasher`).
struct StableHash {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Mixes in the UTF-8 bytes of `text` and a separator.
    mutating func combine(_ text: String) {
        for byte in text.utf8 {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01b3
        }
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
