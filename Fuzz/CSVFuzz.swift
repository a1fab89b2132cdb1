// libFuzzer target: the CSV reader on arbitrary bytes (UTF-8 check, quoting, header,
// columns, numbers). Built by `make fuzz` (Fuzz/run.sh).
import Datasets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try CSVDataSource(inputColumns: ["x1", "x2"], targetColumns: ["y"]).parse(text, file: "fuzz.csv")
    } catch {
        _ = error.description
    }
    return 0
}
