// libFuzzer target: the bundle JSON readers — the JSON parser, then summary.json and
// status.json read with their shapes checked, and resolved.json/status.json as --resume reads
// them — on arbitrary bytes written into a bundle folder inside a sandbox. Built by
// `make fuzz` (Fuzz/run.sh).
import Foundation
import JSONDocuments
@testable import Pipeline

let bundleSandbox: String = {
    let root = (ProcessInfo.processInfo.environment["FUZZ_SANDBOX"] ?? NSTemporaryDirectory()) + "/bundle-fuzz-\(getpid())"
    let bundle = root + "/e/20261205T000000Z-000000"
    try? FileManager.default.createDirectory(atPath: bundle + "/cases", withIntermediateDirectories: true)
    return bundle
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundle(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    _ = try? JSONParser.parse(String(decoding: bytes, as: UTF8.self))
    for name in ["summary.json", "status.json", "resolved.json"] {
        FileManager.default.createFile(atPath: bundleSandbox + "/" + name, contents: bytes)
    }
    _ = try? CheckedBundleFiles.summary(bundleSandbox)
    _ = try? CheckedBundleFiles.status(bundleSandbox)
    _ = try? StoredBundle(path: bundleSandbox)
    return 0
}
