/// Why an exported case carries no reference Jacobian: m·n values are more than the export
/// allows (``PeerCase/jacobianValueLimit``). Written as the case's `jacobian_omitted`:
/// `{"columns": n, "reason": "…", "rows": m, "value_limit": L}`; the peers then skip their
/// comparison with a reference (peers/README.md).
public struct JacobianOmission: Sendable, Equatable {
    /// m, the Jacobian's rows.
    public var rows: Int
    /// n, its columns.
    public var columns: Int
    /// The most values m·n a case carries.
    public var valueLimit: Int

    /// The omission of an m × n Jacobian, or nil when m·n ≤ `valueLimit` (it is exported).
    /// An m·n that overflows `Int` is over any limit.
    public init?(rows: Int, columns: Int, valueLimit: Int) {
        let (values, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard overflow || values > valueLimit else { return nil }
        self.rows = rows
        self.columns = columns
        self.valueLimit = valueLimit
    }

    /// `m·n = 8192 × 66561 values exceed the case file's limit of 4194304; …`.
    public var reason: String {
        "m·n = \(rows) × \(columns) values exceed the case file's limit of \(valueLimit) (PeerCase.jacobianValueLimit); "
            + "the reference Jacobian is left out so that the case stays O(m + n), and the peers do not compare theirs with one"
    }

    /// The JSON object, keys sorted.
    var jsonText: String {
        "{\"columns\":\(columns),\"reason\":\(PeerCase.quoted(reason)),\"rows\":\(rows),\"value_limit\":\(valueLimit)}"
    }
}
