// One instruction-set variant of the dense kernels: included by gemm.c once per variant, with
// PK_FN(name) naming the functions (name_avx512, name_avx2, name_baseline), PK_MADD(a, b, c) = a·b + c
// (one fused multiply-add, or a multiply then an add where the variant has no FMA) and the target
// attribute applied to every function by the includer. No include guard: included three times.
//
// The arithmetic of every output element is a fixed sequence of IEEE operations that depends only on the
// shapes, so the AVX-512 and AVX2 variants (both fused) give the same bits; the baseline variant rounds the
// product separately (relative difference ≲ k·2⁻²⁴ for a k-term sum).

// e^x for 16 lanes, in place: the operations of PixelONNX's VectorMath.exp in its order (Cody–Waite
// reduction n = round(x·log₂e), r = x − n·ln2 in two parts, a degree-5 polynomial p(r), then p·2ⁿ; inputs
// clamped to [−87, 88]); multiplies and adds never fused, as in the Swift version.
static inline __attribute__((always_inline)) void PK_FN(exp16)(pk_f16 *io) {
    pk_f16 x = *io;
    x = pk_select(x < -87.0f, (pk_f16)-87.0f, x);
    x = pk_select(x > 88.0f, (pk_f16)88.0f, x);
    const float magic = 12582912.0f;  // 1.5·2²³: adding it rounds |v| ≤ 2²² to an integer, ties to even
    pk_f16 shifted = x * 1.44269504088896341f + magic;
    pk_f16 n = shifted - magic;
    pk_f16 r = x - n * 0.693145751953125f;
    r = r - n * 1.428606765330187045e-06f;
    pk_f16 p = (pk_f16)1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    pk_i16 ni = (pk_i16)shifted - 0x4B400000;
    pk_i16 bits = (ni + 127) << 23;
    *io = p * (pk_f16)bits;
}

// GELU(x) = ½·x·(1 + erf(x/√2)) for 16 lanes, in place, with erf from Abramowitz–Stegun 7.1.26:
// erf(a) = 1 − t·(a₁ + t·(a₂ + t·(a₃ + t·(a₄ + t·a₅))))·e^(−a²), t = 1/(1 + 0.3275911·a), a = |x|, sign of x.
// The operations of VectorMath.gelu in its order (same bits).
static inline __attribute__((always_inline)) void PK_FN(gelu16)(pk_f16 *io) {
    pk_f16 x = *io;
    pk_f16 z = x * 0.70710678118654752f;
    pk_i16 zbits = (pk_i16)z;
    pk_f16 a = (pk_f16)(zbits & 0x7FFFFFFF);
    pk_f16 t = 1.0f / (1.0f + 0.3275911f * a);
    pk_f16 y = 1.061405429f * t - 1.453152027f;
    y = y * t + 1.421413741f;
    y = y * t - 0.284496736f;
    y = y * t + 0.254829592f;
    y = y * t;
    pk_f16 e = -(a * a);
    PK_FN(exp16)(&e);
    pk_f16 r = 1.0f - y * e;
    pk_i16 rbits = (pk_i16)r;
    pk_f16 erf = (pk_f16)((rbits & 0x7FFFFFFF) | (zbits & (pk_i16)0x80000000));
    *io = 0.5f * x * (1.0f + erf);
}

void PK_FN(pixel_gelu)(const float *x, float *y, long n) {
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        pk_f16 v = pk_load16(x + i);
        PK_FN(gelu16)(&v);
        pk_store16(y + i, v);
    }
    if (i < n) {
        float tail[16] = {0};
        memcpy(tail, x + i, (size_t)(n - i) * sizeof(float));
        pk_f16 v = pk_load16(tail);
        PK_FN(gelu16)(&v);
        pk_store16(tail, v);
        memcpy(y + i, tail, (size_t)(n - i) * sizeof(float));
    }
}

// Row r of a tile: v = (acc + bias_r) + column bias, GELU if asked, clamped to [lo, hi] (NaN kept), stored.
// (Vectors by pointer: a by-value 64-byte vector changes the calling convention by target, -Wpsabi.)
static inline __attribute__((always_inline)) void PK_FN(put_row)(float *row, const pk_f16 *x0, const pk_f16 *x1,
                                                                 float bias_r, const pk_f16 *cb0,
                                                                 const pk_f16 *cb1, int gelu, float lo, float hi) {
    pk_f16 v0 = *x0 + bias_r + *cb0, v1 = *x1 + bias_r + *cb1;
    if (gelu) {
        PK_FN(gelu16)(&v0);
        PK_FN(gelu16)(&v1);
    }
    v0 = pk_select(v0 < lo, (pk_f16)lo, v0);
    v0 = pk_select(v0 > hi, (pk_f16)hi, v0);
    v1 = pk_select(v1 < lo, (pk_f16)lo, v1);
    v1 = pk_select(v1 > hi, (pk_f16)hi, v1);
    pk_store16(row, v0);
    pk_store16(row + 16, v1);
}

#ifdef PK_NARROW
// Sixteen columns of one row of a tile: v = (acc + bias_r) + column bias, GELU if asked, clamped, stored — the
// operations of put_row on one of its two halves, so the same bits.
static inline __attribute__((always_inline)) void PK_FN(put_half)(float *out, const pk_f16 *x, float bias_r,
                                                                  const pk_f16 *cb, int gelu, float lo, float hi) {
    pk_f16 v = *x + bias_r + *cb;
    if (gelu) PK_FN(gelu16)(&v);
    v = pk_select(v < lo, (pk_f16)lo, v);
    v = pk_select(v > hi, (pk_f16)hi, v);
    pk_store16(out, v);
}

// Rows r0 ..< r0 + R (R ≤ 6, a constant after inlining) × columns c0 ..< c0 + 16 of a tile: with 16 registers
// of 8 lanes (AVX2), 6 accumulators of 16 lanes (12 registers), one b vector (2) and the broadcast fit where
// the 12 × 32 tile's 24 accumulators (48 registers) would spill. Each output element gets the same
// multiply-adds in the same p order as in `tile`, so the same bits.
static inline __attribute__((always_inline)) void PK_FN(tile_part)(const int R, int r0, int c0, long k,
                                                                   const float *a, const float *b, float *c,
                                                                   long ldc, long rows, const float *row_bias,
                                                                   const float *col_bias, int gelu, float lo,
                                                                   float hi) {
    pk_f16 acc[6];
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) acc[r] = (pk_f16)0.0f;
    const float *ap = a + r0, *bp = b + c0;
    for (long p = 0; p < k; p++) {
        pk_f16 b0 = pk_load16(bp);
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) acc[r] = PK_MADD((pk_f16)ap[r], b0, acc[r]);
        ap += 12;
        bp += 32;
    }
    pk_f16 cb = col_bias ? pk_load16(col_bias + c0) : (pk_f16)0.0f;
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {
        if (r0 + r < rows) {
            PK_FN(put_half)
            (c + (r0 + r) * ldc + c0, &acc[r], row_bias ? row_bias[r0 + r] : 0.0f, &cb, gelu, lo, hi);
        }
    }
}
#endif

// R rows (R ≤ 12, a constant after inlining) × 32 columns over the whole k: acc[r] = Σ_p a[p·12 + r]·b[p·32 ..]
// in p order, one multiply-add per step. (AVX2: as 6-row × 16-column parts, see tile_part.)
static inline __attribute__((always_inline)) void PK_FN(tile)(const int R, long k, const float *a, const float *b,
                                                              float *c, long ldc, long rows, const float *row_bias,
                                                              const float *col_bias, int gelu, float lo,
                                                              float hi) {
#ifdef PK_NARROW
    const int first = R < 6 ? R : 6;
    for (int c0 = 0; c0 < 32; c0 += 16) {
        PK_FN(tile_part)(first, 0, c0, k, a, b, c, ldc, rows, row_bias, col_bias, gelu, lo, hi);
        if (R > 6 && rows > 6) {
            PK_FN(tile_part)(R - 6, 6, c0, k, a, b, c, ldc, rows, row_bias, col_bias, gelu, lo, hi);
        }
    }
    return;
#endif
    pk_f16 acc0[12], acc1[12];
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) acc0[r] = acc1[r] = (pk_f16)0.0f;
    const float *ap = a, *bp = b;
    for (long p = 0; p < k; p++) {
        pk_f16 b0 = pk_load16(bp), b1 = pk_load16(bp + 16);
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {
            pk_f16 s = (pk_f16)ap[r];
            acc0[r] = PK_MADD(s, b0, acc0[r]);
            acc1[r] = PK_MADD(s, b1, acc1[r]);
        }
        ap += 12;
        bp += 32;
    }
    pk_f16 cb0 = (pk_f16)0.0f, cb1 = (pk_f16)0.0f;
    if (col_bias) {
        cb0 = pk_load16(col_bias);
        cb1 = pk_load16(col_bias + 16);
    }
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {
        if (r < rows) {
            PK_FN(put_row)
            (c + r * ldc, &acc0[r], &acc1[r], row_bias ? row_bias[r] : 0.0f, &cb0, &cb1, gelu, lo, hi);
        }
    }
}

void PK_FN(pixel_gemm_tile12x32)(long k, const float *a, const float *b, float *c, long ldc, long rows,
                                 const float *row_bias, const float *col_bias, int gelu, float lo, float hi) {
    PK_FN(tile)(12, k, a, b, c, ldc, rows, row_bias, col_bias, gelu, lo, hi);
}

void PK_FN(pixel_gemm_tile4x32)(long k, const float *a, const float *b, float *c, long ldc, long rows,
                                const float *col_bias, int gelu) {
    PK_FN(tile)(4, k, a, b, c, ldc, rows, NULL, col_bias, gelu, -__builtin_inff(), __builtin_inff());
}

void PK_FN(pixel_small_rows4x64)(long i, long m, long j, long k, const float *a, const float *low,
                                 const float *high, long ldb, float *c, long n) {
    const long last = m - 1;
    const float *ar[4];
    for (int r = 0; r < 4; r++) ar[r] = a + (i + r < last ? i + r : last) * k;
#ifdef PK_NARROW
    // AVX2: one 16-column quarter at a time (4 accumulators of 16 lanes = 8 registers), the same
    // multiply-adds per element in the same p order as the 4 × 64 tile below.
    {
        long rows = m - i < 4 ? m - i : 4;
        for (int v = 0; v < 4; v++) {
            const float *bp = (v < 2 ? low : high) + 16 * (v & 1);
            pk_f16 acc[4] = {(pk_f16)0.0f, (pk_f16)0.0f, (pk_f16)0.0f, (pk_f16)0.0f};
            for (long p = 0; p < k; p++) {
                pk_f16 w = pk_load16(bp);
                _Pragma("clang loop unroll(full)") for (int r = 0; r < 4; r++) {
                    acc[r] = PK_MADD((pk_f16)ar[r][p], w, acc[r]);
                }
                bp += ldb;
            }
            for (long r = 0; r < rows; r++) {
                float *cp = c + (i + r) * n + j + 16 * v;
                pk_store16(cp, pk_load16(cp) + acc[r]);
            }
        }
        return;
    }
#endif
    pk_f16 acc[4][4];
    for (int r = 0; r < 4; r++)
        for (int v = 0; v < 4; v++) acc[r][v] = (pk_f16)0.0f;
    const float *bp = low, *hp = high;
    for (long p = 0; p < k; p++) {
        pk_f16 w0 = pk_load16(bp), w1 = pk_load16(bp + 16), w2 = pk_load16(hp), w3 = pk_load16(hp + 16);
        _Pragma("clang loop unroll(full)") for (int r = 0; r < 4; r++) {
            pk_f16 s = (pk_f16)ar[r][p];
            acc[r][0] = PK_MADD(s, w0, acc[r][0]);
            acc[r][1] = PK_MADD(s, w1, acc[r][1]);
            acc[r][2] = PK_MADD(s, w2, acc[r][2]);
            acc[r][3] = PK_MADD(s, w3, acc[r][3]);
        }
        bp += ldb;
        hp += ldb;
    }
    long rows = m - i < 4 ? m - i : 4;
    for (long r = 0; r < rows; r++) {
        float *cp = c + (i + r) * n + j;
        for (int v = 0; v < 4; v++) pk_store16(cp + 16 * v, pk_load16(cp + 16 * v) + acc[r][v]);
    }
}

void PK_FN(pixel_small_rows4x16)(long i, long m, long j, long width, long k, const float *a, const float *b,
                                 long ldb, float *c, long n) {
    long rows = m - i < 4 ? m - i : 4;
    for (long q = 0; q + 16 <= width; q += 16) {
        for (long r = 0; r < rows; r++) {
            const float *arow = a + (i + r) * k, *bp = b + q;
            pk_f16 x = (pk_f16)0.0f;
            for (long p = 0; p < k; p++) {
                x = PK_MADD((pk_f16)arow[p], pk_load16(bp), x);
                bp += ldb;
            }
            float *cp = c + (i + r) * n + j + q;
            pk_store16(cp, pk_load16(cp) + x);
        }
    }
}

void PK_FN(pixel_attention_scores)(const float *q, const float *kt, long d, long padded, float *scores) {
    for (long c = 0; c + 16 <= padded; c += 16) {
        pk_f16 acc = (pk_f16)0.0f;
        const float *kv = kt + c;
        for (long t = 0; t < d; t++) {
            acc = PK_MADD((pk_f16)q[t], pk_load16(kv), acc);
            kv += padded;
        }
        pk_store16(scores + c, acc);
    }
}

void PK_FN(pixel_attention_values)(const float *p, const float *v, long sk, long stride, long dv, float *out) {
    long d = 0;
    for (; d + 32 <= dv; d += 32) {
        pk_f16 a0 = (pk_f16)0.0f, a1 = (pk_f16)0.0f;
        const float *row = v + d;
        for (long j = 0; j < sk; j++) {
            pk_f16 pj = (pk_f16)p[j];
            a0 = PK_MADD(pj, pk_load16(row), a0);
            a1 = PK_MADD(pj, pk_load16(row + 16), a1);
            row += stride;
        }
        pk_store16(out + d, a0);
        pk_store16(out + d + 16, a1);
    }
    for (; d + 16 <= dv; d += 16) {
        pk_f16 acc = (pk_f16)0.0f;
        const float *row = v + d;
        for (long j = 0; j < sk; j++) {
            acc = PK_MADD((pk_f16)p[j], pk_load16(row), acc);
            row += stride;
        }
        pk_store16(out + d, acc);
    }
    for (; d < dv; d++) {
        float acc = 0;
        for (long j = 0; j < sk; j++) acc += p[j] * v[j * stride + d];
        out[d] = acc;
    }
}

void PK_FN(pixel_depthwise_plane)(const float *src, long pw, const float *filter, float bias, float *dst, long oh,
                                  long ow, long sy, long sx, long kh, long kw, float lo, float hi) {
    for (long y = 0; y < oh; y += 4) {
        const long last = oh - 1;
        const long ys[4] = {y, y + 1 < last ? y + 1 : last, y + 2 < last ? y + 2 : last, y + 3 < last ? y + 3 : last};
        for (long c = 0; c < ow; c += 16) {
            pk_f16 acc[4];
            for (int r = 0; r < 4; r++) acc[r] = (pk_f16)bias;
            for (long i = 0; i < kh; i++) {
                const float *base = src + i * pw + c * sx, *taps = filter + i * kw;
                const float *rows[4];
                for (int r = 0; r < 4; r++) rows[r] = base + ys[r] * sy * pw;
                if (sx == 1) {
                    for (long j = 0; j < kw; j++) {
                        pk_f16 t = (pk_f16)taps[j];
                        _Pragma("clang loop unroll(full)") for (int r = 0; r < 4; r++)
                            acc[r] = PK_MADD(t, pk_load16(rows[r] + j), acc[r]);
                    }
                } else {
                    for (long j = 0; j < kw; j++) {
                        pk_f16 t = (pk_f16)taps[j];
                        _Pragma("clang loop unroll(full)") for (int r = 0; r < 4; r++) {
                            pk_f32 pair = pk_load32(rows[r] + j);
                            pk_f16 even = __builtin_shufflevector(pair, pair, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22,
                                                                  24, 26, 28, 30);
                            acc[r] = PK_MADD(t, even, acc[r]);
                        }
                    }
                }
            }
            long lanes = ow - c < 16 ? ow - c : 16, count = oh - y < 4 ? oh - y : 4;
            for (long r = 0; r < count; r++) {
                pk_f16 v = acc[r];
                v = pk_select(v < lo, (pk_f16)lo, v);
                v = pk_select(v > hi, (pk_f16)hi, v);
                float *line = dst + (y + r) * ow + c;
                if (lanes == 16) {
                    pk_store16(line, v);
                } else {
                    float tail[16];
                    pk_store16(tail, v);
                    memcpy(line, tail, (size_t)lanes * sizeof(float));
                }
            }
        }
    }
}

float PK_FN(pixel_dot)(const float *a, const float *b, long n) {
    pk_f16 acc = (pk_f16)0.0f;
    long i = 0;
    for (; i + 16 <= n; i += 16) acc = PK_MADD(pk_load16(a + i), pk_load16(b + i), acc);
    float lanes[16], s = 0;
    pk_store16(lanes, acc);
    for (int l = 0; l < 16; l++) s += lanes[l];
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}
