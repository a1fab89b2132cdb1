/// A strategy's predicted wall time on a fully connected network, in microseconds: the
/// work terms of ``NetworkCostTable`` for the network's widths, times the table's
/// coefficients. The cost model divides by the forward pass's predicted time to get
/// forward-pass units.
struct NetworkTimeModel {
    /// The constants.
    var table: NetworkCostTable
    /// Widths [d, w₁, …, p].
    var layers: [Int]
    /// S.
    var samples: Int
    /// Whether the Jacobian is with respect to the parameters (else the inputs).
    var isParameters: Bool
    /// n and m of the Jacobian.
    var columns: Int, rows: Int

    /// The model for `shape`, nil when the shape is not a network's.
    init?(shape: JacobianShape, table: NetworkCostTable) {
        guard let layers = shape.layers, layers.count >= 2, let variables = shape.variables, let samples = shape.sampleCount else { return nil }
        self.table = table
        self.layers = layers
        self.samples = samples
        isParameters = variables == .parameters
        columns = shape.inputCount
        rows = shape.outputCount
    }

    /// P, the parameter count.
    var parameters: Double { Double(zip(layers, layers.dropFirst()).reduce(0) { $0 + $1.1 * ($1.0 + 1) }) }
    /// H, the hidden widths' sum.
    var hidden: Double { Double(layers.dropFirst().dropLast().reduce(0, +)) }
    /// U, the units (every width but the input's).
    var units: Double { Double(layers.dropFirst().reduce(0, +)) }
    /// W, the widest layer.
    var widest: Double { Double(layers.max() ?? 0) }

    /// Σ coefficient × term for `strategy`; nil when the table has no entry of that length.
    func microseconds(_ strategy: String, _ terms: [Double]) -> Double? {
        guard let coefficients = table.coefficients["\(strategy)/\(isParameters ? "parameters" : "inputs")"],
            coefficients.count == terms.count
        else { return nil }
        return zip(coefficients, terms).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// `auto`'s per-call overhead on top of its choice.
    var autoOverhead: Double? { microseconds("auto", [1]) }

    /// One forward pass over the batch.
    var forwardPass: Double? {
        let s = Double(samples)
        return microseconds("forward-pass", [1, s * parameters, s * hidden])
    }

    /// `e` plain (or complex) evaluations, as `strategy` does them.
    func evaluations(_ strategy: String, _ e: Double) -> Double? {
        let s = Double(samples), m = Double(rows), n = Double(columns)
        return microseconds(strategy, [1, e, e * s * parameters, e * s * hidden, m * n])
    }

    /// The predicted time of the strategy named `name`, with `lanes` lanes per sweep and
    /// `sweeps` sweeps for the vectorized ones; nil for a strategy the table does not know.
    func microseconds(strategy name: String, lanes: Int, sweeps: Int) -> Double? {
        let s = Double(samples), m = Double(rows), n = Double(columns), p = Double(layers.last ?? 0)
        let perUnit = isParameters ? units : 0
        let sp = s * parameters, sh = s * hidden
        let k = Double(lanes), c = Double(sweeps)
        /// Memory traffic of `elements` doubles per sweep beyond a cache of `limit` doubles.
        func spill(_ elements: Double, limit: Double = 4e6) -> Double { min(1, elements / limit) }
        switch name {
        case "forward-difference": return evaluations(name, n + 1)
        case "central-difference": return evaluations(name, 2 * n)
        case "complex-step": return evaluations(name, n)
        case "forward-loop": return microseconds(name, [1, n, n * perUnit, n * sp, n * sh, m * n, n * sp * spill(s * widest, limit: 4e5)])
        case "reverse-loop": return microseconds(name, [1, m, m * perUnit, m * sp, m * sh, m * n, m * sp * spill(s * widest, limit: 4e5)])
        case "forward-vectorized":
            return microseconds(
                name, [1, c, c * perUnit, c * sp, n * sp, n * sh, m * n, c * k * n, c * k * n * spill(k * n), n * sh * spill(k * s * widest)])
        case "reverse-vectorized":
            return microseconds(
                name, [1, c, c * perUnit, c * sp, m * sp, m * sh, m * n, c * k * m, c * k * m * spill(k * m), m * sp * spill(k * s * widest)])
        case "per-sample": return microseconds(name, [1, p, p * perUnit, p * sp, sp, sh, m * n])
        case "swift-autodiff": return microseconds(name, [m * sp, m * sh])
        default: return nil
        }
    }
}
