import Jacobians
import LinearAlgebra

/// What a network's residual map tells a least-squares solver: its suggested settings, the
/// zero blocks of its Jacobian, and its normal equations without J.
extension MultilayerPerceptronResidualMap: LeastSquaresHinting, OutputBlockStructured, NormalEquationsAssembling {
    /// A network's suggested settings (``networkHints(parameterCount:)`` for its parameter count).
    public var leastSquaresHints: LeastSquaresHints { Self.networkHints(parameterCount: network.parameterCount) }

    /// The largest parameter count whose fits damp by Moré's trust region; larger networks
    /// take Nielsen's rule (``networkHints(parameterCount:)``).
    public static let trustRegionParameterLimit = 256

    /// The damping by size, and the normal equations at any condition:
    ///
    /// - `damping: trust-region` up to ``trustRegionParameterLimit`` parameters (MINPACK's λ
    ///   search for a radius, as SciPy's `lm`): over 20 seeds of seed-lm (N = 84) it reached
    ///   SciPy lm's final cost on every one, where Nielsen's rule stayed higher, in another
    ///   local minimum or on a plateau, on 8; run to convergence it ended lower than Nielsen's
    ///   on 8 seeds, higher on 1. The other settings tried (geodesic acceleration, other
    ///   scalings, τ, the radius factor) each missed SciPy's cost on some seeds.
    /// - `damping: nielsen` above it, from τ = 1e-5 (nearly a Gauss-Newton first step): one
    ///   factorization per trial instead of the λ search's 3–5 per iteration, which at N =
    ///   1,021 cost 90 instead of 20 ms an iteration, and over four seeds of that network the
    ///   two rules ended within 0.3 % of each other (figures in docs/ARCHITECTURE.md,
    ///   "Network damping").
    /// - `cholesky-min-rcond: 0`, i.e. always the normal equations (Cholesky of JᵀJ + λD²).
    ///   An over-parameterized network's Gram matrix is routinely far too ill-conditioned for
    ///   the certified 1e-10 rule, yet its parameters carry no certified digits to keep, and
    ///   every damped step actually taken solves the much better conditioned JᵀJ + λD²
    ///   (κ ≲ ‖JᵀJ‖/λ); when JᵀJ itself is singular the undamped step is regularized. Cholesky
    ///   costs half of QR per Jacobian (mn² vs 2mn² flops) and n³/3 per λ instead of a Givens
    ///   sweep.
    /// - Matrix-free fits (`cg`, `lsmr`): `scaling: levenberg` (D = I) from τ = 1e-6, i.e.
    ///   λ₀ = 10⁻⁶·maxⱼ (JᵀJ)ⱼⱼ, the damping of jaxopt's and optimistix's LM. An inexact
    ///   Krylov step under Moré's scaling D = ‖Jⱼ‖ damps the weakly determined weights least,
    ///   takes long steps along them and is rejected again and again; over five seeds at
    ///   w = 64 and 256 the identity damping reached 1.02 × the teacher's cost in 2–3 steps
    ///   where Moré's took 2–19 (figures in docs/ARCHITECTURE.md). CG unpreconditioned, to
    ///   η = ‖Jᵀr‖/‖Jᵀr₀‖ (within [10⁻⁵, 0.5]): near a minimum a network's JᵀJ + λI has a
    ///   few large eigenvalues above a cluster at λ, which plain CG resolves in about ten
    ///   iterations and Jacobi's preconditioner spreads; with tight solves the fit keeps
    ///   descending where Eisenstat–Walker's loose ones stalled. A rejected step is tried at ½,
    ///   ¼, ⅛ and 1/16 of its length (`backtracking-steps: 4`) before λ grows: a far start's
    ///   first Gauss-Newton-like steps overshoot, and each halving costs one forward pass where
    ///   a new λ costs a new inner solve (figures in docs/ARCHITECTURE.md).
    public static func networkHints(parameterCount: Int) -> LeastSquaresHints {
        LeastSquaresHints(
            damping: parameterCount <= trustRegionParameterLimit ? .trustRegion : .nielsen, initialDamping: 1e-5,
            choleskyMinimumReciprocalCondition: 0, matrixFreeScaling: .levenberg, matrixFreeInitialDamping: 1e-6,
            matrixFreePreconditioner: .plain, matrixFreeForcing: .gradientRatio, matrixFreeBacktrackingSteps: 4)
    }

    /// The last layer's blocks: W_L (p × h, row-major) then b_L at the end of θ, every earlier
    /// layer dense; nil for one output (nothing to skip) or another layout.
    public var outputBlockSparsity: OutputBlockSparsity? {
        let last = network.layerCount - 1
        guard last >= 0 else { return nil }
        let p = network.outputWidth, h = network.layerWidths[last]
        let weights = network.weightOffsets[last], biases = network.biasOffsets[last]
        guard biases == weights + p * h, biases + p == network.parameterCount else { return nil }
        return OutputBlockSparsity(denseColumns: weights, outputs: p, blockWeights: h)
    }

    /// The two-layer assembly from per-sample factors (``formNormalEquationFactors(at:in:)``
    /// and ``assembleNormalEquations(residuals:in:gram:gradient:)``) when
    /// ``admitsFactoredNormalEquations``; otherwise, at any depth, the sums over sample blocks
    /// of per-sample rows (`SampleBlockedNormalEquationsAssembler`), which never hold J and
    /// share the work with ``ThreadSettings/workerCount`` threads.
    public func makeNormalEquationsAssembler() -> (any NormalEquationsAssembler)? {
        if let workspace = makeNormalEquationsWorkspace() {
            return TwoLayerNormalEquationsAssembler(map: self, workspace: workspace)
        }
        return SampleBlockedNormalEquationsAssembler(map: self, workers: ThreadSettings.workerCount)
    }
}

/// A two-layer network's normal-equations assembly: the map and its workspace, as the
/// solver-facing ``NormalEquationsAssembler``.
final class TwoLayerNormalEquationsAssembler: NormalEquationsAssembler {
    let map: MultilayerPerceptronResidualMap
    let workspace: TwoLayerNormalEquationsWorkspace

    init(map: MultilayerPerceptronResidualMap, workspace: TwoLayerNormalEquationsWorkspace) {
        self.map = map
        self.workspace = workspace
    }

    var parameterCount: Int { workspace.parameterCount }

    func formFactors(at point: [Double]) {
        map.formNormalEquationFactors(at: point, in: workspace)
    }

    func assemble(residuals: [Double], gram: inout Matrix, gradient: inout [Double]) {
        map.assembleNormalEquations(residuals: residuals, in: workspace, gram: &gram, gradient: &gradient)
    }
}
