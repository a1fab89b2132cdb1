import MessageText
/// Options a manifest may give a strategy; each strategy reads the ones it knows.
public struct JacobianStrategyOptions: Sendable, Equatable, Hashable, Codable {
    /// Lanes per sweep for `forward-vectorized` / `reverse-vectorized`.
    public var chunk: Int?
    /// Relative step for `forward-difference`, `central-difference`, `complex-step`
    /// and the initial step of `ridders`.
    public var relativeStep: Double?
    /// For `auto`: always use this strategy (a catalog name) instead of choosing.
    public var pinned: String?
    /// For `auto`: also consider inexact strategies (finite differences).
    public var allowInexact: Bool
    /// For `auto`: decide by timing the map on this machine instead of by the cost model's
    /// counts (opt-in: the choice then depends on the machine and its load).
    public var calibrate: Bool

    /// Creates options; everything unset means each strategy's defaults.
    public init(chunk: Int? = nil, relativeStep: Double? = nil, pinned: String? = nil, allowInexact: Bool = false, calibrate: Bool = false) {
        self.chunk = chunk
        self.relativeStep = relativeStep
        self.pinned = pinned
        self.allowInexact = allowInexact
        self.calibrate = calibrate
    }
}

/// One catalog line: a manifest name and what it means.
public struct JacobianStrategyEntry: Sendable, Equatable {
    /// The manifest name.
    public var name: String
    /// One line for `jacobench list`.
    public var summary: String
    /// The cost in passes, as in the design's table.
    public var cost: String
    /// Whether the result is exact to rounding.
    public var isExact: Bool
    /// The option keys it reads.
    public var options: [String]
}

/// A strategy name or option the catalog cannot accept, with a suggestion.
public struct JacobianStrategyCatalogError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The offending name or option value.
    public var name: String
    /// What is wrong and what to do.
    public var message: String
    /// The user-facing text.
    public var description: String { message }
}

/// Manifest name → strategy, with options. Inapplicable strategies are reported
/// with a reason (``applicability(for:)``), never as errors.
public enum JacobianStrategyCatalog {
    /// Every strategy, in the order reports list them.
    public static let entries: [JacobianStrategyEntry] = [
        .init(name: "reverse-loop", summary: "one pullback per output row (the torch default)", cost: "m backward", isExact: true, options: []),
        .init(name: "forward-loop", summary: "one pushforward per input column", cost: "n forward-tangent", isExact: true, options: []),
        .init(name: "reverse-vectorized", summary: "all m cotangent rows as lanes of one backward sweep (jacrev + vmap)", cost: "1 sweep, m lanes (⌈m/chunk⌉ sweeps)", isExact: true, options: ["chunk"]),
        .init(name: "forward-vectorized", summary: "all n tangent columns as lanes of one forward sweep (jacfwd + vmap)", cost: "1 sweep, n lanes (⌈n/chunk⌉ sweeps)", isExact: true, options: ["chunk"]),
        .init(name: "per-sample", summary: "per-sample gradients: one batched backward sweep per output dimension", cost: "p sweeps", isExact: true, options: []),
        .init(name: "forward-difference", summary: "forward differences, h = √ε·max(|x|,1)", cost: "n + 1 forward", isExact: false, options: ["relative-step"]),
        .init(name: "central-difference", summary: "central differences, h = ∛ε·max(|x|,1)", cost: "2n forward", isExact: false, options: ["relative-step"]),
        .init(name: "ridders", summary: "Richardson-extrapolated central differences with an error estimate", cost: "≤ 2n·10 forward", isExact: false, options: ["relative-step"]),
        .init(name: "complex-step", summary: "Im f(x + ih·e_j)/h in complex arithmetic, exact to rounding", cost: "n complex forward", isExact: true, options: ["relative-step"]),
        .init(name: "swift-autodiff", summary: "the Swift toolchain's reverse mode, one pullback per row", cost: "m pullbacks", isExact: true, options: []),
        .init(name: "auto", summary: "the cheapest exact strategy by the cost model's counts for the map's shape (deterministic); by timing on this machine with calibrate", cost: "that of its choice", isExact: true, options: ["pinned", "allow-inexact", "calibrate"]),
    ]

    /// Every manifest name.
    public static var names: [String] { entries.map(\.name) }

    /// The strategy called `name`, configured by `options`.
    ///
    /// - Throws: ``JacobianStrategyCatalogError`` for an unknown name (with the
    ///   closest known name) or an invalid option value.
    public static func strategy(named name: String, options: JacobianStrategyOptions = .init()) throws -> any JacobianStrategy {
        if let chunk = options.chunk, chunk <= 0 {
            throw JacobianStrategyCatalogError(name: name, message: "chunk must be a positive number of lanes, got \(chunk)")
        }
        if let step = options.relativeStep, !(step > 0 && step.isFinite) {
            throw JacobianStrategyCatalogError(name: name, message: "relative-step must be positive and finite, got \(step)")
        }
        switch name {
        case "reverse-loop": return ReverseLoop()
        case "forward-loop": return ForwardLoop()
        case "reverse-vectorized": return ReverseVectorized(chunk: options.chunk)
        case "forward-vectorized": return ForwardVectorized(chunk: options.chunk)
        case "per-sample": return PerSampleGradients()
        case "forward-difference": return ForwardDifference(relativeStep: options.relativeStep)
        case "central-difference": return CentralDifference(relativeStep: options.relativeStep)
        case "ridders": return RiddersExtrapolation(initialRelativeStep: options.relativeStep ?? 1e-2)
        case "complex-step": return ComplexStep(relativeStep: options.relativeStep ?? 1e-20)
        case "swift-autodiff": return SwiftAutodiff()
        case "auto":
            if let pinned = options.pinned {
                if pinned == "auto" {
                    throw JacobianStrategyCatalogError(name: pinned, message: "auto cannot be pinned to itself")
                }
                var inner = options
                inner.pinned = nil
                return AutoStrategy(pinned: try strategy(named: pinned, options: inner), allowInexact: options.allowInexact)
            }
            return AutoStrategy(allowInexact: options.allowInexact, calibrates: options.calibrate)
        default:
            let suggestion = closestName(to: name).map { " (did you mean '\($0)'?)" } ?? ""
            throw JacobianStrategyCatalogError(
                name: name,
                message: "unknown Jacobian strategy \(QuotedText.quoted(name))\(suggestion); known: \(names.joined(separator: ", "))")
        }
    }

    /// Every strategy with default options, in catalog order.
    public static func allStrategies() -> [any JacobianStrategy] {
        names.compactMap { try? strategy(named: $0) }
    }

    /// For each strategy, nil when it can run on `map`, otherwise why not.
    public static func applicability(for map: any DifferentiableMap) -> [(name: String, notApplicable: String?)] {
        allStrategies().map { ($0.name, $0.inapplicabilityReason(for: map)) }
    }

    /// The known name nearest to `name` by edit distance, when within 3 edits.
    public static func closestName(to name: String) -> String? {
        let scored = names.map { ($0, editDistance($0, name)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= 3 else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count), current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
