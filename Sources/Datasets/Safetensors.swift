import JSONDocuments
import MessageText

/// The safetensors format (what `safetensors.torch.save_file` writes and `load_file` reads):
/// an 8-byte little-endian header length N, N bytes of a JSON object padded with spaces to a
/// multiple of 8, then the tensors' raw little-endian bytes. Each header entry is
/// `name: {"dtype": "F64", "shape": [out, in], "data_offsets": [begin, end]}` with offsets into
/// the byte buffer after the header; `__metadata__` (string → string) is optional.
///
/// Written as F64; read as F64 or F32. Hostile input: the header length, every shape product
/// and every offset go through checked arithmetic against the file's actual size before any
/// buffer is allocated, the header goes through the depth-limited ``JSONParser``, and errors
/// name the tensor and the field, never echoing the file's bytes beyond a cut, escaped name.
public enum Safetensors {
    /// One named tensor, as doubles in row-major order.
    public struct Tensor: Sendable, Equatable {
        /// The tensor's name (`0.weight`).
        public var name: String
        /// Its shape (`[out, in]` for a Linear weight).
        public var shape: [Int]
        /// Its values, row-major.
        public var values: [Double]

        /// A tensor from its parts; `values.count` must be the product of `shape`.
        public init(name: String, shape: [Int], values: [Double]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Largest header read (the format's own implementations refuse 100 MB).
    public static let maximumHeaderBytes = 100_000_000

    /// The file's bytes with `tensors` as F64, in the order given.
    public static func encode(_ tensors: [Tensor]) -> [UInt8] {
        var entries: [String: JSONValue] = [:]
        var offset = 0
        for tensor in tensors {
            let end = offset + tensor.values.count * 8
            entries[tensor.name] = .object([
                "dtype": .string("F64"), "shape": .array(tensor.shape.map(JSONValue.integer)),
                "data_offsets": .array([.integer(offset), .integer(end)]),
            ])
            offset = end
        }
        var header = Array(JSONValue.object(entries).text(pretty: false).utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: header)
        for tensor in tensors {
            for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return bytes
    }

    /// The tensors of a safetensors file, by name.
    ///
    /// - Throws: ``SafetensorsError`` naming what is wrong (and the tensor and field).
    public static func decode(_ bytes: [UInt8]) throws(SafetensorsError) -> [String: Tensor] {
        guard bytes.count >= 8 else { throw SafetensorsError("the file is \(bytes.count) bytes, shorter than its 8-byte header length") }
        var length: UInt64 = 0
        for index in 0..<8 { length |= UInt64(bytes[index]) << (8 * UInt64(index)) }
        guard length <= UInt64(maximumHeaderBytes), Int(length) <= bytes.count - 8 else {
            throw SafetensorsError("the header length \(length) exceeds the file (\(bytes.count) bytes) or \(maximumHeaderBytes) bytes")
        }
        let headerEnd = 8 + Int(length)
        guard let text = String(validating: bytes[8..<headerEnd], as: UTF8.self) else {
            throw SafetensorsError("the header is not UTF-8 text")
        }
        let header: [String: JSONValue]
        do {
            guard let object = try JSONParser.parse(text).objectValue else { throw SafetensorsError("the header is not a JSON object") }
            header = object
        } catch let error as SafetensorsError {
            throw error
        } catch {
            throw SafetensorsError("the header is not valid JSON: \(error)")
        }
        let buffer = bytes.count - headerEnd
        var tensors: [String: Tensor] = [:]
        for (name, entry) in header where name != "__metadata__" {
            let shown = QuotedText.quoted(name)
            guard let dtype = entry["dtype"]?.stringValue else { throw SafetensorsError("tensor \(shown): dtype is missing or not a string") }
            let width: Int
            switch dtype {
            case "F64": width = 8
            case "F32": width = 4
            default: throw SafetensorsError("tensor \(shown): dtype \(QuotedText.quoted(dtype)) is not supported (F64 or F32)")
            }
            guard let shapeValues = entry["shape"]?.arrayValue, shapeValues.count <= 8 else {
                throw SafetensorsError("tensor \(shown): shape is missing, not an array, or has more than 8 dimensions")
            }
            var shape: [Int] = []
            var count = 1
            for value in shapeValues {
                guard let dimension = value.integerValue, dimension >= 0 else {
                    throw SafetensorsError("tensor \(shown): shape entries must be integers ≥ 0")
                }
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow, product <= buffer else { throw SafetensorsError("tensor \(shown): shape \(shapeValues.count)-d is larger than the file") }
                count = product
                shape.append(dimension)
            }
            guard let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2,
                  let begin = offsets[0].integerValue, let end = offsets[1].integerValue,
                  begin >= 0, begin <= end, end <= buffer
            else {
                throw SafetensorsError("tensor \(shown): data_offsets must be [begin, end] with 0 ≤ begin ≤ end ≤ \(buffer)")
            }
            guard end - begin == count * width else {
                throw SafetensorsError("tensor \(shown): data_offsets span \(end - begin) bytes, but shape × \(dtype) needs \(count * width)")
            }
            var values = [Double](repeating: 0, count: count)
            let start = headerEnd + begin
            for index in 0..<count {
                let at = start + index * width
                if width == 8 {
                    var bits: UInt64 = 0
                    for byte in 0..<8 { bits |= UInt64(bytes[at + byte]) << (8 * UInt64(byte)) }
                    values[index] = Double(bitPattern: bits)
                } else {
                    var bits: UInt32 = 0
                    for byte in 0..<4 { bits |= UInt32(bytes[at + byte]) << (8 * UInt32(byte)) }
                    values[index] = Double(Float(bitPattern: bits))
                }
            }
            tensors[name] = Tensor(name: name, shape: shape, values: values)
        }
        return tensors
    }
}

/// A safetensors file that cannot be read, with what is wrong.
public struct SafetensorsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong (names the tensor and field where one is at fault).
    public var message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
