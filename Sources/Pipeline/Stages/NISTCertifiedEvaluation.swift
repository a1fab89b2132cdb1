import Datasets
import Foundation

/// `evaluation: [{kind: nist-certified}]` — agreement with NIST's certified values as log
/// relative errors, LRE = −log₁₀(|x − c| / |c|) (−log₁₀|x − c| when c = 0), capped at
/// `max-lre` digits: `nist.lre_min` over the parameters, `nist.lre_ssr` for the residual
/// sum of squares, `nist.lre_stderr_min` over the standard errors (when the solver gives them).
public enum NISTCertifiedEvaluation: EvaluationStage {
    /// Options.
    public struct Configuration: DeclaredStageConfiguration {
        /// Cap on reported digits (certified values carry about 11).
        public var maxLRE = 11.0

        /// The defaults.
        public init() {}

        /// See ``DeclaredStageConfiguration``.
        public static let declarations: [DeclaredOption<Self>] = [
            .optional("max-lre", \.maxLRE, "cap on the log relative error, digits"),
        ]
    }

    /// `nist-certified`.
    public static let kind = "nist-certified"
    /// One line.
    public static let summary = "log relative errors against NIST certified parameters, RSS and standard errors"

    /// The cap must be positive.
    public static func validate(_ configuration: Configuration) throws {
        try CheckedNumber.positive(configuration.maxLRE, field: "max-lre")
    }

    /// Compares the fitted values with the certified ones.
    public static func evaluate(_ context: StageContext<Configuration>, subject: EvaluationSubject) throws -> EvaluationResult {
        guard let problem = subject.data.nist else {
            throw ConfigurationProblem("nist-certified needs NIST data (data: {kind: nist, file: …})")
        }
        let cap = context.configuration.maxLRE
        let parameterLREs = zip(subject.parameters, problem.certifiedParameters).map { logRelativeError($0, certified: $1, cap: cap) }
        var metrics: [Metric] = [.deterministic("nist.lre_min", parameterLREs.min() ?? .nan)]
        for (name, lre) in zip(problem.parameterNames, parameterLREs) { metrics.append(.deterministic("nist.lre.\(name)", lre)) }
        // Accepted inconsistencies of the file's own header (e.g. Rat43's degrees of freedom).
        if !problem.headerWarnings.isEmpty { metrics.append(.text("nist.header_warning", problem.headerWarnings.joined(separator: "; "))) }
        // The RSS behind the scores, and σ̂² behind the standard errors, from residuals formed in
        // extended precision from the data's decimal text (Double when that is unavailable).
        var residuals: [Double] = []
        subject.residuals.evaluate(at: subject.parameters, into: &residuals)
        let doubleRSS = residuals.reduce(0) { $0 + $1 * $1 }
        let extendedRSS = problem.extendedResidualSumOfSquares(at: subject.parameters)
        let rss = extendedRSS ?? doubleRSS
        metrics.append(.deterministic("nist.rss", rss))
        metrics.append(.text("nist.rss_precision", extendedRSS == nil ? "double" : "\(NISTExtendedReal.significandBitCount + 1)-bit significand from the decimal data"))
        metrics.append(.deterministic("nist.lre_ssr", logRelativeError(rss, certified: problem.residualSumOfSquares, cap: cap)))
        if let fit = subject.fit, let errors = fit.standardErrors {
            // The covariance used σ̂² = 2·cost/(N − p) from the fit's own Double residuals; the
            // standard errors scale with √σ̂², so they are rescaled to the extended RSS.
            let fitRSS = 2 * fit.finalCost
            let scale = fitRSS > 0 && rss.isFinite ? (rss / fitRSS).squareRoot() : 1
            let lres = zip(errors, problem.certifiedStandardDeviations).map { logRelativeError($0 * scale, certified: $1, cap: cap) }
            metrics.append(.deterministic("nist.lre_stderr_min", lres.min() ?? .nan))
        }
        return EvaluationResult(metrics: metrics)
    }

    /// −log₁₀ of the relative error, in [0, cap]; NaN estimates give 0.
    static func logRelativeError(_ estimate: Double, certified: Double, cap: Double) -> Double {
        guard estimate.isFinite else { return 0 }
        let error = certified == 0 ? abs(estimate) : abs(estimate - certified) / abs(certified)
        if error == 0 { return cap }
        let digits = -log10(error)
        // Never −0.0: an error of 100 % or more is 0 digits.
        return digits > 0 ? min(cap, digits) : 0
    }
}
