// PixelONNX's channel-blocked convolution kernels (NCHW16c: 1×1 and stem register tiles, depthwise planes),
// compiled for AVX-512, AVX2 + FMA and baseline x86-64 and chosen at run time like gemm.c.
#include <string.h>
#include "CPixelKernels.h"
#include "vec16.h"

#pragma clang fp contract(off)

#if defined(__x86_64__)
#define PK_FN(name) name##_avx512
#define PK_MADD(a, b, c) __builtin_elementwise_fma((a), (b), (c))
#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma"))), apply_to = function)
#include "conv_impl.h"
#pragma clang attribute pop
#undef PK_FN

#define PK_FN(name) name##_avx2
#define PK_NARROW 1  // AVX2's 16 registers: the tiles in 6-position parts (conv_part)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#include "conv_impl.h"
#pragma clang attribute pop
#undef PK_NARROW
#undef PK_FN
#undef PK_MADD
#endif

#define PK_FN(name) name##_baseline
#define PK_MADD(a, b, c) ((a) * (b) + (c))
#include "conv_impl.h"
#undef PK_FN
#undef PK_MADD

#define PK_TABLE(suffix) {pixel_conv_tile_##suffix, pixel_blocked_depthwise_plane_##suffix}
#if defined(__x86_64__)
static const PixelConvKernels conv_tables[3] = {PK_TABLE(baseline), PK_TABLE(avx2), PK_TABLE(avx512)};
#else
static const PixelConvKernels conv_tables[3] = {PK_TABLE(baseline), PK_TABLE(baseline), PK_TABLE(baseline)};
#endif

const PixelConvKernels *pixel_conv_kernels(int level) {
    int supported = pixel_isa_supported();
    if (level > supported) level = supported;
    if (level < 0) level = 0;
    return &conv_tables[level];
}

const PixelConvKernels *pixel_conv_active(void) { return &conv_tables[pixel_isa_active()]; }
