import Jacobians

extension LevenbergMarquardt {
    /// The `normal-equations` source recorded for a matrix-free linearization.
    static let matrixFreeSource = "matrix-free"

    /// Why a matrix-free fit has no covariance: for m ≤ n J̃ᵀJ̃ is singular; otherwise its inverse
    /// would be an n × n matrix the fit never forms, and conditional standard errors
    /// (``FitResult/conditionalStandardErrors``) stand in for it when the fit computed them
    /// (`approximated`; not when it ended without a finite cost).
    static func matrixFreeCovarianceNote(rows m: Int, columns n: Int, approximated: Bool) -> String {
        if m <= n { return "not computed: JᵀJ is singular with \(n) parameters and \(m) residuals" }
        return approximated
            ? "approximated: the matrix-free fit does not form the \(n) × \(n) covariance (a dense linear-solver does); "
                + "conditional standard errors σ̂/√(JᵀJ)ⱼⱼ are reported instead, each parameter's with the others held fixed, "
                + "a lower bound on the marginal ones"
            : "not computed: the matrix-free fit ended without a finite cost"
    }

    /// Whether a fit runs matrix-free (``MatrixFreeLevenbergMarquardtRun``) and why.
    ///
    /// `cg` and `lsmr` always do (they take plain least squares without bounds or geodesic
    /// acceleration, with Nielsen damping). `auto` does when the problem allows it and either
    /// - the dense systems do not fit the memory budget: 8·(2n² + m·n) bytes for the normal
    ///   equations (JᵀJ and its factor, and J unless the dense fit would assemble JᵀJ from the map,
    ///   ``Configuration/assemblesNormalEquations(of:)``), 8·(m·n + 2m²)
    ///   for the dual system when m < n; or
    /// - a dense iteration is predicted to cost more than ``matrixFreeTimeRatio`` matrix-free ones:
    ///   m·n² + n³/3 flops (JᵀJ and its Cholesky factor; n·m² + m³/3 for the dual system) against
    ///   ``matrixFreeProductsPerIteration`` products of about 2·m·n flops each. The margin stands
    ///   for the dense steps being exact, so that they need fewer iterations.
    public struct MatrixFreeChoice: Sendable, Equatable {
        /// Whether the fit goes matrix-free.
        public var matrixFree: Bool
        /// Why, in words (recorded in ``MatrixFreeStatistics/reason``).
        public var reason: String
        /// Set when the configuration asks for something the problem cannot have.
        public var invalidReason: String?

        /// J·v and Jᵀ·u products assumed per matrix-free iteration by `auto`'s time rule (25
        /// inner iterations).
        public static let matrixFreeProductsPerIteration = 50.0
        /// How many times a matrix-free iteration's predicted flops a dense one must exceed before
        /// `auto` goes matrix-free.
        public static let matrixFreeTimeRatio = 20.0

        /// The choice for `configuration` on `problem`.
        public static func decide(configuration: Configuration, problem: LeastSquaresProblem) -> MatrixFreeChoice {
            let plain = problem.loss.isLinear && problem.bounds?.isConstraining != true && !configuration.geodesicAcceleration
            if configuration.linearSolver.isMatrixFree {
                let solver = configuration.linearSolver.rawValue
                if !plain {
                    return MatrixFreeChoice(
                        matrixFree: true, reason: "",
                        invalidReason: "linear-solver \(solver) fits plain least squares: no bounds, robust loss or geodesic acceleration")
                }
                if configuration.damping == .trustRegion {
                    return MatrixFreeChoice(
                        matrixFree: true, reason: "",
                        invalidReason: "linear-solver \(solver) takes damping nielsen (Moré's λ search needs several inner solves per trial)")
                }
                return MatrixFreeChoice(matrixFree: true, reason: "linear-solver: \(solver)")
            }
            guard configuration.linearSolver == .auto, plain else { return MatrixFreeChoice(matrixFree: false, reason: "") }
            let m = Double(problem.map.outputCount), n = Double(problem.freeParameters.count)
            let assemblesGram = configuration.assemblesNormalEquations(of: problem)
            let denseBytes = m >= n ? 8 * (2 * n * n + (assemblesGram ? 0 : m * n)) : 8 * (m * n + 2 * m * m)
            if let budget = problem.memoryBudgetBytes, denseBytes > Double(budget) {
                return MatrixFreeChoice(
                    matrixFree: true,
                    reason: "auto: the dense \(m >= n ? "normal equations" : "dual system") need \(megabytes(denseBytes)) MB, over the memory budget of \(megabytes(Double(budget))) MB")
            }
            let denseFlops = m >= n ? m * n * n + n * n * n / 3 : n * m * m + m * m * m / 3
            let matrixFreeFlops = matrixFreeProductsPerIteration * 2 * m * n
            if denseFlops > matrixFreeTimeRatio * matrixFreeFlops {
                return MatrixFreeChoice(
                    matrixFree: true,
                    reason: "auto: a dense iteration (\(gigaflops(denseFlops)) GFLOP) is predicted to cost more than \(Int(matrixFreeTimeRatio)) matrix-free ones (\(gigaflops(matrixFreeFlops)) GFLOP each)")
            }
            return MatrixFreeChoice(matrixFree: false, reason: "")
        }

        private static func gigaflops(_ flops: Double) -> String { String(Double(Int(flops / 1e7)) / 100) }
    }
}

/// `bytes` in MB (10⁶ bytes) with one decimal, for messages.
func megabytes(_ bytes: Double) -> String { String((bytes / 1e5).rounded() / 10) }
