// The three products of PixelTensor's fused dot-product softmax cross-entropy
// (`dotProductSoftmaxCrossEntropy`) for widths d = 16·V, V in 1...8: register-tiled loops on 16-lane
// vectors (zmm with AVX-512, pairs of ymm with AVX2, four xmm on baseline x86-64) that read the candidates
// in place or from one packing per call, where OpenBLAS packs the 12k×d candidate matrix again for every
// row block (measured: its two copies were 13% of the op at d 64). Each output element is a sum in a fixed
// order that depends only on the shapes (never on threads or on the caller's blocking of other outputs).
//
// The loops (softmax_impl.h) are compiled for AVX-512, AVX2 + FMA and baseline x86-64 and chosen at run time
// (pixel_isa_active, isa.c); the two fused variants give the same bits.
#include <string.h>
#include "CPixelKernels.h"
#include "vec16.h"

// Multiply-adds fused exactly where PK_MADD says (the same bits in every variant with FMA).
#pragma clang fp contract(off)

long pixel_dps_padded(long n) { return (n + 31) / 32 * 32; }

long pixel_dps_stride(long n) { return pixel_dps_padded(n) + 16; }

void pixel_dps_pack(const float *c, long n, long d, const float *log_q, float *packed, float *shift) {
    long padded = pixel_dps_padded(n);
    for (long p = 0; p < padded / 16; p++) {
        float *panel = packed + p * d * 16;
        for (long k = 0; k < d; k++) {
            for (long l = 0; l < 16; l++) {
                long j = p * 16 + l;
                panel[k * 16 + l] = j < n ? c[j * d + k] : 0;
            }
        }
    }
    for (long j = 0; j < padded; j++) shift[j] = j < n ? (log_q ? log_q[j] : 0) : __builtin_inff();
}


#if defined(__x86_64__)
#define PK_FN(name) name##_avx512
#define PK_MADD(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#include "softmax_impl.h"
#pragma clang attribute pop
#undef PK_FN

#define PK_FN(name) name##_avx2
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include "softmax_impl.h"
#pragma clang attribute pop
#undef PK_FN
#undef PK_MADD
#endif

#define PK_FN(name) name##_baseline
#define PK_MADD(a, b, c) ((a) * (b) + (c))
#include "softmax_impl.h"
#undef PK_FN
#undef PK_MADD

#if defined(__x86_64__)
#define PK_TABLE(suffix) {pixel_dps_logits_##suffix, pixel_dps_dq_##suffix, pixel_dps_dc_##suffix}
static const PixelSoftmaxKernels softmax_tables[3] = {PK_TABLE(baseline), PK_TABLE(avx2), PK_TABLE(avx512)};
#else
#define PK_TABLE(suffix) {pixel_dps_logits_##suffix, pixel_dps_dq_##suffix, pixel_dps_dc_##suffix}
static const PixelSoftmaxKernels softmax_tables[3] = {PK_TABLE(baseline), PK_TABLE(baseline), PK_TABLE(baseline)};
#endif

const PixelSoftmaxKernels *pixel_dps_kernels(int level) {
    int supported = pixel_isa_supported();
    if (level > supported) level = supported;
    if (level < 0) level = 0;
    return &softmax_tables[level];
}

int pixel_dps_supports(long d) { return d % 16 == 0 && d >= 16 && d <= 128; }

int pixel_dps_preferred(void) {
    // 32 vector registers hold the ~24 accumulators of a tile; with 16 ymm (AVX2: each 16-lane vector takes two)
    // they spill, and OpenBLAS is faster (measured on Zen 4, CPU=haswell build: d 64 960 -> 1440 ms).
    return pixel_isa_active() == PIXEL_ISA_AVX512;
}

void pixel_dps_logits(const float *q, long rows, long d, const float *packed, const float *shift, long n,
                      float *e, long lde, float *row_max, float *scratch) {
    softmax_tables[pixel_isa_active()].logits(q, rows, d, packed, shift, n, e, lde, row_max, scratch);
}

void pixel_dps_dq(const float *e, long lde, long rows, const float *c, long n, long d, float *out) {
    softmax_tables[pixel_isa_active()].dq(e, lde, rows, c, n, d, out);
}

void pixel_dps_dc(const float *e, long lde, long rows, const float *sq, long n, long d, float *out, int accumulate) {
    softmax_tables[pixel_isa_active()].dc(e, lde, rows, sq, n, d, out, accumulate);
}
