// Which instruction set the dispatched kernels (gemm.c) run with: chosen once per process from the CPU
// (`__builtin_cpu_supports`, which also checks that the OS saves the wider registers) and lowered, never
// raised, by the environment variable PIXELREC_ISA (`avx512`, `avx2` or `baseline`).
#include <stdlib.h>
#include <string.h>
#include "CPixelKernels.h"

int pixel_isa_supported(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return PIXEL_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return PIXEL_ISA_AVX2;
#endif
    return PIXEL_ISA_BASELINE;
}

int pixel_isa_named(const char *name) {
    if (name == NULL) return -1;
    if (strcmp(name, "avx512") == 0) return PIXEL_ISA_AVX512;
    if (strcmp(name, "avx2") == 0) return PIXEL_ISA_AVX2;
    if (strcmp(name, "baseline") == 0) return PIXEL_ISA_BASELINE;
    return -1;
}

const char *pixel_isa_name(int level) {
    switch (level) {
    case PIXEL_ISA_AVX512: return "avx512";
    case PIXEL_ISA_AVX2: return "avx2";
    default: return "baseline";
    }
}

// -1 until the first call; the decision is the same in every thread, so a race only repeats it.
static int active_level = -1;

int pixel_isa_active(void) {
    int level = __atomic_load_n(&active_level, __ATOMIC_RELAXED);
    if (level >= 0) return level;
    level = pixel_isa_supported();
    int requested = pixel_isa_named(getenv("PIXELREC_ISA"));
    if (requested >= 0 && requested < level) level = requested;
    __atomic_store_n(&active_level, level, __ATOMIC_RELAXED);
    return level;
}
