/// The stopping settings every solver configuration has under the same manifest keys
/// (`max-iterations`, `max-evaluations`, `gtol`, `target-cost`, `max-time`); each solver keeps its own
/// defaults and its own meaning of `gtol`. The solver conformance kit sets them through this
/// protocol, on a configuration made with the solver's defaults (`init()`).
public protocol StoppingLimits {
    /// The solver's defaults.
    init()
    /// `max-iterations`.
    var maximumIterations: Int { get set }
    /// `max-evaluations`: residual evaluations.
    var maximumEvaluations: Int { get set }
    /// `gtol`.
    var gtol: Double { get set }
    /// `target-cost`: stop (converged) once the cost is at most this.
    var targetCost: Double? { get set }
    /// `max-time`: stop with status `max-time` once this many seconds have passed since the
    /// solver started (asked once per iteration, and per trial step in Levenberg-Marquardt);
    /// the result holds the point reached. Nil: no cap.
    var maximumSeconds: Double? { get set }
}

/// The coding keys of ``StoppingLimits``, spelled alike by every solver configuration.
protocol StoppingCodingKey: CodingKey {
    static var maximumIterations: Self { get }
    static var maximumEvaluations: Self { get }
    static var gtol: Self { get }
    static var targetCost: Self { get }
    static var maximumSeconds: Self { get }
}

extension KeyedDecodingContainer {
    /// Overwrites `field` with the value under `key` when the key is present; a missing key
    /// keeps the field's default. A value of the wrong type throws the decoder's located error.
    func update<Value: Decodable>(_ field: inout Value, forKey key: Key) throws {
        if let value = try decodeIfPresent(Value.self, forKey: key) { field = value }
    }

    /// ``update(_:forKey:)`` for an optional setting: a missing key (or null) keeps `field`.
    func update<Value: Decodable>(_ field: inout Value?, forKey key: Key) throws {
        if let value = try decodeIfPresent(Value.self, forKey: key) { field = value }
    }

    /// ``update(_:forKey:)`` for a number: every numeric setting of every solver (tolerances,
    /// rates, damping, steps, `target-cost`) is read here, so NaN and ±∞ are refused in one
    /// place, with the decoder's location of the value.
    func update(_ field: inout Double, forKey key: Key) throws {
        if let value = try decodeIfPresent(Double.self, forKey: key) { field = try finite(value, forKey: key) }
    }

    /// ``update(_:forKey:)`` for an optional number, refusing NaN and ±∞ likewise.
    func update(_ field: inout Double?, forKey key: Key) throws {
        if let value = try decodeIfPresent(Double.self, forKey: key) { field = try finite(value, forKey: key) }
    }

    /// `value` when finite; otherwise a located `DecodingError.dataCorrupted`.
    private func finite(_ value: Double, forKey key: Key) throws -> Double {
        guard value.isFinite else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be a finite number, got \(value)")
        }
        return value
    }
}

extension KeyedDecodingContainer where Key: StoppingCodingKey {
    /// Reads `max-iterations`, `max-evaluations`, `gtol` and `target-cost` into `limits`,
    /// keeping the defaults of the missing ones.
    func updateStopping<Limits: StoppingLimits>(_ limits: inout Limits) throws {
        try update(&limits.maximumIterations, forKey: .maximumIterations)
        try update(&limits.maximumEvaluations, forKey: .maximumEvaluations)
        try update(&limits.gtol, forKey: .gtol)
        try update(&limits.targetCost, forKey: .targetCost)
        try update(&limits.maximumSeconds, forKey: .maximumSeconds)
        if let seconds = limits.maximumSeconds, seconds < 0 {
            throw DecodingError.dataCorruptedError(forKey: .maximumSeconds, in: self, debugDescription: "must be ≥ 0 seconds, got \(seconds)")
        }
    }
}

extension KeyedEncodingContainer where Key: StoppingCodingKey {
    /// Writes `max-iterations`, `max-evaluations`, `gtol`, `max-time` (null when unset) and, when
    /// set, `target-cost`.
    mutating func encodeStopping<Limits: StoppingLimits>(_ limits: Limits) throws {
        try encode(limits.maximumIterations, forKey: .maximumIterations)
        try encode(limits.maximumEvaluations, forKey: .maximumEvaluations)
        try encode(limits.gtol, forKey: .gtol)
        try encodeIfPresent(limits.targetCost, forKey: .targetCost)
        try encode(limits.maximumSeconds, forKey: .maximumSeconds)
    }
}

extension StoppingLimits {
    /// With `max-iterations: 0` a solver takes no step: it returns the starting point with
    /// status `max-iterations` and this message (never a convergence status). Nil otherwise.
    var noStepAllowed: (status: FitStatus, message: String)? {
        maximumIterations <= 0 ? (.maximumIterations, "max-iterations = \(maximumIterations): no step taken; the result is the starting point") : nil
    }

    /// The first of the gradient-based stopping rules of the first-order methods (gradient
    /// descent, Adam, L-BFGS) that holds before an iteration, in the order cancellation,
    /// `max-time`, ‖Jᵀr‖∞ ≤ `gtol`, `max-iterations`, `max-evaluations`; nil to go on.
    func firstOrderStop(gradientNorm: Double, iterations: Int, residualEvaluations: Int, isCancelled: Bool, elapsedSeconds: Double)
        -> (status: FitStatus, message: String)? {
        if isCancelled { return (.cancelled, LeastSquaresProblem.cancellationMessage) }
        if let stop = timeLimitStop(elapsedSeconds: elapsedSeconds) { return stop }
        if let stop = noStepAllowed { return stop }
        if gradientNorm <= gtol { return (.gradientBelowTolerance, "‖Jᵀr‖∞ = \(gradientNorm) is at most gtol = \(gtol)") }
        if iterations >= maximumIterations { return (.maximumIterations, "reached max-iterations = \(maximumIterations)") }
        if residualEvaluations >= maximumEvaluations {
            return (.maximumEvaluations, "reached max-evaluations = \(maximumEvaluations)")
        }
        return nil
    }
}

extension StoppingLimits {
    /// `max-time` reached after `elapsedSeconds`: the status and message; nil otherwise.
    func timeLimitStop(elapsedSeconds: Double) -> (status: FitStatus, message: String)? {
        guard let limit = maximumSeconds, elapsedSeconds >= limit else { return nil }
        return (.timeLimit, "reached max-time = \(limit) s")
    }
}
