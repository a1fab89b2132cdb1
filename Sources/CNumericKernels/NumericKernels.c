#include "CNumericKernels.h"

#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

// No contraction of a·b + c into FMA: every operation rounds as written, so both
// variants, and debug and release builds, give bitwise identical results (the
// accuracy tests, run on a debug build, then prove the release kernels too).
#pragma STDC FP_CONTRACT OFF

// Every kernel body is written once as an always-inline function and instantiated
// in a baseline and (on x86-64) an AVX2 + FMA function; clang auto-vectorises both.

#if defined(__x86_64__) && defined(__clang__)
#define JB_HAS_AVX2_VARIANT 1
#define JB_AVX2 __attribute__((target("avx2,fma")))
#define JB_AVX512 __attribute__((target("avx512f")))
#else
#define JB_HAS_AVX2_VARIANT 0
#endif

#define JB_INLINE static inline __attribute__((always_inline))

static inline uint64_t bits_of(double x) { uint64_t b; memcpy(&b, &x, sizeof b); return b; }
static inline double double_of(uint64_t b) { double x; memcpy(&x, &b, sizeof x); return x; }

// expm1(y), y in [−40, 40]: y = k·ln2 + r, |r| ≤ ln2/2 (Cody–Waite, ln2 = high + low,
// k·high exact), expm1(y) = (2^k − 1) + 2^k·r + 2^k·r²·P(r), P the Taylor series of
// (e^r − 1 − r)/r² to degree 11 (expm1 to degree 13, truncation ≤ 1.2e-17 relative).
// k is rounded by adding 1.5·2^52; its low bits, shifted into the exponent field, give 2^k.
JB_INLINE double expm1_kernel(double y) {
    const double shifted = y * 1.4426950408889634 + 6755399441055744.0;
    const double k = shifted - 6755399441055744.0;
    const double r = (y - k * 0.6931471803691238) - k * 1.9082149292705877e-10;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    const double scale = double_of((bits_of(shifted) << 52) + 0x3FF0000000000000ULL);
    // (2^k − 1) + 2^k·r first: 2^k·r is exact and the sum exact or one rounding, so
    // the cancellation at k = 1, r < 0 does not amplify P's rounding.
    return ((scale - 1.0) + scale * r) + scale * ((r * r) * p);
}

JB_INLINE double tanh_kernel(double x) {
    const uint64_t sign = bits_of(x) & 0x8000000000000000ULL;
    double a = __builtin_fabs(x);
    a = a > 20.0 ? 20.0 : a;  // NaN stays NaN; tanh = 1 in double precision beyond 19.1
    const double e = expm1_kernel(a + a);
    const double t = e / (e + 2.0);
    return double_of(bits_of(t) | sign);
}

// The kernel is one long dependent chain per vector: four vectors are interleaved per
// iteration so that the core overlaps their chains instead of relying on out-of-order
// execution across iterations alone (the measured gain is in docs/ARCHITECTURE.md).
JB_INLINE void tanh_body(double *restrict values, double *restrict derivatives, ptrdiff_t count) {
    if (derivatives) {
#pragma clang loop interleave_count(4)
        for (ptrdiff_t i = 0; i < count; i++) {
            const double t = tanh_kernel(values[i]);
            values[i] = t;
            derivatives[i] = 1.0 - t * t;
        }
    } else {
#pragma clang loop interleave_count(4)
        for (ptrdiff_t i = 0; i < count; i++) values[i] = tanh_kernel(values[i]);
    }
}

JB_INLINE void expm1_body(const double *restrict y, double *restrict result, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) result[i] = expm1_kernel(y[i]);
}

JB_INLINE void outer_rows(const double *restrict a, ptrdiff_t rows, const double *restrict b, ptrdiff_t columns,
                          double *restrict target) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const double scale = a[r];
        double *restrict line = target + r * columns;
        for (ptrdiff_t c = 0; c < columns; c++) line[c] = scale * b[c];
    }
}

// Narrow rows (the usual first layers, d ≤ 8 inputs) get a copy with the width known
// at compile time, fully unrolled: no vector-loop set-up per row.
JB_INLINE void outer_body(const double *restrict a, ptrdiff_t rows, const double *restrict b, ptrdiff_t columns,
                          double *restrict target) {
    switch (columns) {
    case 1: outer_rows(a, rows, b, 1, target); break;
    case 2: outer_rows(a, rows, b, 2, target); break;
    case 3: outer_rows(a, rows, b, 3, target); break;
    case 4: outer_rows(a, rows, b, 4, target); break;
    case 5: outer_rows(a, rows, b, 5, target); break;
    case 6: outer_rows(a, rows, b, 6, target); break;
    case 7: outer_rows(a, rows, b, 7, target); break;
    case 8: outer_rows(a, rows, b, 8, target); break;
    default: outer_rows(a, rows, b, columns, target); break;
    }
}

JB_INLINE void tanh_derivative_scale_body(double *restrict values, const double *restrict outputs, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) {
        const double t = outputs[i];
        const double derivative = 1.0 - t * t;
        values[i] *= derivative;
    }
}

JB_INLINE void scaled_product_body(const double *restrict x, const double *restrict y, double gain, ptrdiff_t count,
                                   double *restrict target) {
    if (gain == 1.0) {
        for (ptrdiff_t i = 0; i < count; i++) target[i] = x[i] * y[i];
    } else {
        for (ptrdiff_t i = 0; i < count; i++) {
            const double product = x[i] * y[i];
            target[i] = gain * product;
        }
    }
}

JB_INLINE void matmul_body(const double *restrict a, ptrdiff_t m, ptrdiff_t k, const double *restrict b, ptrdiff_t n,
                           const double *restrict bias, double *restrict c) {
    for (ptrdiff_t i = 0; i < m; i++) {
        double *restrict row = c + i * n;
        for (ptrdiff_t j = 0; j < n; j++) row[j] = bias ? bias[j] : 0.0;
        for (ptrdiff_t u = 0; u < k; u++) {
            const double s = a[i * k + u];
            const double *restrict bu = b + u * n;
            for (ptrdiff_t j = 0; j < n; j++) row[j] += s * bu[j];
        }
    }
}

static void matmul_baseline(const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n, const double *bias,
                            double *c) {
    matmul_body(a, m, k, b, n, bias, c);
}

JB_INLINE void factored_rows_body(const double *restrict sampleFactors, ptrdiff_t samples, const double *restrict outputFactors,
                                  ptrdiff_t p, ptrdiff_t length, const double *restrict gains, double *restrict rows,
                                  ptrdiff_t rowStride) {
    for (ptrdiff_t s = 0; s < samples; s++) {
        const double *restrict a = sampleFactors + s * length;
        for (ptrdiff_t d = 0; d < p; d++) {
            const double *restrict b = outputFactors + d * length;
            double *restrict target = rows + (s * p + d) * rowStride;
            if (gains) {
                const double g = gains[s * p + d];
                for (ptrdiff_t i = 0; i < length; i++) { const double product = b[i] * a[i]; target[i] = g * product; }
            } else {
                for (ptrdiff_t i = 0; i < length; i++) target[i] = b[i] * a[i];
            }
        }
    }
}

JB_INLINE void selector_rows_body(const double *restrict inputs, ptrdiff_t samples, ptrdiff_t width, ptrdiff_t p,
                                  const double *restrict gains, double *restrict rows, ptrdiff_t rowStride) {
    const ptrdiff_t length = p * width + p;
    for (ptrdiff_t s = 0; s < samples; s++) {
        const double *restrict h = inputs + s * width;
        for (ptrdiff_t d = 0; d < p; d++) {
            double *restrict tail = rows + (s * p + d) * rowStride;
            const double g = gains ? gains[s * p + d] : 1.0;
            for (ptrdiff_t i = 0; i < length; i++) tail[i] = 0.0;
            for (ptrdiff_t i = 0; i < width; i++) tail[d * width + i] = g * h[i];
            tail[p * width + d] = g;
        }
    }
}

static void factored_rows_baseline(const double *a, ptrdiff_t samples, const double *b, ptrdiff_t p, ptrdiff_t length,
                                   const double *gains, double *rows, ptrdiff_t rowStride) {
    factored_rows_body(a, samples, b, p, length, gains, rows, rowStride);
}
static void selector_rows_baseline(const double *inputs, ptrdiff_t samples, ptrdiff_t width, ptrdiff_t p, const double *gains,
                                   double *rows, ptrdiff_t rowStride) {
    selector_rows_body(inputs, samples, width, p, gains, rows, rowStride);
}

static void tanh_baseline(double *values, double *derivatives, ptrdiff_t count) { tanh_body(values, derivatives, count); }
static void expm1_baseline(const double *y, double *result, ptrdiff_t count) { expm1_body(y, result, count); }
static void outer_baseline(const double *a, ptrdiff_t rows, const double *b, ptrdiff_t columns, double *target) {
    outer_body(a, rows, b, columns, target);
}
static void scaled_product_baseline(const double *x, const double *y, double gain, ptrdiff_t count, double *target) {
    scaled_product_body(x, y, gain, count, target);
}
static void tanh_derivative_scale_baseline(double *values, const double *outputs, ptrdiff_t count) {
    tanh_derivative_scale_body(values, outputs, count);
}

#if JB_HAS_AVX2_VARIANT
JB_AVX2 static void tanh_avx2(double *values, double *derivatives, ptrdiff_t count) { tanh_body(values, derivatives, count); }
// Eight lanes per instruction (no contraction: bitwise equal to the other variants).
JB_AVX512 __attribute__((min_vector_width(512))) static void tanh_avx512(double *values, double *derivatives,
                                                                                   ptrdiff_t count) {
    tanh_body(values, derivatives, count);
}
JB_AVX2 static void expm1_avx2(const double *y, double *result, ptrdiff_t count) { expm1_body(y, result, count); }
JB_AVX2 static void outer_avx2(const double *a, ptrdiff_t rows, const double *b, ptrdiff_t columns, double *target) {
    outer_body(a, rows, b, columns, target);
}
JB_AVX2 static void scaled_product_avx2(const double *x, const double *y, double gain, ptrdiff_t count, double *target) {
    scaled_product_body(x, y, gain, count, target);
}
JB_AVX2 static void tanh_derivative_scale_avx2(double *values, const double *outputs, ptrdiff_t count) {
    tanh_derivative_scale_body(values, outputs, count);
}

static int detect_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// C = A·B for n ≤ 16: two rows of C at a time live in up to eight ymm accumulators (masked
// at the edge) through the whole k loop, sharing each load of B; no packing.
#define JB_MATMUL_ROWS(V)                                                                          \
    {                                                                                              \
        ptrdiff_t i = 0;                                                                           \
        for (; i + 2 <= m; i += 2) {                                                               \
            __m256d acc0[V], acc1[V];                                                              \
            for (int v = 0; v < V; v++) { acc0[v] = init[v]; acc1[v] = init[v]; }                 \
            const double *a0 = a + i * k, *a1 = a0 + k;                                            \
            for (ptrdiff_t u = 0; u < k; u++) {                                                    \
                const __m256d s0 = _mm256_broadcast_sd(a0 + u), s1 = _mm256_broadcast_sd(a1 + u);  \
                const double *bu = b + u * n;                                                      \
                for (int v = 0; v < V; v++) {                                                      \
                    const __m256d bv = _mm256_maskload_pd(bu + 4 * v, masks[v]);                   \
                    acc0[v] = _mm256_fmadd_pd(s0, bv, acc0[v]);                                    \
                    acc1[v] = _mm256_fmadd_pd(s1, bv, acc1[v]);                                    \
                }                                                                                  \
            }                                                                                      \
            for (int v = 0; v < V; v++) {                                                          \
                _mm256_maskstore_pd(c + i * n + 4 * v, masks[v], acc0[v]);                         \
                _mm256_maskstore_pd(c + (i + 1) * n + 4 * v, masks[v], acc1[v]);                   \
            }                                                                                      \
        }                                                                                          \
        for (; i < m; i++) {                                                                       \
            __m256d acc[V];                                                                        \
            for (int v = 0; v < V; v++) acc[v] = init[v];                                          \
            const double *ai = a + i * k;                                                          \
            for (ptrdiff_t u = 0; u < k; u++) {                                                    \
                const __m256d s = _mm256_broadcast_sd(ai + u);                                     \
                const double *bu = b + u * n;                                                      \
                for (int v = 0; v < V; v++)                                                        \
                    acc[v] = _mm256_fmadd_pd(s, _mm256_maskload_pd(bu + 4 * v, masks[v]), acc[v]); \
            }                                                                                      \
            for (int v = 0; v < V; v++) _mm256_maskstore_pd(c + i * n + 4 * v, masks[v], acc[v]);  \
        }                                                                                          \
    }

JB_AVX2 static void matmul_avx2(const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n, const double *bias,
                                double *c) {
    if (n > 16 || n <= 0) { matmul_body(a, m, k, b, n, bias, c); return; }
    __m256i masks[4];
    __m256d init[4];
    for (int v = 0; v < 4; v++) {
        long long lanes[4];
        for (int l = 0; l < 4; l++) lanes[l] = (4 * v + l < n) ? -1 : 0;
        masks[v] = _mm256_loadu_si256((const __m256i *)lanes);
        init[v] = bias ? _mm256_maskload_pd(bias + 4 * v, masks[v]) : _mm256_setzero_pd();
    }
    switch ((n + 3) / 4) {
    case 1: JB_MATMUL_ROWS(1) break;
    case 2: JB_MATMUL_ROWS(2) break;
    case 3: JB_MATMUL_ROWS(3) break;
    default: JB_MATMUL_ROWS(4) break;
    }
}

// C = A·B + 1·biasᵀ for n ≤ 16 with AVX-512: four rows of C at a time in up to eight zmm
// accumulators (n > 8: two per row, masked at the edge), each row's k products added by
// FMA in ascending order from the bias, exactly as `matmul_avx2` does: bitwise equal to it,
// in fewer instructions (a row of nine is two vectors, not three).
#define JB_MATMUL512_ROWS(V, R)                                                                      \
    for (; i + (R) <= m; i += (R)) {                                                                 \
        __m512d acc[R][V];                                                                           \
        for (int r = 0; r < (R); r++)                                                                \
            for (int v = 0; v < (V); v++) acc[r][v] = init[v];                                       \
        for (ptrdiff_t u = 0; u < k; u++) {                                                          \
            __m512d bv[V];                                                                           \
            for (int v = 0; v < (V); v++) bv[v] = _mm512_maskz_loadu_pd(lanes[v], b + u * n + 8 * v); \
            for (int r = 0; r < (R); r++) {                                                          \
                const __m512d s = _mm512_set1_pd(a[(i + r) * k + u]);                                \
                for (int v = 0; v < (V); v++) acc[r][v] = _mm512_fmadd_pd(s, bv[v], acc[r][v]);      \
            }                                                                                        \
        }                                                                                            \
        for (int r = 0; r < (R); r++)                                                                \
            for (int v = 0; v < (V); v++) _mm512_mask_storeu_pd(c + (i + r) * n + 8 * v, lanes[v], acc[r][v]); \
    }

JB_AVX512 static void matmul_avx512(const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n,
                                    const double *bias, double *c) {
    if (n > 16 || n <= 0) { matmul_avx2(a, m, k, b, n, bias, c); return; }
    const __mmask8 lanes[2] = {(__mmask8)(n >= 8 ? 0xFF : (1u << n) - 1), (__mmask8)(n >= 16 ? 0xFF : n > 8 ? (1u << (n - 8)) - 1 : 0)};
    __m512d init[2];
    for (int v = 0; v < 2; v++) init[v] = bias ? _mm512_maskz_loadu_pd(lanes[v], bias + 8 * v) : _mm512_setzero_pd();
    ptrdiff_t i = 0;
    if (n > 8) {
        JB_MATMUL512_ROWS(2, 4)
        JB_MATMUL512_ROWS(2, 1)
    } else {
        JB_MATMUL512_ROWS(1, 4)
        JB_MATMUL512_ROWS(1, 1)
    }
}

JB_AVX2 static void factored_rows_avx2(const double *a, ptrdiff_t samples, const double *b, ptrdiff_t p, ptrdiff_t length,
                                       const double *gains, double *rows, ptrdiff_t rowStride) {
    factored_rows_body(a, samples, b, p, length, gains, rows, rowStride);
}
JB_AVX2 static void selector_rows_avx2(const double *inputs, ptrdiff_t samples, ptrdiff_t width, ptrdiff_t p, const double *gains,
                                       double *rows, ptrdiff_t rowStride) {
    selector_rows_body(inputs, samples, width, p, gains, rows, rowStride);
}

#else
static int detect_avx2(void) { return 0; }
#endif

static void stream_copy_baseline(const double *source, double *target, ptrdiff_t count) {
#if defined(__x86_64__)
    ptrdiff_t i = 0;
    if (((uintptr_t)target & 7) != 0) { memcpy(target, source, (size_t)count * sizeof(double)); return; }
    if (((uintptr_t)target & 15) != 0 && count > 0) { target[0] = source[0]; i = 1; }
    for (; i + 2 <= count; i += 2) _mm_stream_pd(target + i, _mm_loadu_pd(source + i));
    for (; i < count; i++) target[i] = source[i];
#else
    memcpy(target, source, (size_t)count * sizeof(double));
#endif
}

// −1 until the first call; the race on first use is benign (every thread stores the same value).
static int cached_variant = -1;

int jb_kernels_variant(void) {
    int variant = __atomic_load_n(&cached_variant, __ATOMIC_RELAXED);
    if (variant < 0) {
        variant = detect_avx2();
        __atomic_store_n(&cached_variant, variant, __ATOMIC_RELAXED);
    }
    return variant;
}

void jb_tanh_variant(int variant, double *values, double *derivatives, ptrdiff_t count) {
#if JB_HAS_AVX2_VARIANT
    if (variant == 2 && jb_has_avx512()) { tanh_avx512(values, derivatives, count); return; }
    if (variant >= 1 && jb_kernels_variant() == 1) { tanh_avx2(values, derivatives, count); return; }
#endif
    (void)variant;
    tanh_baseline(values, derivatives, count);
}

void jb_expm1_variant(int variant, const double *y, double *result, ptrdiff_t count) {
#if JB_HAS_AVX2_VARIANT
    if (variant >= 1 && jb_kernels_variant() == 1) { expm1_avx2(y, result, count); return; }
#endif
    (void)variant;
    expm1_baseline(y, result, count);
}

void jb_tanh(double *values, double *derivatives, ptrdiff_t count) {
    jb_tanh_variant(jb_has_avx512() ? 2 : jb_kernels_variant(), values, derivatives, count);
}

void jb_outer_product(const double *a, ptrdiff_t rows, const double *b, ptrdiff_t columns, double *target) {
#if JB_HAS_AVX2_VARIANT
    if (jb_kernels_variant() == 1) { outer_avx2(a, rows, b, columns, target); return; }
#endif
    outer_baseline(a, rows, b, columns, target);
}

void jb_scaled_product(const double *x, const double *y, double gain, ptrdiff_t count, double *target) {
#if JB_HAS_AVX2_VARIANT
    if (jb_kernels_variant() == 1) { scaled_product_avx2(x, y, gain, count, target); return; }
#endif
    scaled_product_baseline(x, y, gain, count, target);
}

void jb_scale_by_tanh_derivative(double *values, const double *outputs, ptrdiff_t count) {
#if JB_HAS_AVX2_VARIANT
    if (jb_kernels_variant() == 1) { tanh_derivative_scale_avx2(values, outputs, count); return; }
#endif
    tanh_derivative_scale_baseline(values, outputs, count);
}

void jb_stream_fence(void) {
#if defined(__x86_64__)
    _mm_sfence();
#endif
}

void jb_matmul_variant(int variant, const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n,
                       const double *bias, double *c) {
#if JB_HAS_AVX2_VARIANT
    if (variant == 2 && jb_has_avx512()) { matmul_avx512(a, m, k, b, n, bias, c); return; }
    if (variant >= 1 && jb_kernels_variant() == 1) { matmul_avx2(a, m, k, b, n, bias, c); return; }
#endif
    (void)variant;
    matmul_baseline(a, m, k, b, n, bias, c);
}

void jb_matmul(const double *a, ptrdiff_t m, ptrdiff_t k, const double *b, ptrdiff_t n, const double *bias, double *c) {
    jb_matmul_variant(jb_has_avx512() ? 2 : jb_kernels_variant(), a, m, k, b, n, bias, c);
}

void jb_factored_rows(const double *sampleFactors, ptrdiff_t samples, const double *outputFactors, ptrdiff_t p,
                      ptrdiff_t length, const double *gains, double *rows, ptrdiff_t rowStride) {
#if JB_HAS_AVX2_VARIANT
    if (jb_kernels_variant() == 1) { factored_rows_avx2(sampleFactors, samples, outputFactors, p, length, gains, rows, rowStride); return; }
#endif
    factored_rows_baseline(sampleFactors, samples, outputFactors, p, length, gains, rows, rowStride);
}

void jb_selector_rows(const double *inputs, ptrdiff_t samples, ptrdiff_t width, ptrdiff_t p, const double *gains,
                      double *rows, ptrdiff_t rowStride) {
#if JB_HAS_AVX2_VARIANT
    if (jb_kernels_variant() == 1) { selector_rows_avx2(inputs, samples, width, p, gains, rows, rowStride); return; }
#endif
    selector_rows_baseline(inputs, samples, width, p, gains, rows, rowStride);
}

// Largest first-layer block (h·d + h) and top-layer factor table (p·(h·d + h)) the
// two-layer row kernel handles; both live on its stack.
#define JB_TWO_LAYER_MAX_BLOCK 512
#define JB_TWO_LAYER_MAX_FACTORS 2048

// A_s = [D1(s)[u]·x(s)[i], D1(s)] (x and 1 when D1 is NULL).
JB_INLINE void jb_sample_factor(const double *restrict x, ptrdiff_t d, const double *restrict d1, ptrdiff_t h,
                                 ptrdiff_t s, double *restrict sampleFactor) {
    const ptrdiff_t weightLength = h * d;
    const double *restrict xs = x + s * d;
    if (d1) {
        const double *restrict ds = d1 + s * h;
        for (ptrdiff_t u = 0; u < h; u++) {
            const double m = ds[u];
            for (ptrdiff_t i = 0; i < d; i++) sampleFactor[u * d + i] = m * xs[i];
            sampleFactor[weightLength + u] = m;
        }
    } else {
        for (ptrdiff_t u = 0; u < h; u++) {
            for (ptrdiff_t i = 0; i < d; i++) sampleFactor[u * d + i] = xs[i];
            sampleFactor[weightLength + u] = 1.0;
        }
    }
}

// Every parameter row of a two-layer network's per-sample Jacobian, whole and in
// order, one sample at a time. The first-layer block (W1 then b1, L = h·d + h entries)
// of row (s, o) is g·(B_o ⊙ A_s) with B_o = [W2[o, u] repeated d times per u, W2[o, :]]
// (once per call) and A_s = [D1(s)[u]·x(s)[i], D1(s)] (once per sample; x and 1 when
// D1 is NULL), the same products and order as the general path. The top layer's block
// (W2 then b2) is zero except row o = g·t1(s) and entry o of b2 = g; zeros are stored
// explicitly (no memset call per row).
JB_INLINE void two_layer_rows_body(const double *restrict x, ptrdiff_t d, const double *restrict t1,
                                   const double *restrict d1, ptrdiff_t h, const double *restrict w2, ptrdiff_t p,
                                   const double *restrict gains, ptrdiff_t samples, double *restrict rows,
                                   ptrdiff_t rowStride) {
    // A_s is built one sample ahead of the rows that read it, so that its scalar stores have
    // mostly retired by then: a vector load spanning several in-flight stores cannot be
    // forwarded and waits for them, queued behind the previous rows' stores to L2 (~3%).
    double outputFactors[JB_TWO_LAYER_MAX_FACTORS], sampleFactors[2][JB_TWO_LAYER_MAX_BLOCK];
    const ptrdiff_t weightLength = h * d, length = weightLength + h, topLength = p * h + p;
    for (ptrdiff_t o = 0; o < p; o++) {
        double *restrict factor = outputFactors + o * length;
        for (ptrdiff_t u = 0; u < h; u++) {
            const double w = w2[o * h + u];
            for (ptrdiff_t i = 0; i < d; i++) factor[u * d + i] = w;
            factor[weightLength + u] = w;
        }
    }
    if (samples > 0) jb_sample_factor(x, d, d1, h, 0, sampleFactors[0]);
    for (ptrdiff_t s = 0; s < samples; s++) {
        if (s + 1 < samples) jb_sample_factor(x, d, d1, h, s + 1, sampleFactors[(s + 1) & 1]);
        const double *restrict sampleFactor = sampleFactors[s & 1];
        const double *restrict ts = t1 + s * h;
        for (ptrdiff_t o = 0; o < p; o++) {
            double *restrict row = rows + (s * p + o) * rowStride;
            const double *restrict factor = outputFactors + o * length;
            if (gains) {
                const double g = gains[s * p + o];
                for (ptrdiff_t j = 0; j < length; j++) { const double product = factor[j] * sampleFactor[j]; row[j] = g * product; }
                double *restrict top = row + length;
                for (ptrdiff_t j = 0; j < topLength; j++) top[j] = 0.0;
                double *restrict selected = top + o * h;
                for (ptrdiff_t i = 0; i < h; i++) selected[i] = g * ts[i];
                top[p * h + o] = g;
            } else {
                for (ptrdiff_t j = 0; j < length; j++) row[j] = factor[j] * sampleFactor[j];
                double *restrict top = row + length;
                for (ptrdiff_t j = 0; j < topLength; j++) top[j] = 0.0;
                double *restrict selected = top + o * h;
                for (ptrdiff_t i = 0; i < h; i++) selected[i] = ts[i];
                top[p * h + o] = 1.0;
            }
        }
    }
}

// Narrow inputs (d ≤ 8) get a copy with d known at compile time (unrolled rows).
JB_INLINE void two_layer_rows_dispatch(const double *x, ptrdiff_t d, const double *t1, const double *d1, ptrdiff_t h,
                                       const double *w2, ptrdiff_t p, const double *gains, ptrdiff_t samples,
                                       double *rows, ptrdiff_t rowStride) {
    switch (d) {
    case 1: two_layer_rows_body(x, 1, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    case 2: two_layer_rows_body(x, 2, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    case 3: two_layer_rows_body(x, 3, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    case 4: two_layer_rows_body(x, 4, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    case 5: two_layer_rows_body(x, 5, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    case 6: two_layer_rows_body(x, 6, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    case 7: two_layer_rows_body(x, 7, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    case 8: two_layer_rows_body(x, 8, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    default: two_layer_rows_body(x, d, t1, d1, h, w2, p, gains, samples, rows, rowStride); break;
    }
}

__attribute__((no_builtin("memset", "memcpy"))) static void two_layer_rows_baseline(
    const double *x, ptrdiff_t d, const double *t1, const double *d1, ptrdiff_t h, const double *w2, ptrdiff_t p,
    const double *gains, ptrdiff_t samples, double *rows, ptrdiff_t rowStride) {
    two_layer_rows_dispatch(x, d, t1, d1, h, w2, p, gains, samples, rows, rowStride);
}
#if JB_HAS_AVX2_VARIANT
JB_AVX2 __attribute__((no_builtin("memset", "memcpy"))) static void two_layer_rows_avx2(
    const double *x, ptrdiff_t d, const double *t1, const double *d1, ptrdiff_t h, const double *w2, ptrdiff_t p,
    const double *gains, ptrdiff_t samples, double *rows, ptrdiff_t rowStride) {
    two_layer_rows_dispatch(x, d, t1, d1, h, w2, p, gains, samples, rows, rowStride);
}

static int detect_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}
#else
static int detect_avx512(void) { return 0; }
#endif

// −1 until the first call (benign race, as for `cached_variant`).
static int cached_avx512 = -1;

int jb_has_avx512(void) {
    int has = __atomic_load_n(&cached_avx512, __ATOMIC_RELAXED);
    if (has < 0) {
        has = detect_avx512();
        __atomic_store_n(&cached_avx512, has, __ATOMIC_RELAXED);
    }
    return has;
}

int jb_two_layer_rows_variant(int variant, const double *x, ptrdiff_t d, const double *t1, const double *d1, ptrdiff_t h,
                              const double *w2, ptrdiff_t p, const double *gains, ptrdiff_t samples, double *rows,
                              ptrdiff_t rowStride) {
    const ptrdiff_t length = h * d + h;
    if (length > JB_TWO_LAYER_MAX_BLOCK || p * length > JB_TWO_LAYER_MAX_FACTORS) return 0;
#if JB_HAS_AVX2_VARIANT
    if (variant >= 1 && jb_kernels_variant() == 1) {
        two_layer_rows_avx2(x, d, t1, d1, h, w2, p, gains, samples, rows, rowStride);
        return 1;
    }
#endif
    (void)variant;
    two_layer_rows_baseline(x, d, t1, d1, h, w2, p, gains, samples, rows, rowStride);
    return 1;
}

int jb_two_layer_rows(const double *x, ptrdiff_t d, const double *t1, const double *d1, ptrdiff_t h, const double *w2,
                      ptrdiff_t p, const double *gains, ptrdiff_t samples, double *rows, ptrdiff_t rowStride) {
    // The baseline variant on purpose: its 16-byte stores never split a cache line in rows
    // that start 16 bytes past a 32-byte boundary (as a large Swift array's elements do),
    // while every other 32-byte store of the AVX2 variant does; it is measured ~10% faster.
    return jb_two_layer_rows_variant(0, x, d, t1, d1, h, w2, p, gains, samples, rows, rowStride);
}

// ---------------------------------------------------------------------------------------------
// Streamed parameter rows of a per-sample Jacobian (see the header). Each row is assembled in
// an L1-resident staging block whose index 0 sits at a 32-byte boundary of the target, so the
// rows, laid end to end, leave as aligned non-temporal stores with no per-row scalar peel: the
// at most three entries past the last full vector of one row wait in the staging block for the
// next row. Every entry is one product (or a copy, or 0), so all variants are bitwise equal.

/// Σ_{l<top} (w_{l+1}·w_l + w_{l+1}) + p·w_top + p: the length of one parameter row.
static ptrdiff_t streamed_row_length(ptrdiff_t top, const ptrdiff_t *widths) {
    ptrdiff_t length = 0;
    for (ptrdiff_t l = 0; l < top; l++) length += widths[l + 1] * widths[l] + widths[l + 1];
    return length + widths[top + 1] * widths[top] + widths[top + 1];
}

JB_INLINE void streamed_row_scalar(ptrdiff_t top, const double *const *deltas, const double *const *inputs,
                                   const ptrdiff_t *widths, const double *gains, ptrdiff_t s, ptrdiff_t d,
                                   double *restrict target) {
    const ptrdiff_t p = widths[top + 1], row = s * p + d;
    for (ptrdiff_t l = 0; l < top; l++) {
        const ptrdiff_t in = widths[l], out = widths[l + 1];
        const double *restrict delta = deltas[l] + row * out, *restrict x = inputs[l] + s * in;
        for (ptrdiff_t u = 0; u < out; u++)
            for (ptrdiff_t i = 0; i < in; i++) target[u * in + i] = delta[u] * x[i];
        target += out * in;
        for (ptrdiff_t u = 0; u < out; u++) target[u] = delta[u];
        target += out;
    }
    const ptrdiff_t w = widths[top];
    const double g = gains ? gains[row] : 1.0, *restrict x = inputs[top] + s * w;
    for (ptrdiff_t q = 0; q < p; q++)
        for (ptrdiff_t i = 0; i < w; i++) target[q * w + i] = q == d ? g * x[i] : 0.0;
    for (ptrdiff_t q = 0; q < p; q++) target[p * w + q] = q == d ? g : 0.0;
}

__attribute__((no_builtin("memset", "memcpy"))) static void streamed_rows_baseline(
    ptrdiff_t top, const double *const *deltas, const double *const *inputs, const ptrdiff_t *widths,
    const double *gains, ptrdiff_t samples, double *staging, double *rows) {
    const ptrdiff_t p = widths[top + 1], length = streamed_row_length(top, widths);
    for (ptrdiff_t s = 0; s < samples; s++)
        for (ptrdiff_t d = 0; d < p; d++) {
            streamed_row_scalar(top, deltas, inputs, widths, gains, s, d, staging);
            stream_copy_baseline(staging, rows + (s * p + d) * length, length);
        }
}

#if JB_HAS_AVX2_VARIANT
// The streamed-row writer for one vector width, defined once and instantiated for AVX2
// (LANES = 4, intrinsics _mm256_*) and AVX-512F (LANES = 8, _mm512_*); `P` is the intrinsics'
// prefix, `VECTOR` their type. Per row (s, d) it writes, into `target`:
// - for each layer l < top, the outer product Δ_l ⊗ H_{l−1} then the bias block Δ_l
//   (scaled_copy: target[0..<n] ← v·b[0..<n], full vectors with the last one overlapping; the
//   products are the same, so entries written twice get the same bits);
// - the top block: zero except W[d, :] = g·H_{L−1}(s) and b[d] = g.
// streamed_rows_* builds rows back to back in `staging`, aligned like their destination
// modulo LANES doubles, and sends whole vectors out with aligned non-temporal stores; the
// ≤ LANES − 1 entries left at the end of a row wait for the next one.
#define JB_DEFINE_STREAMED_ROWS(SUFFIX, ATTRIBUTES, VECTOR, LANES, P)                                         \
    ATTRIBUTES JB_INLINE void scaled_copy_##SUFFIX(VECTOR v, const double *restrict b, ptrdiff_t n,             \
                                                   double *restrict target) {                                 \
        if (n < LANES) {                                                                                      \
            const double scalar = _##P##_cvtsd_f64(v);                                                        \
            for (ptrdiff_t i = 0; i < n; i++) target[i] = scalar * b[i];                                      \
            return;                                                                                           \
        }                                                                                                     \
        ptrdiff_t i = 0;                                                                                      \
        for (; i + LANES <= n; i += LANES) _##P##_storeu_pd(target + i, _##P##_mul_pd(v, _##P##_loadu_pd(b + i))); \
        if (i < n) _##P##_storeu_pd(target + n - LANES, _##P##_mul_pd(v, _##P##_loadu_pd(b + n - LANES)));   \
    }                                                                                                         \
    ATTRIBUTES JB_INLINE void copy_##SUFFIX(const double *restrict b, ptrdiff_t n, double *restrict target) {  \
        if (n < LANES) {                                                                                      \
            for (ptrdiff_t i = 0; i < n; i++) target[i] = b[i];                                               \
            return;                                                                                           \
        }                                                                                                     \
        ptrdiff_t i = 0;                                                                                      \
        for (; i + LANES <= n; i += LANES) _##P##_storeu_pd(target + i, _##P##_loadu_pd(b + i));              \
        if (i < n) _##P##_storeu_pd(target + n - LANES, _##P##_loadu_pd(b + n - LANES));                     \
    }                                                                                                         \
    ATTRIBUTES JB_INLINE void zero_##SUFFIX(ptrdiff_t n, double *restrict target) {                           \
        if (n < LANES) {                                                                                      \
            for (ptrdiff_t i = 0; i < n; i++) target[i] = 0.0;                                                \
            return;                                                                                           \
        }                                                                                                     \
        ptrdiff_t i = 0;                                                                                      \
        for (; i + LANES <= n; i += LANES) _##P##_storeu_pd(target + i, _##P##_setzero_pd());                 \
        if (i < n) _##P##_storeu_pd(target + n - LANES, _##P##_setzero_pd());                                 \
    }                                                                                                         \
    ATTRIBUTES JB_INLINE void streamed_row_##SUFFIX(ptrdiff_t top, const double *const *deltas,                \
                                                    const double *const *inputs, const ptrdiff_t *widths,     \
                                                    const double *gains, ptrdiff_t s, ptrdiff_t d,            \
                                                    double *restrict target) {                                \
        const ptrdiff_t p = widths[top + 1], row = s * p + d;                                                 \
        for (ptrdiff_t l = 0; l < top; l++) {                                                                 \
            const ptrdiff_t in = widths[l], out = widths[l + 1];                                              \
            const double *restrict delta = deltas[l] + row * out, *restrict x = inputs[l] + s * in;           \
            if (in == 1) {                                                                                    \
                scaled_copy_##SUFFIX(_##P##_set1_pd(x[0]), delta, out, target); /* x·Δ[u] = Δ[u]·x exactly */ \
            } else {                                                                                          \
                for (ptrdiff_t u = 0; u < out; u++)                                                           \
                    scaled_copy_##SUFFIX(_##P##_set1_pd(delta[u]), x, in, target + u * in);                   \
            }                                                                                                 \
            target += out * in;                                                                               \
            copy_##SUFFIX(delta, out, target);                                                                \
            target += out;                                                                                    \
        }                                                                                                     \
        const ptrdiff_t w = widths[top];                                                                      \
        const double g = gains ? gains[row] : 1.0, *restrict x = inputs[top] + s * w;                         \
        if (p > 1) zero_##SUFFIX(p * w + p, target);                                                          \
        scaled_copy_##SUFFIX(_##P##_set1_pd(g), x, w, target + d * w);                                        \
        target[p * w + d] = g;                                                                                \
    }                                                                                                         \
    ATTRIBUTES __attribute__((no_builtin("memset", "memcpy"))) static void streamed_rows_##SUFFIX(            \
        ptrdiff_t top, const double *const *deltas, const double *const *inputs, const ptrdiff_t *widths,     \
        const double *gains, ptrdiff_t samples, double *staging, double *rows) {                              \
        const ptrdiff_t p = widths[top + 1], length = streamed_row_length(top, widths);                       \
        const uintptr_t alignment = LANES * sizeof(double);                                                   \
        double *stage = (double *)(((uintptr_t)staging + alignment - 1) & ~(alignment - 1));                  \
        const ptrdiff_t lead = (ptrdiff_t)(((uintptr_t)rows & (alignment - 1)) / sizeof(double));             \
        double *base = rows - lead; /* aligned; stage[i] goes to base[i] */                                   \
        ptrdiff_t fill = lead, start = lead; /* entries [start, fill) of stage are pending */                 \
        for (ptrdiff_t s = 0; s < samples; s++)                                                               \
            for (ptrdiff_t d = 0; d < p; d++) {                                                               \
                streamed_row_##SUFFIX(top, deltas, inputs, widths, gains, s, d, stage + fill);                \
                fill += length;                                                                               \
                const ptrdiff_t full = fill & ~(ptrdiff_t)(LANES - 1);                                        \
                if (full == 0) continue;                                                                      \
                ptrdiff_t i = 0;                                                                              \
                if (start > 0) {                                                                              \
                    for (ptrdiff_t j = start; j < LANES; j++) base[j] = stage[j];                             \
                    i = LANES;                                                                                \
                    start = 0;                                                                                \
                }                                                                                             \
                for (; i < full; i += LANES) _##P##_stream_pd(base + i, _##P##_load_pd(stage + i));          \
                for (ptrdiff_t j = full; j < fill; j++) stage[j - full] = stage[j];                           \
                base += full;                                                                                 \
                fill -= full;                                                                                 \
            }                                                                                                 \
        for (ptrdiff_t j = start; j < fill; j++) base[j] = stage[j];                                          \
    }

JB_DEFINE_STREAMED_ROWS(avx2, JB_AVX2, __m256d, 4, mm256)
// Eight lanes: whole 64-byte lines leave as one non-temporal store.
JB_DEFINE_STREAMED_ROWS(avx512, JB_AVX512, __m512d, 8, mm512)
#endif

void jb_streamed_parameter_rows_variant(int variant, ptrdiff_t top, const double *const *deltas,
                                        const double *const *inputs, const ptrdiff_t *widths, const double *gains,
                                        ptrdiff_t samples, double *staging, double *rows) {
#if JB_HAS_AVX2_VARIANT
    if (variant >= 1 && jb_kernels_variant() == 1) {
        if (variant >= 2 && jb_has_avx512()) streamed_rows_avx512(top, deltas, inputs, widths, gains, samples, staging, rows);
        else streamed_rows_avx2(top, deltas, inputs, widths, gains, samples, staging, rows);
        jb_stream_fence();
        return;
    }
#endif
    (void)variant;
    streamed_rows_baseline(top, deltas, inputs, widths, gains, samples, staging, rows);
    jb_stream_fence();
}

void jb_streamed_parameter_rows(ptrdiff_t top, const double *const *deltas, const double *const *inputs,
                                const ptrdiff_t *widths, const double *gains, ptrdiff_t samples, double *staging,
                                double *rows) {
    jb_streamed_parameter_rows_variant(jb_has_avx512() ? 2 : jb_kernels_variant(), top, deltas, inputs, widths, gains, samples, staging, rows);
}
