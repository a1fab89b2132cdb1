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
/// | forward-vectorized | 1, c, c·U·par, c·S·P, n·S·P, n·S·H, m·n, c·k·n, c·k·n·min(1, k·n / 4·10⁶) |
/// | reverse-vectorized | 1, c, c·U·par, c·S·P, m·S·P, m·S·H, m·n, c·k·m, c·k·m·min(1, k·m / 4·10⁶), m·S·P·min(1, k·S·W / 4·10⁶) |
/// | per-sample | 1, p, p·U·par, p·S·P, S·P, S·H, m·n |
/// | swift-autodiff | m·S·P, m·S·H |
///
/// The `min(1, size / 4·10⁶)` terms are memory traffic: an identity seed (or a lane block)
/// of more than 4·10⁶ doubles (32 MB) no longer fits in cache and costs more per element.
/// Coefficients are non-negative (non-negative least squares on relative error, with the
/// worst cells weighted up); `scripts/cost_model_check.py` compares them with a fresh run.
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
            "central-difference/inputs": [0.274572, 0, 0.000110773, 0.00884994, 0.000425381],
            "central-difference/parameters": [0, 0.159712, 0.000246269, 0, 0.000944278],
            "complex-step/inputs": [0, 0, 0.000876078, 0.0490732, 0],
            "complex-step/parameters": [0.463669, 0.160271, 0.00789197, 0, 0.0144231],
            "forward-difference/inputs": [0.239193, 0, 0.000114512, 0.00852942, 0.00108091],
            "forward-difference/parameters": [0, 0.162286, 0, 0.00226903, 0.0013494],
            "forward-loop/inputs": [0.671972, 0, 0, 0.00022637, 0.00406872, 0],
            "forward-loop/parameters": [0, 0.181879, 0.0102959, 0.000200936, 0, 0.00455664],
            "forward-pass/inputs": [0, 8.92792e-05, 0.0102942],
            "forward-pass/parameters": [0.187789, 0.000224867, 0],
            "forward-vectorized/inputs": [0, 0.675554, 0, 0.000223252, 0, 0, 0.000931481, 0.00141119, 0.0176855],
            "forward-vectorized/parameters": [0, 0.55689, 0.0416089, 0.000280419, 0, 0.00123514, 0, 0, 0.00205129],
            "per-sample/inputs": [0, 0.00697847, 0, 4.54011e-08, 0.000137578, 0.0140403, 0.00115629],
            "per-sample/parameters": [0, 0.0998883, 0, 0.000380507, 0, 0, 0],
            "reverse-loop/inputs": [0.797907, 0, 0, 0.00012507, 0.00305638, 0.00207372],
            "reverse-loop/parameters": [0, 0.354753, 0.01781, 0.00111952, 0, 0],
            "reverse-vectorized/inputs": [0.670322, 0, 0, 0.000196693, 0, 0, 0.00145038, 0.00145169, 0, 0.0031478],
            "reverse-vectorized/parameters": [0, 0.552407, 0.0475117, 0, 0, 0.00112149, 0, 0.000778529, 0.00297011, 0.000255448],
            "swift-autodiff/inputs": [0.132653, 0],
            "swift-autodiff/parameters": [0.36535, 0],
        ],
        provenance: "measured: avx512f, AMD EPYC VM, OpenBLAS 0.3.21 (Cooperlake), one thread")
}
