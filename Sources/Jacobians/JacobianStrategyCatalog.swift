import MessageText
/// Options a manifest may give a strategy; each strategy reads the ones it knows.
public struct JacobianStrategyOptions: Sendable, Equatable, Hashable, Codable {
    /// Lanes per sweep for `forward-vectorized` / `reverse-vectorized`.
    public var chunk: Int?
    /// Relative step for `forward-difference`, `central-difference`, `complex-step`
    /// and the initial step of `ridders`.
    public var relativeStep: Double?
    /// Typical magnitudes of the coordinates for `forward-difference` and `central-difference`
    /// (h = c·max(|x|, τ), ``DifferenceStep``); nil: a fit's |x₀|, else none (h = c·|x|).
    public var typicalScale: [Double]?
    /// For `auto`: always use this strategy (a catalog name) instead of choosing.
    public var pinned: String?
    /// For `auto`: also consider inexact strategies (finite differences).
    public var allowInexact: Bool
    /// For `auto`: decide by timing the map on this machine instead of by the cost model's
    /// counts (opt-in: the choice then depends on the machine and its load).
    public var calibrate: Bool

    /// Creates options; everything unset means each strategy's defaults.
    public init(
        chunk: Int? = nil, relativeStep: Double? = nil, typicalScale: [Double]? = nil, pinned: String? = nil, allowInexact: Bool = false,
        calibrate: Bool = false
    ) {
        self.chunk = chunk
        self.relativeStep = relativeStep
        self.typicalScale = typicalScale
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
    /// Why `auto` never chooses it (nil: a candidate whenever applicable and, for an inexact
    /// strategy, allowed).
    public var notChosenByAuto: String?

    /// Creates a catalog line; see the properties.
    public init(name: String, summary: String, cost: String, isExact: Bool, options: [String] = [], notChosenByAuto: String? = nil) {
        self.name = name
        self.summary = summary
        self.cost = cost
        self.isExact = isExact
        self.options = options
        self.notChosenByAuto = notChosenByAuto
    }

    /// "1 sweep", "3 sweeps".
    public static func plural(_ count: Int, _ word: String) -> String { "\(count) \(word)\(count == 1 ? "" : "s")" }
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
    /// Every strategy, in the order reports list them: the one registration line a new
    /// strategy adds (its type describes the rest, see ``CatalogedJacobianStrategy``).
    public static let registered: [any CatalogedJacobianStrategy.Type] = [
        ReverseLoop.self,
        ForwardLoop.self,
        ReverseVectorized.self,
        ForwardVectorized.self,
        PerSampleGradients.self,
        ForwardDifference.self,
        CentralDifference.self,
        RiddersExtrapolation.self,
        ComplexStep.self,
        SwiftAutodiff.self,
        AutoStrategy.self,
    ]

    /// Every strategy's catalog line, in catalog order.
    public static var entries: [JacobianStrategyEntry] { registered.map { $0.entry } }

    /// The registered strategy type called `name`, if any.
    public static func registeredType(named name: String) -> (any CatalogedJacobianStrategy.Type)? {
        registered.first { $0.entry.name == name }
    }

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
        if let scales = options.typicalScale, let bad = scales.first(where: { !($0 > 0 && $0.isFinite) }) {
            throw JacobianStrategyCatalogError(name: name, message: "typical-scale entries must be positive and finite, got \(bad)")
        }
        guard let type = registeredType(named: name) else {
            let suggestion = closestName(to: name).map { " (did you mean '\($0)'?)" } ?? ""
            throw JacobianStrategyCatalogError(
                name: name,
                message: "unknown Jacobian strategy \(QuotedText.quoted(name))\(suggestion); known: \(names.joined(separator: ", "))")
        }
        return try type.init(options: options)
    }

    /// Every strategy with default options, in catalog order.
    public static func allStrategies() -> [any CatalogedJacobianStrategy] {
        registered.compactMap { try? $0.init(options: JacobianStrategyOptions()) }
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
