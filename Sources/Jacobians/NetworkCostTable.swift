/// Measured constants of the cost model for fully connected networks: each strategy's
/// wall time as a sum of work terms of the network's widths, in microseconds, fitted to
/// the timings of `experiments/crossover.yaml`, `seed-lm.yaml` and `seed-input.yaml`
/// (release, one BLAS thread) and shipped: nothing is measured at run time.
///
/// A network [d, w₁, …, p] over S samples has P = Σ w_{l+1}(w_l + 1) parameters, H = Σ of
/// its hidden widths (activations per sample), U = Σ_{l≥1} w_l units and widest layer W; the
/// Jacobian is m × n; a vectorized strategy makes c sweeps of k lanes. With `par` = 1 for the
/// parameters (one small product per unit per sweep) and 0 for the inputs, the terms are:
///
/// | strategy | terms (µs = Σ coefficient × term) |
/// | --- | --- |
/// | forward pass | 1, S·P, S·H |
/// | forward-difference (e = n + 1), central-difference (e = 2n), complex-step (e = n) | 1, e, e·S·P, e·S·H, m·n |
/// | forward-loop | 1, n, n·U·par, n·S·P, n·S·H, m·n |
/// | reverse-loop | 1, m, m·U·par, m·S·P, m·S·H, m·n |
/// | forward-vectorized | 1, c, c·U·par, c·S·P, n·S·P, n·S·H, m·n, c·k·n, c·k·n·min(1, k·n / 4·10⁶), n·S·H·min(1, k·S·W / 4·10⁶) |
/// | reverse-vectorized | 1, c, c·U·par, c·S·P, m·S·P, m·S·H, m·n, c·k·m, c·k·m·min(1, k·m / 4·10⁶), m·S·P·min(1, k·S·W / 4·10⁶) |
/// | per-sample | 1, p, p·U·par, p·S·P, S·P, S·H, m·n |
/// | swift-autodiff | m·S·P, m·S·H |
/// | auto | its choice's terms, plus 1 (its per-call overhead) |
///
/// The `min(1, size / 4·10⁶)` terms are memory traffic: an identity seed or a lane block
/// (W·S·k doubles) of more than 4·10⁶ doubles (32 MB) no longer fits in cache and costs
/// more per element.
/// Coefficients are non-negative (non-negative least squares on relative error, with the
/// worst cells weighted up; `scripts/fit_cost_model.py BUNDLE…` redoes the fit and prints this
/// table — the shipped one is its output on main's and this branch's first runs of the three
/// experiments); `make cost-model-check` compares the constants with a fresh run.
/// A strategy's forward-pass units are its time over the forward pass's time on the same
/// shape, so the constant part of the machine's speed cancels.
public struct NetworkCostTable: Sendable, Equatable {
    /// Coefficients (µs per unit of each term above) keyed by "strategy/parameters" or
    /// "strategy/inputs"; the forward pass is "forward-pass/…".
    public var coefficients: [String: [Double]]
    /// Where the constants come from, for documentation and reports.
    public var provenance: String

    /// The shipped table for `variant`. Only AVX-512 was measured (AMD EPYC VM, OpenBLAS
    /// 0.3.21 Cooperlake kernels, 2 shared cores); the AVX2 and baseline tables are that
    /// table extrapolated unchanged: the ranking of strategies follows the work terms, which
    /// do not depend on the variant, and a machine of that kind should refit them
    /// (`make cost-model-check` shows how far they are off).
    public static func shipped(for variant: KernelVariant) -> NetworkCostTable {
        switch variant {
        case .avx512: return measuredAVX512
        case .avx2: return NetworkCostTable(coefficients: measuredAVX512.coefficients, provenance: "extrapolated from avx512f (not measured)")
        case .baseline: return NetworkCostTable(coefficients: measuredAVX512.coefficients, provenance: "extrapolated from avx512f (not measured)")
        }
    }

    /// Fitted on AVX-512 (see the type's documentation).
    static let measuredAVX512 = NetworkCostTable(
        coefficients: [
            "auto/inputs": [0.265],
            "auto/parameters": [0.265],
            "central-difference/inputs": [0.364885, 0, 8.39427e-05, 0.0142526, 0.000251304],
            "central-difference/parameters": [0, 0.152347, 0.000247755, 0, 0.000968236],
            "complex-step/inputs": [0, 0, 0.000747619, 0.0820221, 0],
            "complex-step/parameters": [2.03971, 0, 0.00766107, 0, 0.0154139],
            "forward-difference/inputs": [0.327504, 0, 8.81638e-05, 0.0139979, 0.000907908],
            "forward-difference/parameters": [0, 0.153022, 0, 0.00230847, 0.00137051],
            "forward-loop/inputs": [0.91959, 0, 0, 0.00020721, 0.00888171, 0],
            "forward-loop/parameters": [0, 0.169814, 0.00986758, 0.000204377, 0, 0.0045699],
            "forward-pass/inputs": [0, 6.01023e-05, 0.0159175],
            "forward-pass/parameters": [0.171038, 0.000227844, 0],
            "forward-vectorized/inputs": [0, 1.09237, 0, 0.000186757, 2.65206e-05, 2.54824e-05, 0, 0.000841754, 0, 0],
            "forward-vectorized/parameters": [0, 0, 0.155757, 0.000175888, 5.3433e-05, 0, 0.00038588, 0.000221594, 0.00222257, 0.000952294],
            "per-sample/inputs": [0, 0.00648005, 0, 0, 0.000120954, 0.0229236, 0.0011234],
            "per-sample/parameters": [0, 0.0990748, 0, 0.000385611, 0, 0, 0],
            "reverse-loop/inputs": [1.12325, 0, 0, 0.000108277, 0.0066771, 0.0019498],
            "reverse-loop/parameters": [0, 0.341684, 0.0160489, 0.0011346, 0, 0],
            "reverse-vectorized/inputs": [1.06782, 0, 0, 0.000128271, 0, 0, 0.00168117, 0.00184882, 0, 0.00158731],
            "reverse-vectorized/parameters": [0.554494, 0, 0.0392668, 0, 0, 0.00114998, 0, 0.000754594, 0.00308325, 0.000248985],
            "swift-autodiff/inputs": [0.163432, 0],
            "swift-autodiff/parameters": [0.363558, 0],
        ],
        provenance: "measured: avx512f, AMD EPYC VM, OpenBLAS 0.3.21 (Cooperlake), one thread")
}
