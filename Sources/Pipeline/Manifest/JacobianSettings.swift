import Jacobians
import YAMLDecoding

/// The manifest's `jacobian:` section: what to differentiate with respect to, which
/// strategies to measure, and the reference their accuracy is measured against.
public struct JacobianSettings: Decodable, Sendable, Equatable {
    /// `parameters` or `inputs`.
    public var withRespectTo: JacobianVariables
    /// The strategies to measure; nil means `all` (every catalog strategy applicable to the model).
    public var strategies: [StrategyRequest]?
    /// The reference strategy's name.
    public var reference: String
    /// Pins `auto` to one strategy name; nil lets it choose (`jacobian.auto: NAME` or
    /// `jacobian.auto: {pin: NAME}`).
    public var auto: String?
    /// Whether `auto` decides by timing on this machine (`jacobian.auto: {calibrate: true}`)
    /// instead of by the cost model's counts (the deterministic default).
    public var autoCalibrates: Bool = false
    /// Whether ``auto`` was pinned by `run --pin-from BUNDLE` (the bundle's recorded choice)
    /// rather than by the manifest.
    public var autoPinnedFromBundle: Bool = false
    /// The solver's own pin from `run --pin-from BUNDLE` when the bundle recorded another
    /// choice for the fit than for the evaluations (they differentiate different maps when
    /// `with-respect-to: inputs`); nil: the solver's `auto` follows ``auto``.
    public var solverAuto: String?

    /// How `auto` decides in this case, as `jacobian.auto.mode` records it: `pinned-from-bundle`
    /// (`run --pin-from`), `pinned` (`jacobian.auto: NAME` or `{pin: NAME}`), `calibrated`
    /// (`{calibrate: true}`: by timing on this machine) or `cost-model` (the default).
    public var autoMode: String {
        autoPinnedFromBundle ? "pinned-from-bundle" : auto != nil ? "pinned" : autoCalibrates ? "calibrated" : "cost-model"
    }

    /// A new `auto` as this section configures it: pinned to `pin` (default ``auto``),
    /// else calibrating when ``autoCalibrates``, else deciding by the cost model.
    ///
    /// - Throws: `JacobianStrategyCatalogError` when the pin is not a strategy.
    public func autoStrategy(pinnedTo pin: String? = nil) throws -> AutoStrategy {
        guard let pinned = pin ?? auto else { return AutoStrategy(calibrates: autoCalibrates) }
        return try AutoStrategy(pinned: pinned)
    }

    /// The mapping form of `jacobian.auto`.
    struct AutoOptions: Decodable {
        var pin: String?
        var calibrate: Bool?
    }

    enum CodingKeys: String, CodingKey {
        case withRespectTo = "with-respect-to"
        case strategies, reference, auto
    }

    /// Decodes `strategies: all` or a list of names / `{name: …, chunk: …}` maps.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        withRespectTo = try container.decode(JacobianVariables.self, forKey: .withRespectTo)
        reference = try container.decode(String.self, forKey: .reference)
        if let pinned = try? container.decodeIfPresent(String.self, forKey: .auto) {
            auto = pinned
        } else if let options = try container.decodeIfPresent(AutoOptions.self, forKey: .auto) {
            auto = options.pin
            autoCalibrates = options.calibrate ?? false
            if auto != nil && autoCalibrates {
                throw DecodingError.dataCorruptedError(
                    forKey: .auto, in: container, debugDescription: "pin and calibrate exclude each other: a pinned auto does not decide")
            }
        }
        if let word = try? container.decode(String.self, forKey: .strategies) {
            guard word == "all" else {
                throw DecodingError.dataCorruptedError(
                    forKey: .strategies, in: container,
                    debugDescription: "expected `all` or a list of strategy names, got '\(word)'")
            }
            strategies = nil
        } else {
            strategies = try container.decode([StrategyRequest].self, forKey: .strategies)
        }
    }
}

/// One requested strategy: a catalog name and options (`{name: forward-vectorized, chunk: 16}`).
public struct StrategyRequest: Decodable, Sendable, Equatable {
    /// The catalog name.
    public var name: String
    /// Lanes per sweep for the vectorized strategies.
    public var chunk: Int?
    /// Relative step for difference / complex-step strategies.
    public var relativeStep: Double?
    /// Typical magnitudes of the coordinates for the difference strategies (`typical-scale`).
    public var typicalScale: [Double]?
    /// Where the request was written (for errors about its name).
    public var location: SourceLocation?

    enum CodingKeys: String, CodingKey {
        case name, chunk
        case relativeStep = "relative-step"
        case typicalScale = "typical-scale"
    }

    /// A request with default options.
    public init(name: String, chunk: Int? = nil, relativeStep: Double? = nil, typicalScale: [Double]? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.chunk = chunk
        self.relativeStep = relativeStep
        self.typicalScale = typicalScale
        self.location = location
    }

    /// Decodes a bare name or a map with `name` and options.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            self.init(name: name)
        } else {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                name: try container.decode(String.self, forKey: .name),
                chunk: try container.decodeIfPresent(Int.self, forKey: .chunk),
                relativeStep: try container.decodeIfPresent(Double.self, forKey: .relativeStep),
                typicalScale: try container.decodeIfPresent([Double].self, forKey: .typicalScale))
            if let typicalScale, let bad = typicalScale.first(where: { !($0.isFinite && $0 > 0) }) {
                throw DecodingError.dataCorruptedError(
                    forKey: .typicalScale, in: container, debugDescription: "every entry must be a finite number > 0, got \(bad)")
            }
            // A sweep of 0 lanes computes nothing (and traps in auto's calibration); a step that
            // is not a finite positive number gives no difference quotient.
            if let chunk, chunk < 1 {
                throw DecodingError.dataCorruptedError(forKey: .chunk, in: container, debugDescription: "must be a positive number of lanes, got \(chunk)")
            }
            if let relativeStep, !(relativeStep.isFinite && relativeStep > 0) {
                throw DecodingError.dataCorruptedError(
                    forKey: .relativeStep, in: container, debugDescription: "must be a finite number > 0, got \(relativeStep)")
            }
        }
    }

    /// The label used in metric names: the name, plus `-chunk16` / `-step1e-06` when options are set.
    public var label: String {
        var label = name
        if let chunk { label += "-chunk\(chunk)" }
        if let relativeStep { label += "-step\(relativeStep)" }
        if typicalScale != nil { label += "-scaled" }
        return label
    }
}
