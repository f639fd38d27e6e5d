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
/// Whether the tiled products are faster than OpenBLAS on this CPU: when pixel_isa_active() is AVX-512 (1),
/// else 0 (with 16 ymm registers the tiles spill).
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

/// pixel_dps_logits, pixel_dps_dq and pixel_dps_dc of one instruction-set level (tests compare them); the
/// functions above call those of pixel_isa_active().
typedef struct {
    void (*logits)(const float *q, long rows, long d, const float *packed, const float *shift, long n, float *e,
                   long lde, float *row_max, float *scratch);
    void (*dq)(const float *e, long lde, long rows, const float *c, long n, long d, float *out);
    void (*dc)(const float *e, long lde, long rows, const float *sq, long n, long d, float *out, int accumulate);
} PixelSoftmaxKernels;
/// The products of `level` (PIXEL_ISA_*), lowered to what this CPU runs.
const PixelSoftmaxKernels *pixel_dps_kernels(int level);

/// Instruction-set levels of the dispatched kernels (gemm.c, softmax.c).
enum { PIXEL_ISA_BASELINE = 0, PIXEL_ISA_AVX2 = 1, PIXEL_ISA_AVX512 = 2 };
/// The highest level this CPU (and OS) runs.
int pixel_isa_supported(void);
/// The level in use, decided on the first call: pixel_isa_supported(), lowered by the environment variable
/// PIXELREC_ISA (`avx512`, `avx2`, `baseline`) when that names a lower one.
int pixel_isa_active(void);
/// `avx512`, `avx2` or `baseline`.
const char *pixel_isa_name(int level);
/// The level a name stands for, or −1.
int pixel_isa_named(const char *name);

/// The dense kernels of one instruction-set variant. AVX-512 and AVX2 give the same bits (each multiply-add
/// fused, in the same order); baseline rounds each product before adding it.
typedef struct {
    /// Rows `r < rows` (≤ 12) of a 12×32 tile: `c[r·ldc + j] = clamp(Σ_p a[12p + r]·b[32p + j] + row_bias[r]
    /// + col_bias[j], lo, hi)` with the sum in `p` order, GELU applied before the clamp when `gelu`;
    /// `row_bias`, `col_bias` may be NULL (0).
    void (*tile12x32)(long k, const float *a, const float *b, float *c, long ldc, long rows,
                      const float *row_bias, const float *col_bias, int gelu, float lo, float hi);
    /// The same for the first `rows` (≤ 4) rows of a 12-row panel, no row bias, no clamp (the same bits as
    /// tile12x32 gives those rows).
    void (*tile4x32)(long k, const float *a, const float *b, float *c, long ldc, long rows, const float *col_bias,
                     int gelu);
    /// `c[r, j..<j+64] += Σ_p a[min(r, m−1), p]·B[p, 0..<64]` for rows `i ..< min(i+4, m)` (row-major `a` `[m, k]`,
    /// `c` `[m, n]`); columns 0..<32 of `B` at `low + p·ldb`, 32..<64 at `high + p·ldb`.
    void (*small_rows4x64)(long i, long m, long j, long k, const float *a, const float *low, const float *high,
                           long ldb, float *c, long n);
    /// The same for `width` (a multiple of 16, < 64) columns at `b + p·ldb`, one 16-column vector at a time.
    void (*small_rows4x16)(long i, long m, long j, long width, long k, const float *a, const float *b, long ldb,
                           float *c, long n);
    /// `scores[c] = Σ_{t<d} q[t]·kt[t·padded + c]` for `c < padded` (a multiple of 16), in `t` order.
    void (*attention_scores)(const float *q, const float *kt, long d, long padded, float *scores);
    /// `out[e] = Σ_{j<sk} p[j]·v[j·stride + e]` for `e < dv`, in `j` order (columns past the last multiple of
    /// 16 are unfused in every variant).
    void (*attention_values)(const float *p, const float *v, long sk, long stride, long dv, float *out);
    /// `y[i] = ½·x[i]·(1 + erf(x[i]/√2))` (erf: Abramowitz–Stegun 7.1.26 with a Cephes-style e^x; the operations
    /// of PixelONNX's VectorMath.gelu, so the same bits); `y` may be `x`.
    void (*gelu)(const float *x, float *y, long n);
    /// One depthwise-convolution plane from its zero-bordered copy `src` (row stride `pw`, readable 32 floats
    /// past every tap of stride-2 rows): `dst[y, x] = clamp(bias + Σ_{i<kh, j<kw} filter[i·kw + j]·src[(y·sy + i)·pw
    /// + x·sx + j], lo, hi)` for `y < oh`, `x < ow`, the sum in `i, j` order after the bias.
    void (*depthwise_plane)(const float *src, long pw, const float *filter, float bias, float *dst, long oh, long ow,
                            long sy, long sx, long kh, long kw, float lo, float hi);
    /// `Σ_{i<n} a[i]·b[i]`: 16 partial sums (fused multiply-adds over i ≡ l mod 16 up to the last multiple of
    /// 16) added in lane order, then the tail unfused in every variant.
    float (*dot)(const float *a, const float *b, long n);
} PixelDenseKernels;

/// The kernels of `level`, lowered to what this CPU runs.
const PixelDenseKernels *pixel_dense_kernels(int level);
/// The kernels of pixel_isa_active().
const PixelDenseKernels *pixel_dense_active(void);

/// The channel-blocked convolution kernels (conv.c) of one instruction-set variant (the same bits in the two
/// fused ones). Blocked values hold 16 channels per position as one vector.
typedef struct {
    /// `positions` (12, 4 or 1) output positions × 16 channels (32 when `two`): `acc[q] = Σ_{s<steps}
    /// x[offsets[s] + q·pstride]·w[32s ..]` in step order, then `v = clamp(acc + bias, lo, hi)`, plus
    /// `residual` at the same place when not NULL; stored at `out + 16q` (the second 16 channels `second`
    /// floats further, in `out` and `residual` alike).
    void (*tile)(long positions, int two, long steps, const long *offsets, const float *x, long pstride,
                 const float *w, const float *bias, float *out, long second, const float *residual, float lo,
                 float hi);
    /// One channel block of a depthwise convolution: `x` `[ih, iw, 16]`, `out` `[oh, ow, 16]`, `taps`
    /// `[kh, kw, 16]`, `bias` 16 floats: `out[oy, ox] = clamp(bias + Σ_{i,j} taps[i, j]·x[oy·sy − pad_top + i·dy,
    /// ox·sx − pad_left + j·dx], lo, hi)` over the taps inside the image, in `(i, j)` order.
    void (*depthwise_plane)(const float *x, float *out, const float *taps, const float *bias, long ih, long iw,
                            long oh, long ow, long pad_top, long pad_left, long kh, long kw, long sy, long sx,
                            long dy, long dx, float lo, float hi);
} PixelConvKernels;

/// The kernels of `level`, lowered to what this CPU runs.
const PixelConvKernels *pixel_conv_kernels(int level);
/// The kernels of pixel_isa_active().
const PixelConvKernels *pixel_conv_active(void);

#endif
