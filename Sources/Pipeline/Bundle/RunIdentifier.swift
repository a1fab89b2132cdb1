import Foundation

/// Run ids: UTC time to the second and 6 random hex digits, `20261127T193512Z-3fa9c1`.
///
/// Sorting ids sorts runs by start time (to the second). Uniqueness is enforced by the
/// writer, which reserves an id by creating its folder with exclusive mkdir(2) and draws
/// a new hash if the name is taken, so concurrent runs never share an id.
public enum RunIdentifier {
    /// A new id for `date`.
    public static func make(at date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let stamp = String(
            format: "%04d%02d%02dT%02d%02d%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        let random = UInt32.random(in: 0...0xFF_FFFF)
        let hex = String(random, radix: 16)
        return stamp + "-" + String(repeating: "0", count: 6 - hex.count) + hex
    }

    /// True for names shaped like a run id (so `latest`, hidden partial folders and other files are skipped).
    public static func isRunIdentifier(_ name: String) -> Bool {
        let parts = name.split(separator: "-")
        return parts.count == 2 && parts[0].count == 16 && parts[0].hasSuffix("Z") && parts[1].count == 6
    }

    /// The run id of a bundle folder: its own name, or `ID` for the hidden `.ID.partial`
    /// folder a killed run leaves.
    public static func of(bundleFolder name: String) -> String {
        guard name.hasPrefix("."), name.hasSuffix(".partial") else { return name }
        return String(name.dropFirst().dropLast(".partial".count))
    }
}
