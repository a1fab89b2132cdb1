/// A strategy's predicted wall time on a fully connected network, in microseconds: the
/// work terms of ``NetworkCostTable`` for the network's widths, times the table's
/// coefficients. The cost model divides by the forward pass's predicted time to get
/// forward-pass units.
public struct NetworkTimeModel: Sendable {
    /// The constants.
    public var table: NetworkCostTable
    /// Widths [d, w₁, …, p].
    public var layers: [Int]
    /// S.
    public var samples: Int
    /// Whether the Jacobian is with respect to the parameters (else the inputs).
    public var isParameters: Bool
    /// n and m of the Jacobian.
    public var columns: Int, rows: Int

    /// The model for `shape`, nil when the shape is not a network's.
    public init?(shape: JacobianShape, table: NetworkCostTable) {
        guard let layers = shape.layers, layers.count >= 2, let variables = shape.variables, let samples = shape.sampleCount else { return nil }
        self.table = table
        self.layers = layers
        self.samples = samples
        isParameters = variables == .parameters
        columns = shape.inputCount
        rows = shape.outputCount
    }

    /// P, the parameter count.
    public var parameters: Double { Double(zip(layers, layers.dropFirst()).reduce(0) { $0 + $1.1 * ($1.0 + 1) }) }
    /// H, the hidden widths' sum.
    public var hidden: Double { Double(layers.dropFirst().dropLast().reduce(0, +)) }
    /// U, the units (every width but the input's).
    public var units: Double { Double(layers.dropFirst().reduce(0, +)) }
    /// W, the widest layer.
    public var widest: Double { Double(layers.max() ?? 0) }

    /// Σ coefficient × term for `strategy`; nil when the table has no entry of that length.
    public func microseconds(_ strategy: String, _ terms: [Double]) -> Double? {
        guard let coefficients = table.coefficients["\(strategy)/\(isParameters ? "parameters" : "inputs")"],
            coefficients.count == terms.count
        else { return nil }
        return zip(coefficients, terms).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// `auto`'s per-call overhead on top of its choice.
    public var autoOverhead: Double? { microseconds("auto", [1]) }

    /// One forward pass over the batch.
    public var forwardPass: Double? {
        let s = Double(samples)
        return microseconds("forward-pass", [1, s * parameters, s * hidden])
    }

    /// `e` plain (or complex) evaluations, as `strategy` does them.
    public func evaluations(_ strategy: String, _ e: Double) -> Double? {
        let s = Double(samples), m = Double(rows), n = Double(columns)
        return microseconds(strategy, [1, e, e * s * parameters, e * s * hidden, m * n])
    }

    /// The work terms shared by the strategies' rows of ``NetworkCostTable``: S, m, n, p, the
    /// per-unit count U·par (U for the parameters, 0 for the inputs), S·P and S·H.
    public var terms: (s: Double, m: Double, n: Double, p: Double, perUnit: Double, sp: Double, sh: Double) {
        let s = Double(samples)
        return (s, Double(rows), Double(columns), Double(layers.last ?? 0), isParameters ? units : 0, s * parameters, s * hidden)
    }

    /// Memory traffic of `elements` doubles per sweep beyond a cache of `limit` doubles:
    /// min(1, elements / limit).
    public static func spill(_ elements: Double, limit: Double = 4e6) -> Double { min(1, elements / limit) }
}
