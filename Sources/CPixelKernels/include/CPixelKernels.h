#ifndef CPIXELKERNELS_H
#define CPIXELKERNELS_H

/// One Adam update over `n` scalars, in place (see PixelOptim's `AdamRule`):
///   p ← p·decay;  g' ← g + l2·p;  m ← m + (g' − m)(1 − β₁);  v ← β₂v + (1 − β₂)g'²;
///   p ← p − stepSize · m / (√v / bc2Sqrt + ε).
/// Correctly rounded IEEE operations in this order, no contraction (no FMA), a vector square root without
/// errno handling: every element gets the same bits whatever the SIMD width or the position in the array.
void pixel_adam_update(float *p, float *m, float *v, const float *g, long n, float decay, float l2, float beta1,
                       float beta2, float step_size, float bc2_sqrt, float epsilon);

#endif
