// Kept in C so that SwiftPM needs no unsafe flag for it: Swift's Float.squareRoot() goes through a libm
// call with errno semantics unless the module is built with -fno-math-errno, which blocks vectorizing the
// update; clang's __builtin_elementwise_sqrt is llvm.sqrt (vsqrtps) with no errno, from source alone.
#include <string.h>
#include "CPixelKernels.h"

#pragma STDC FP_CONTRACT OFF

typedef float pk_v16 __attribute__((ext_vector_type(16)));

void pixel_adam_update(float *p, float *m, float *v, const float *g, long n, float decay, float l2, float beta1,
                       float beta2, float step_size, float bc2_sqrt, float epsilon) {
    const float one_minus_b1 = 1 - beta1, one_minus_b2 = 1 - beta2;
    long j = 0;
    for (; j + 16 <= n; j += 16) {
        pk_v16 pj, gj, mj, vj;
        memcpy(&pj, p + j, sizeof pj);
        memcpy(&gj, g + j, sizeof gj);
        memcpy(&mj, m + j, sizeof mj);
        memcpy(&vj, v + j, sizeof vj);
        pj = pj * decay;
        gj = gj + l2 * pj;
        mj = mj + (gj - mj) * one_minus_b1;
        vj = vj * beta2 + one_minus_b2 * gj * gj;
        pj = pj - step_size * mj / (__builtin_elementwise_sqrt(vj) / bc2_sqrt + epsilon);
        memcpy(m + j, &mj, sizeof mj);
        memcpy(v + j, &vj, sizeof vj);
        memcpy(p + j, &pj, sizeof pj);
    }
    for (; j < n; j++) {
        float pj = p[j] * decay;
        float gj = g[j] + l2 * pj;
        float mj = m[j] + (gj - m[j]) * one_minus_b1;
        float vj = v[j] * beta2 + one_minus_b2 * gj * gj;
        m[j] = mj;
        v[j] = vj;
        p[j] = pj - step_size * mj / (__builtin_elementwise_sqrt(vj) / bc2_sqrt + epsilon);
    }
}
