// The dense kernels of PixelONNX's interpreter (register tiles of its packed GEMM, the small-row GEMM,
// the fused attention's two products, GELU), compiled three times — AVX-512, AVX2 + FMA, and baseline
// x86-64 (SSE2, no FMA) — and chosen once per process by pixel_isa_active() (isa.c). Swift code can only
// be compiled for one target: written with SIMD16.addingProduct (a fused multiply-add), it calls libm's
// fmaf once per lane on a build without -target-cpu (measured 40x slower), which is why these live here.
#include <string.h>
#include "CPixelKernels.h"

// Multiplies and adds stay separate unless a kernel asks for a fused one (PK_MADD): the same bits in every
// variant that has FMA, whatever the compiler would contract.
#pragma clang fp contract(off)

#include "vec16.h"

#if defined(__x86_64__)
#define PK_FN(name) name##_avx512
#define PK_MADD(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#include "gemm_impl.h"
#pragma clang attribute pop
#undef PK_FN

// AVX2 has 16 registers of 8 lanes: its variant splits the big tiles (PK_NARROW, see tile_part).
#define PK_FN(name) name##_avx2
#define PK_NARROW 1
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include "gemm_impl.h"
#pragma clang attribute pop
#undef PK_NARROW
#undef PK_FN
#undef PK_MADD
#endif

#define PK_FN(name) name##_baseline
#define PK_MADD(a, b, c) ((a) * (b) + (c))
#include "gemm_impl.h"
#undef PK_FN
#undef PK_MADD

#define PK_TABLE(suffix)                                                                                              \
    {                                                                                                                 \
        pixel_gemm_tile12x32_##suffix, pixel_gemm_tile4x32_##suffix, pixel_small_rows4x64_##suffix,                   \
            pixel_small_rows4x16_##suffix, pixel_attention_scores_##suffix, pixel_attention_values_##suffix,          \
            pixel_gelu_##suffix, pixel_depthwise_plane_##suffix, pixel_dot_##suffix                                   \
    }

static const PixelDenseKernels tables[3] = {
    PK_TABLE(baseline),
#if defined(__x86_64__)
    PK_TABLE(avx2),
    PK_TABLE(avx512),
#else
    PK_TABLE(baseline),
    PK_TABLE(baseline),
#endif
};

const PixelDenseKernels *pixel_dense_kernels(int level) {
    int supported = pixel_isa_supported();
    if (level > supported) level = supported;
    if (level < 0) level = 0;
    return &tables[level];
}

const PixelDenseKernels *pixel_dense_active(void) { return &tables[pixel_isa_active()]; }
