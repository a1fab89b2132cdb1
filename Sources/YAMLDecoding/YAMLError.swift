/// The one error type of YAML reading and decoding: a syntax error, a duplicate, unknown or
/// missing key, or a value of the wrong type.
///
/// `description` reads `file:line:column: key.path: message`; the location and the key path
/// are left out when unknown or empty.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the input the problem is, when known.
    public var location: SourceLocation?
    /// The dotted key path of the offending node (`jacobian.strategies[2].chunk`); empty at the root.
    public var keyPath: String
    /// What is wrong, phrased for the person who wrote the file.
    public var message: String

    /// Creates an error; `keyPath` is already rendered (`a.b[1].c`).
    public init(location: SourceLocation?, keyPath: String = "", message: String) {
        self.location = location
        self.keyPath = keyPath
        self.message = message
    }

    /// `file:line:column: key.path: message`.
    public var description: String {
        var parts: [String] = []
        if let location { parts.append(location.description) }
        if !keyPath.isEmpty { parts.append(keyPath) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
