// libFuzzer target: the YAML parser and node decoder on arbitrary bytes.
// Built by `make fuzz` together with Sources/YAMLDecoding (one module, no SwiftPM).

/// A small manifest-like shape, so the decoder's keyed, unkeyed and scalar paths all run.
struct FuzzShape: Decodable {
    var name: String
    var seed: Int?
    var sizes: [Int]?
    var nested: [String: Double]?
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let node = try? YAMLParser.parse(text, file: "fuzz.yaml") {
        _ = try? YAMLNodeDecoder().decode(FuzzShape.self, from: node)
        _ = node.location.description
    }
    return 0
}
