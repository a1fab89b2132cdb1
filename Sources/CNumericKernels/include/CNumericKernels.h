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
/// The `*_variant` entry points take 0 (baseline), 1 (AVX2 + FMA) or 2 (AVX-512F where a
/// kernel has such a variant — tanh and the small product —, AVX2 + FMA for the others).
int jb_kernels_variant(void);

/// 1 when the CPU (and OS) support AVX-512F: `jb_tanh` and `jb_matmul` then use their AVX-512
/// variants (eight lanes per instruction, the same operations: bitwise equal to AVX2's).
int jb_has_avx512(void);

/// values[i] ← tanh(values[i]); when `derivatives` is not NULL also
/// derivatives[i] ← 1 − tanh²(values[i]). tanh x = e/(e + 2), e = expm1(2|x|), with
/// expm1 by Cody–Waite reduction and a degree-13 Taylor kernel; |x| clamped to 20,
/// sign restored from x (±0 and subnormals return themselves, ±∞ → ±1, NaN → NaN).
/// Error ≤ 2.5 ulp (tests: ElementwiseKernelTests).
void jb_tanh(double *values, double *derivatives, ptrdiff_t count);

/// `jb_tanh` in an explicit variant (0 baseline, 1 AVX2 + FMA, 2 AVX-512F; each falls back
/// to the one below when the CPU lacks it), for tests that prove all three.
void jb_tanh_variant(int variant, double *values, double *derivatives, ptrdiff_t count);

/// expm1(y) for y in [−40, 40] by the same kernel, elementwise (tests).
void jb_expm1_variant(int variant, const double *y, double *result, ptrdiff_t count);

/// target (rows × columns, row-major) ← a ⊗ b, i.e. target[r·columns + c] = a[r]·b[c].
void jb_outer_product(const double *a, ptrdiff_t rows, const double *b, ptrdiff_t columns, double *target);

/// target[i] ← gain·(x[i]·y[i]); the product x·y is rounded first, then scaled
/// (gain = 1 skips the scaling).
void jb_scaled_product(const double *x, const double *y, double gain, ptrdiff_t count, double *target);

/// values[i] ← values[i]·(1 − outputs[i]²): tanh's derivative from its outputs, rounded as
/// ``jb_tanh`` rounds the derivatives it writes, so the product equals scaling by them bit for bit.
void jb_scale_by_tanh_derivative(double *values, const double *outputs, ptrdiff_t count);

/// For every sample s < `samples` and output d < p, row s·p + d of `rows` (stride
/// `rowStride`) gets, in its first `length` entries, g·(outputFactors[d]·sampleFactors[s])
/// elementwise, with g = gains[s·p + d] (1 when `gains` is NULL): the penultimate
/// layer's blocks of a per-sample Jacobian written from their two factors.
void jb_factored_rows(const double *sampleFactors, ptrdiff_t samples, const double *outputFactors, ptrdiff_t p,
                      ptrdiff_t length, const double *gains, double *rows, ptrdiff_t rowStride);

/// For every sample s and output d, the top layer's block of row s·p + d (starting at
/// `rows + (s·p + d)·rowStride`: W as p × width, then b, p·(width + 1) entries) is zero
/// except W[d, :] = g·inputs[s, :] and b[d] = g, g = gains[s·p + d] (1 when NULL).
void jb_selector_rows(const double *inputs, ptrdiff_t samples, ptrdiff_t width, ptrdiff_t p, const double *gains,
                      double *rows, ptrdiff_t rowStride);

/// C (m × n) ← A (m × k)·B (k × n) + 1·biasᵀ (bias: n values, or NULL for none), all
/// row-major and dense, for small products where
/// BLAS's packing costs more than the arithmetic. The AVX2 variant keeps each row of C
/// in registers for n ≤ 16 and uses FMA (one rounding per multiply-add), so it may differ
/// from the baseline variant in the last bits; both sum over k in ascending order. Where the
/// CPU has AVX-512F, an AVX-512 variant (four rows of up to sixteen in zmm registers) adds
/// the same FMAs in the same order: bitwise equal to the AVX2 variant.
void jb_matmul(const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n, const double *bias, double *c);

/// `jb_matmul` in an explicit variant (tests).
void jb_matmul_variant(int variant, const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n,
                       const double *bias, double *c);

/// Every parameter row of a two-layer network's per-sample Jacobian (layout W1 h × d,
/// b1, W2 p × h, b2; row r = s·p + o at `rows + r·rowStride`), written whole, one sample
/// at a time: with g = gains[r] (1 when NULL) and D1 = 1 when NULL, W1[u, i] entry =
/// g·(W2[o, u]·(D1(s)[u]·x(s)[i])), b1[u] = g·(W2[o, u]·D1(s)[u]) (the general path's
/// products and order, so the same bits), the W2 block zero except row o = g·t1(s), b2
/// zero except entry o = g. x: samples × d, t1 and D1: samples × h, W2: p × h. Returns 0
/// (nothing written) when h·d + h > 512 or p·(h·d + h) > 2048 (its stack tables), else 1.
/// No FP contraction: both variants are bitwise equal. Cost: S·p·(h·d + h + p·h + p)
/// stores, ≤ 2 products each in the first-layer block.
int jb_two_layer_rows(const double *x, ptrdiff_t d, const double *t1, const double *d1, ptrdiff_t h, const double *w2,
                      ptrdiff_t p, const double *gains, ptrdiff_t samples, double *rows, ptrdiff_t rowStride);

/// `jb_two_layer_rows` in an explicit variant (0 baseline, 1 or 2 AVX2 + FMA; tests).
/// `jb_two_layer_rows` itself runs the baseline variant: its 16-byte stores never split a
/// cache line of rows that start 16 bytes past a 32-byte boundary (a large Swift array's
/// elements do), while every other 32-byte store of the AVX2 variant does.
int jb_two_layer_rows_variant(int variant, const double *x, ptrdiff_t d, const double *t1, const double *d1, ptrdiff_t h,
                              const double *w2, ptrdiff_t p, const double *gains, ptrdiff_t samples, double *rows,
                              ptrdiff_t rowStride);

/// Every parameter row of an MLP's per-sample Jacobian (layers 0..top; layout: for each layer l,
/// W_l as w_{l+1} × w_l row-major, then b_l; widths: top + 2 entries, p = widths[top + 1]),
/// rows r = s·p + d laid end to end from `rows` (stride = the row length n), written once
/// with non-temporal stores (for Jacobians far larger than the caches). Row r holds, for
/// l < top, W_l entries Δ_l(r)[u]·H_l(s)[i] and b_l = Δ_l(r), with Δ_l = `deltas[l]` (S·p ×
/// w_{l+1}) and H_l = `inputs[l]` (S × w_l); the top block is zero except W[d, :] =
/// g·H_top(s) and b[d] = g, g = gains[r] (1 when NULL). Each entry is one product, a copy or
/// 0, so every variant writes the same bits. `staging`: n + 16 doubles of scratch (any
/// alignment). The AVX2 variant assembles each row in `staging` at the target's offset mod 32
/// bytes and stores only aligned 32-byte vectors (carrying ≤ 3 entries to the next row); the
/// AVX-512 variant (used where the CPU has AVX-512F) the same with whole 64-byte lines. Both
/// end with `jb_stream_fence`. Cost: S·p·n stores, Σ_{l<top} w_{l+1}·w_l products per row.
void jb_streamed_parameter_rows(ptrdiff_t top, const double *const *deltas, const double *const *inputs,
                                const ptrdiff_t *widths, const double *gains, ptrdiff_t samples, double *staging,
                                double *rows);

/// `jb_streamed_parameter_rows` in an explicit variant (0 baseline, 1 AVX2, 2 AVX-512F; each
/// falls back to the one below when the CPU lacks it; tests).
void jb_streamed_parameter_rows_variant(int variant, ptrdiff_t top, const double *const *deltas,
                                        const double *const *inputs, const ptrdiff_t *widths, const double *gains,
                                        ptrdiff_t samples, double *staging, double *rows);

/// Orders the preceding non-temporal stores before any later store (sfence).
void jb_stream_fence(void);

#ifdef __cplusplus
}
#endif

#endif
