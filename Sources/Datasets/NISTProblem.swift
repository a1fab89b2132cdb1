import FormulaModels
import LinearAlgebra

/// Which starting point of a NIST problem to fit from.
public enum NISTStartingPoint: String, Sendable, CaseIterable, Equatable {
    /// "Start 1", far from the solution.
    case start1 = "1"
    /// "Start 2", closer to the solution.
    case start2 = "2"
    /// The certified parameter values themselves.
    case certified = "certified"

    /// Accepts `1`, `2`, `start1`, `start-1`, `certified` (the manifest spellings).
    public init?(manifestValue: String) {
        switch manifestValue.lowercased() {
        case "1", "start1", "start-1", "start 1": self = .start1
        case "2", "start2", "start-2", "start 2": self = .start2
        case "certified": self = .certified
        default: return nil
        }
    }
}

/// One NIST StRD nonlinear regression problem, entirely from its .dat file: the model
/// formula, the data, both starting points and the certified results.
public struct NISTProblem: Sendable {
    /// The dataset name, e.g. `Misra1a`.
    public var name: String
    /// The file it was loaded from.
    public var file: String
    /// The model, parsed from the file's own formula (with its auxiliary constants).
    public var model: FormulaModel
    /// Predictors as inputs (S × d), the untransformed response as the single target.
    public var dataset: Dataset
    /// "Start 1" and "Start 2", each with one value per parameter.
    public var starts: [[Double]]
    /// Certified parameter estimates.
    public var certifiedParameters: [Double]
    /// Certified standard deviations of the estimates.
    public var certifiedStandardDeviations: [Double]
    /// Certified residual sum of squares (in the transformed space if the response is transformed).
    public var residualSumOfSquares: Double
    /// Certified residual standard deviation, sqrt(RSS / degrees of freedom).
    public var residualStandardDeviation: Double
    /// Degrees of freedom of the statistics, observations − parameters (N − p), whatever the
    /// file's header says.
    public var degreesOfFreedom: Int
    /// The degrees of freedom the file's certified values state (Rat43.dat as distributed
    /// says 9 where N − p = 11).
    public var declaredDegreesOfFreedom: Int
    /// Inconsistencies in the file's own bookkeeping that were accepted (each names its
    /// line), e.g. a stated degrees of freedom other than N − p; recorded in result bundles.
    public var headerWarnings: [String] = []
    /// Number of observations.
    public var observationCount: Int
    /// NIST's difficulty label ("Lower", "Average", "Higher"), when present.
    public var difficulty: String?
    /// Every data row's fields as the file writes them (response first, then the predictors):
    /// the decimal text behind ``dataset``, read again in extended precision for the reported
    /// statistics (``extendedResidualSumOfSquares(at:)``).
    public var dataText: [[String]] = []

    /// Parameter names in order (`b1`, `b2`, …).
    public var parameterNames: [String] { model.parameterNames }

    /// The starting parameter vector for `choice`.
    public func startingPoint(_ choice: NISTStartingPoint) -> [Double] {
        switch choice {
        case .start1: return starts[0]
        case .start2: return starts[1]
        case .certified: return certifiedParameters
        }
    }

    /// The residual map r_s(b) = f(x_s; b) − g(y_s) over the problem's data.
    ///
    /// - Throws: ``FormulaModelError`` if a transformed response is not finite.
    public func residualMap() throws(FormulaModelError) -> FormulaResidualMap {
        try model.residualMap(inputs: dataset.inputs, responses: dataset.targets.elements)
    }
}
