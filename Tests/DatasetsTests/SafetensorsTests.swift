import NeuralNetworks
import Testing
@testable import Datasets

/// The safetensors codec and a network's torch.nn.Sequential names.
@Suite struct SafetensorsTests {
    static func network() -> MultilayerPerceptron {
        MultilayerPerceptron(layerWidths: [3, 4, 2], activation: .tanh).initialized(.glorot, seed: 7)
    }

    @Test func aNetworkRoundTripsBitForBit() throws {
        let network = Self.network()
        let bytes = Safetensors.encode(network.safetensors)
        // 8-byte little-endian length, then a header padded with spaces to a multiple of 8.
        let length = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(length % 8 == 0 && bytes.count == 8 + length + 8 * network.parameters.count)
        let tensors = try Safetensors.decode(bytes)
        #expect(Set(tensors.keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(tensors["0.weight"]?.shape == [4, 3] && tensors["2.bias"]?.shape == [2])
        var blank = Self.network()
        blank.parameters = Array(repeating: 0, count: blank.parameters.count)
        #expect(try blank.loading(tensors).parameters == network.parameters)
    }

    /// F32 files (what torch writes by default) read as the nearest doubles.
    @Test func float32IsRead() throws {
        var header = Array(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += header
        for value in [Float(1.5), Float(-0.25)] { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #expect(try Safetensors.decode(bytes)["w"]?.values == [1.5, -0.25])
    }

    /// Hostile files: every size is checked against the file before anything is allocated.
    @Test(arguments: [
        (#"{"w":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, "larger than the file"),
        (#"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,9999]}}"#, "data_offsets must be"),
        (#"{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, "needs 16"),
        (#"{"w":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}"#, "not supported"),
        (#"{"w":{"shape":[1],"data_offsets":[0,8]}}"#, "dtype is missing"),
        (#"[1, 2]"#, "not a JSON object"),
        (#"{"w": "#, "not valid JSON"),
    ])
    func malformedHeadersAreErrors(header: String, expected: String) {
        var bytes = Array(header.utf8)
        while bytes.count % 8 != 0 { bytes.append(0x20) }
        var file: [UInt8] = []
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { file.append(contentsOf: $0) }
        file += bytes + Array(repeating: 0, count: 8)
        #expect {
            _ = try Safetensors.decode(file)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func aHeaderLengthPastTheFileIsAnError() {
        var file: [UInt8] = []
        withUnsafeBytes(of: UInt64.max.littleEndian) { file.append(contentsOf: $0) }
        #expect(throws: SafetensorsError.self) { _ = try Safetensors.decode(file) }
        #expect(throws: SafetensorsError.self) { _ = try Safetensors.decode([1, 2, 3]) }
    }

    @Test func aNetworkOfAnotherShapeIsRefusedByName() throws {
        let tensors = try Safetensors.decode(Safetensors.encode(Self.network().safetensors))
        let wider = MultilayerPerceptron(layerWidths: [3, 5, 2], activation: .tanh)
        #expect {
            _ = try wider.loading(tensors)
        } throws: { error in
            "\(error)".contains("'0.weight' has shape [4, 3], the network [3, 5, 2] needs [5, 3]")
        }
        let deeper = MultilayerPerceptron(layerWidths: [3, 4, 4, 2], activation: .tanh)
        #expect(throws: SafetensorsError.self) { _ = try deeper.loading(tensors) }
    }
}
