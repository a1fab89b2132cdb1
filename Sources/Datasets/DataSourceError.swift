/// A data source whose configuration cannot produce a dataset (bad formula, missing
/// parameter value, empty range, …). `field` names the configuration key at fault.
public struct DataSourceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The configuration field, e.g. `formula` or `axes.x1`, when known.
    public var field: String?
    /// What is wrong and how to fix it.
    public var message: String

    /// Creates the error.
    public init(field: String? = nil, _ message: String) {
        self.field = field
        self.message = message
    }

    /// `field: message`, or the message alone.
    public var description: String { field.map { "\($0): \(message)" } ?? message }
}
