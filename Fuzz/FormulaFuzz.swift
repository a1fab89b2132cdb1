// libFuzzer target: the formula lexer and parser on arbitrary text, with a few declared
// names, then evaluation of the parsed tree is left to the unit tests.
// Built by `make fuzz` together with the parser files of Sources/FormulaModels.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormula(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try FormulaParser.parse(text, file: "fuzz.dat", firstLine: 3)
    } catch {
        _ = error.description
    }
    return 0
}
