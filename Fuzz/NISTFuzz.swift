// libFuzzer target: the NIST StRD loader on arbitrary text (header, line ranges, model
// line, starting values, data block). Built by `make fuzz` (Fuzz/run.sh).
import Datasets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNIST(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try NISTProblem.parse(text, file: "fuzz.dat")
    } catch {
        _ = "\(error)"
    }
    return 0
}
