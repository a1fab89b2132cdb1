// libFuzzer target: the manifest pipeline end to end — YAML, defaults, overrides of the
// sweep, every stage's decoding and validation, sizes against a memory budget, planning of
// every case, reading the files the cases name — on arbitrary text. File names must be
// plain names inside the sandbox (which holds a small CSV and NIST file); a manifest naming
// a path elsewhere is skipped, so nothing outside the sandbox is read. Built by `make fuzz`.
import Foundation
@testable import Pipeline
import YAMLDecoding

let manifestSandbox: String = {
    let root = (ProcessInfo.processInfo.environment["FUZZ_SANDBOX"] ?? NSTemporaryDirectory()) + "/manifest-fuzz-\(getpid())"
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    try? "x,y\n0,1\n1,2\n2,3.5\n".write(toFile: root + "/data.csv", atomically: true, encoding: .utf8)
    if let nist = ProcessInfo.processInfo.environment["FUZZ_NIST_FILE"] {
        try? FileManager.default.removeItem(atPath: root + "/Misra1a.dat")
        try? FileManager.default.copyItem(atPath: nist, toPath: root + "/Misra1a.dat")
    }
    return root
}()

/// Whether every string under a `file`, `script` or `python` key is a plain name (no `/`).
func namesOnlySandboxFiles(_ node: YAMLNode, key: String? = nil) -> Bool {
    switch node {
    case .scalar(let scalar):
        guard let key, ["file", "script", "python"].contains(key) else { return true }
        return !scalar.value.contains("/") && !scalar.value.hasPrefix(".")
    case .sequence(let items, _):
        return items.allSatisfy { namesOnlySandboxFiles($0, key: key) }
    case .mapping(let entries, _):
        return entries.allSatisfy { namesOnlySandboxFiles($0.value, key: $0.key) }
    }
}

/// Most cases one input may plan here. Planning is linear in the cases (about 50 µs each in a
/// release build, many times that under AddressSanitizer), so a sweep at the default
/// `max-cases` of 100,000 is slow, not hung; the harness holds a manifest to this many unless
/// its own `max-cases` is lower or not a number, which then is what gets checked.
let fuzzMaximumCases = 1_000

/// The `--set` override that holds `tree` to ``fuzzMaximumCases``; none when its `limits:` is
/// not a mapping or its own `max-cases` is not a number or is lower (then that is checked).
func caseCapOverrides(_ tree: YAMLNode) -> [String] {
    switch tree["limits"] {
    case nil: break
    case .mapping?:
        switch tree["limits"]?["max-cases"] {
        case nil: break
        case .scalar(let scalar)?:
            guard let own = Int(scalar.value), own > fuzzMaximumCases else { return [] }
        default: return []
        }
    default: return []
    }
    return ["limits.max-cases=\(fuzzMaximumCases)"]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let tree = try? YAMLParser.parse(text, file: "m.yaml"), namesOnlySandboxFiles(tree) else { return 0 }
    do {
        let plan = try ExperimentPlan.plan(
            text: text, path: manifestSandbox + "/m.yaml", overrides: caseCapOverrides(tree), registry: .standard,
            memoryBudget: MemoryBudget(bytes: 256 << 20, source: "fuzz"))
        _ = plan.cases.count
    } catch {
        _ = "\(error)"
    }
    return 0
}
