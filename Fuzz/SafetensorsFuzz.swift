// libFuzzer target: the safetensors reader on arbitrary bytes (header length, JSON header,
// dtypes, shapes, offsets) and loading the result into a small network. Built by `make fuzz`
// (Fuzz/run.sh).
import Datasets
import NeuralNetworks

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let tensors = try Safetensors.decode(bytes)
        _ = try MultilayerPerceptron(layerWidths: [2, 3, 1], activation: .tanh).loading(tensors)
    } catch {
        _ = error.description
    }
    return 0
}
