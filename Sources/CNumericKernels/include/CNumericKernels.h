// Elementwise kernels for the MLP sweeps, in C so that each is compiled twice:
// once for baseline x86-64 (or the host architecture) and once for AVX2 + FMA,
// chosen at run time from the CPU's features. Swift code on Linux is compiled
// for baseline x86-64 (SSE2, two doubles per instruction, no FMA); these loops
// are where the forward pass and the per-sample Jacobian spend their time.
#ifndef C_NUMERIC_KERNELS_H
#define C_NUMERIC_KERNELS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Which compiled variant the dispatching kernels use: 1 for AVX2 + FMA, 0 for baseline.
int jb_kernels_variant(void);

/// values[i] ← tanh(values[i]); when `derivatives` is not NULL also
/// derivatives[i] ← 1 − tanh²(values[i]). tanh x = e/(e + 2), e = expm1(2|x|), with
/// expm1 by Cody–Waite reduction and a degree-13 Taylor kernel; |x| clamped to 20,
/// sign restored from x (±0 and subnormals return themselves, ±∞ → ±1, NaN → NaN).
/// Error ≤ 2.5 ulp (tests: ElementwiseKernelTests).
void jb_tanh(double *values, double *derivatives, ptrdiff_t count);

/// `jb_tanh` in an explicit variant (0 baseline, 1 AVX2 + FMA; 1 falls back to 0
/// when the CPU lacks AVX2/FMA), for tests that prove both.
void jb_tanh_variant(int variant, double *values, double *derivatives, ptrdiff_t count);

/// expm1(y) for y in [−40, 40] by the same kernel, elementwise (tests).
void jb_expm1_variant(int variant, const double *y, double *result, ptrdiff_t count);

/// target (rows × columns, row-major) ← a ⊗ b, i.e. target[r·columns + c] = a[r]·b[c].
void jb_outer_product(const double *a, ptrdiff_t rows, const double *b, ptrdiff_t columns, double *target);

/// target[i] ← gain·(x[i]·y[i]); the product x·y is rounded first, then scaled
/// (gain = 1 skips the scaling).
void jb_scaled_product(const double *x, const double *y, double gain, ptrdiff_t count, double *target);

/// target[0..<count] ← source[0..<count] with non-temporal stores where the target is
/// aligned (no read-for-ownership of the target's cache lines), for results far larger
/// than the caches that are written once. Call `jb_stream_fence` after the last copy.
void jb_stream_copy(const double *source, double *target, ptrdiff_t count);

/// C (m × n) ← A (m × k)·B (k × n), all row-major and dense, for small products where
/// BLAS's packing costs more than the arithmetic. The AVX2 variant keeps each row of C
/// in registers for n ≤ 16 and uses FMA (one rounding per multiply-add), so it may differ
/// from the baseline variant in the last bits; both sum over k in ascending order.
void jb_matmul(const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n, double *c);

/// `jb_matmul` in an explicit variant (tests).
void jb_matmul_variant(int variant, const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n, double *c);

/// Orders the preceding non-temporal stores before any later store (sfence).
void jb_stream_fence(void);

#ifdef __cplusplus
}
#endif

#endif
