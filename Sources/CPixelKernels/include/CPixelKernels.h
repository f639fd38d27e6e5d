#ifndef CPIXELKERNELS_H
#define CPIXELKERNELS_H

/// One Adam update over `n` scalars, in place (see PixelOptim's `AdamRule`):
///   p ← p·decay;  g' ← g + l2·p;  m ← m + (g' − m)(1 − β₁);  v ← β₂v + (1 − β₂)g'²;
///   p ← p − stepSize · m / (√v / bc2Sqrt + ε).
/// Correctly rounded IEEE operations in this order, no contraction (no FMA), a vector square root without
/// errno handling: every element gets the same bits whatever the SIMD width or the position in the array.
void pixel_adam_update(float *p, float *m, float *v, const float *g, long n, float decay, float l2, float beta1,
                       float beta2, float step_size, float bc2_sqrt, float epsilon);

/// The fused dot-product softmax's products (softmax.c) for widths d = 16, 32, …, 128
/// (`pixel_dps_supports`). Candidates `c` `[n, d]` are packed once per call into panels of 16
/// (`pixel_dps_padded(n)·d` floats) with the shift row (`log_q`, or 0 when NULL; +∞ in the padding, so padded
/// logits are −∞); the logits of a row block go to `e` with row stride `pixel_dps_stride(n)`.
int pixel_dps_supports(long d);
/// Whether the tiled products are faster than OpenBLAS on this build's target: with AVX-512 (1), else 0.
int pixel_dps_preferred(void);
long pixel_dps_padded(long n);
long pixel_dps_stride(long n);
void pixel_dps_pack(const float *c, long n, long d, const float *log_q, float *packed, float *shift);
/// `e[r, j] = q[r]·c[j] − shift[j]` for `r < rows`, `j < pixel_dps_padded(n)`; `row_max[r] = max_j e[r, j]`;
/// `scratch`: `16·rows` floats.
void pixel_dps_logits(const float *q, long rows, long d, const float *packed, const float *shift, long n,
                      float *e, long lde, float *row_max, float *scratch);
/// `out[r, :] = Σ_{j < n} e[r, j]·c[j, :]` (`out` `[rows, d]`, `c` unpacked `[n, d]`).
void pixel_dps_dq(const float *e, long lde, long rows, const float *c, long n, long d, float *out);
/// `out[j, :] (+)= Σ_{i < rows} e[i, j]·sq[i, :]` (`out` `[n, d]`; added to when `accumulate`, else overwritten).
void pixel_dps_dc(const float *e, long lde, long rows, const float *sq, long n, long d, float *out, int accumulate);

#endif
