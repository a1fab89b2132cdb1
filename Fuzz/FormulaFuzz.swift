// libFuzzer target: the formula lexer and parser on arbitrary text.
// Built by `make fuzz` (Fuzz/run.sh) against modules compiled with AddressSanitizer and
// coverage; a crash is left as crash-* in .build/fuzz/formula/ — make it a regression test.
import FormulaModels

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormula(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try FormulaParser.parse(text, file: "fuzz.dat", firstLine: 3)
    } catch {
        _ = "\(error)"
    }
    return 0
}
