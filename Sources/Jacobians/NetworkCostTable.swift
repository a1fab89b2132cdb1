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
/// | forward-loop | 1, n, n·U·par, n·S·P, n·S·H, m·n, n·S·P·min(1, S·W / 4·10⁵) |
/// | reverse-loop | 1, m, m·U·par, m·S·P, m·S·H, m·n, m·S·P·min(1, S·W / 4·10⁵) |
/// | forward-vectorized | 1, c, c·U·par, c·S·P, n·S·P, n·S·H, m·n, c·k·n, c·k·n·min(1, k·n / 4·10⁶), n·S·H·min(1, k·S·W / 4·10⁶) |
/// | reverse-vectorized | 1, c, c·U·par, c·S·P, m·S·P, m·S·H, m·n, c·k·m, c·k·m·min(1, k·m / 4·10⁶), m·S·P·min(1, k·S·W / 4·10⁶) |
/// | per-sample | 1, p, p·U·par, p·S·P, S·P, S·H, m·n |
/// | swift-autodiff (per sample: k = n for the parameters, d for the inputs; L layers) | S, m·L, m·P, m·k·L |
/// | auto | its choice's terms, plus 1 (its per-call overhead) |
///
/// The `min(1, size / limit)` terms are memory traffic: an identity seed or a lane block
/// (W·S·k doubles) of more than 4·10⁶ doubles (32 MB), or a single lane's block (W·S) of more
/// than 4·10⁵ (3.2 MB), no longer fits in cache and costs more per element.
/// Coefficients are non-negative (non-negative least squares on relative error, with the
/// worst cells weighted up; `scripts/fit_cost_model.py BUNDLE…` redoes the fit and prints this
/// table from the bundles); `make cost-model-check` compares the constants with a fresh run.
/// A strategy's forward-pass units are its time over the forward pass's time on the same
/// shape, so the constant part of the machine's speed cancels.
///
/// swift-autodiff's row was refitted alone when it became per-sample pullbacks (same host,
/// 26 cells of 5-w-3 / 5-16-16-3 networks on 4 to 3,333 samples and d-32-p / d-32-32-p inputs
/// plus seed-lm: predicted/measured 0.71 to 1.64 for the parameters, 0.71 to 1.28 for the
/// inputs; docs/swift-autodiff-profile.md).
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
            "auto/inputs": [0.255],
            "auto/parameters": [0.255],
            "central-difference/inputs": [0.297463, 0, 8.04526e-05, 0.0124642, 0.000337675],
            "central-difference/parameters": [0, 0.15895, 0.000247091, 0, 0.000916061],
            "complex-step/inputs": [0, 0, 0.000710966, 0.0713289, 0],
            "complex-step/parameters": [2.33418, 0, 0.00749595, 0, 0.0166048],
            "forward-difference/inputs": [0.271391, 0, 8.50822e-05, 0.0122182, 0.000849098],
            "forward-difference/parameters": [0, 0.160803, 0, 0.00228254, 0.00136098],
            "forward-loop/inputs": [0.792601, 0, 0, 0.000195401, 0.00785239, 0, 0],
            "forward-loop/parameters": [0, 0.156534, 0.0135386, 0.000154076, 0, 0.00487978, 0.000140925],
            "forward-pass/inputs": [0, 5.96739e-05, 0.0138263],
            "forward-pass/parameters": [0.173369, 0.000226243, 0],
            "forward-vectorized/inputs": [0, 0.937913, 0, 0.000184056, 0, 0, 0.00081115, 0.00159555, 0, 0],
            "forward-vectorized/parameters": [0, 0, 0.162973, 0.00016111, 5.31082e-05, 0, 0.000375443, 0.000225801, 0.00244213, 0.000936784],
            "per-sample/inputs": [0, 0.006715, 0, 0, 0.00011192, 0.0198714, 0.0010451],
            "per-sample/parameters": [0, 0.10026, 0, 0.000390559, 0, 0, 0],
            "reverse-loop/inputs": [0.971941, 0, 0, 0.000101931, 0.00592142, 0.00178656, 0],
            "reverse-loop/parameters": [0, 0.347739, 0.0181945, 0.00112449, 0, 0, 0],
            "reverse-vectorized/inputs": [0.906358, 0, 0, 0.000140241, 0, 0, 0.00150802, 0.00167854, 0, 0.00175806],
            "reverse-vectorized/parameters": [0.562859, 0, 0.0429598, 0, 0, 0.00113199, 0, 0.000799921, 0.00295273, 0.000261897],
            "swift-autodiff/inputs": [5.12287, 0.256792, 0.000183464, 0.00196468],
            "swift-autodiff/parameters": [0, 0.35119, 0, 0.00288677],
        ],
        provenance: "measured: avx512f, AMD EPYC VM, OpenBLAS 0.3.21 (Cooperlake), one thread")
}
