import CNumericKernels

/// The compiled variant of the elementwise and small-product kernels (`CNumericKernels`) this
/// CPU runs: the cost model's constants are keyed by it, because the same network's sweeps
/// take different times in each.
public enum KernelVariant: String, Sendable, CaseIterable, Hashable {
    /// Baseline x86-64 (or the host architecture): two doubles per instruction, no FMA.
    case baseline
    /// AVX2 + FMA: four doubles per instruction.
    case avx2 = "avx2+fma"
    /// AVX-512F where a kernel has it (tanh, the small product), AVX2 + FMA for the others.
    case avx512 = "avx512f"

    /// The variant this process's kernels dispatch to (as `ElementwiseKernels.variant` reports).
    public static var current: KernelVariant {
        guard jb_kernels_variant() == 1 else { return .baseline }
        return jb_has_avx512() == 1 ? .avx512 : .avx2
    }
}
