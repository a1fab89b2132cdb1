/// Why a closure model cannot be fitted to the data given: sizes that do not match, values
/// that are not finite, or a closure that does not return what the data says. Each case names
/// the argument and the sample (0-based) where the problem is.
public enum CurveFitError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `x` (and `y`) hold no sample.
    case noSamples
    /// `x` and `y` hold different numbers of samples.
    case sampleCountMismatch(x: Int, y: Int)
    /// A multi-input sample's x has another number of coordinates than sample 0's (or none).
    case inputWidthMismatch(sample: Int, expected: Int, found: Int)
    /// A sample of `argument` (`y` or `sigma`) has another number of outputs than sample 0 of `y` (or none).
    case outputCountMismatch(argument: String, sample: Int, expected: Int, found: Int)
    /// A value of `argument` (`x`, `y` or `sigma`) at `sample` is NaN or infinite.
    case nonFiniteData(argument: String, sample: Int)
    /// `sigma` holds another number of samples than `y`.
    case sigmaCountMismatch(samples: Int, sigma: Int)
    /// A σ is zero or negative.
    case nonPositiveSigma(sample: Int, value: Double)
    /// No initial parameter was given.
    case noParameters
    /// Initial parameter `index` is NaN or infinite.
    case nonFiniteInitialParameter(index: Int, value: Double)
    /// `names` has another count than the parameters.
    case parameterNameCountMismatch(parameters: Int, names: Int)
    /// At the initial parameters the closure returned `found` values for `sample`, where the data has `expected`.
    case modelOutputCountMismatch(sample: Int, expected: Int, found: Int)
    /// At the initial parameters the closure's value for `sample` is NaN or infinite.
    case nonFiniteModel(sample: Int)
    /// The Jacobian (residuals × parameters) would exceed the `limit` entries the linear algebra
    /// takes (BLAS's 32-bit sizes), or its size overflows.
    case tooLarge(residuals: Int, parameters: Int, limit: Int)
    /// The least-squares problem built from the arguments is malformed (the solvers' own check).
    case invalidProblem(String)

    /// A sentence naming the argument, the sample and what to change.
    public var description: String {
        switch self {
        case .noSamples:
            return "x and y hold no sample; give at least one"
        case let .sampleCountMismatch(x, y):
            return "x has \(x) samples but y has \(y); give one y per x"
        case let .inputWidthMismatch(sample, expected, found):
            return "x[\(sample)] has \(found) coordinates but x[0] has \(expected); every sample needs the same number (at least one)"
        case let .outputCountMismatch(argument, sample, expected, found):
            return "\(argument)[\(sample)] has \(found) outputs but y[0] has \(expected); every sample needs the same number (at least one)"
        case let .nonFiniteData(argument, sample):
            return "\(argument)[\(sample)] is not finite (NaN or infinite); remove or fix that sample"
        case let .sigmaCountMismatch(samples, sigma):
            return "sigma has \(sigma) samples but y has \(samples); give one σ per observation"
        case let .nonPositiveSigma(sample, value):
            return "sigma[\(sample)] is \(value); every σ must be positive"
        case .noParameters:
            return "no initial parameters; give one starting value per parameter"
        case let .nonFiniteInitialParameter(index, value):
            return "initial[\(index)] is \(value); starting values must be finite"
        case let .parameterNameCountMismatch(parameters, names):
            return "\(names) names for \(parameters) parameters; give one name per initial value"
        case let .modelOutputCountMismatch(sample, expected, found):
            return "at the initial parameters the model returned \(found) values for sample \(sample), but y has \(expected) per sample"
        case let .nonFiniteModel(sample):
            return "at the initial parameters the model is not finite (NaN or infinite) for sample \(sample); choose another start"
        case let .tooLarge(residuals, parameters, limit):
            return "\(residuals) residuals × \(parameters) parameters exceed the \(limit) Jacobian entries the solvers take; fit fewer samples"
        case let .invalidProblem(message):
            return "invalid problem: \(message)"
        }
    }
}
