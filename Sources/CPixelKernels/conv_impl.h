// One instruction-set variant of the channel-blocked convolution kernels (PixelONNX's BlockedConv),
// included by conv.c with PK_FN, PK_MADD and the target attribute as for gemm_impl.h. No include guard.

// One 16-channel vector of a tile's output: v = clamp(acc + bias, lo, hi) (+ residual at the same place).
#define PK_CONV_PUT(acc, bias_v, at)                                                                                  \
    do {                                                                                                              \
        pk_f16 v_ = (acc) + (bias_v);                                                                                 \
        v_ = pk_select(v_ < lo, (pk_f16)lo, v_);                                                                      \
        v_ = pk_select(v_ > hi, (pk_f16)hi, v_);                                                                      \
        if (residual) v_ = v_ + pk_load16(residual + (at));                                                           \
        pk_store16(out + (at), v_);                                                                                   \
    } while (0)

#ifdef PK_NARROW
// AVX2 (16 registers of 8 lanes): positions q0 ..< q0 + R (R ≤ 6) × vector `half` of a tile — 6 accumulators
// (12 registers), one w vector and the broadcast fit where 12 × 2 accumulators (48 registers) spill. Each
// output gets the multiply-adds of conv_tile_r in the same step order, so the same bits.
static inline __attribute__((always_inline)) void PK_FN(conv_part)(const int R, int q0, int half, long ps,
                                                                   long steps, const long *offsets, const float *x,
                                                                   const float *w, const float *bias, float *out,
                                                                   long second, const float *residual, float lo,
                                                                   float hi) {
    pk_f16 acc[6];
    _Pragma("clang loop unroll(full)") for (int q = 0; q < R; q++) acc[q] = (pk_f16)0.0f;
    const float *bp = w + 16 * half;
    for (long s = 0; s < steps; s++) {
        const float *ap = x + offsets[s] + q0 * ps;
        pk_f16 b = pk_load16(bp);
        _Pragma("clang loop unroll(full)") for (int q = 0; q < R; q++) acc[q] = PK_MADD((pk_f16)ap[q * ps], b, acc[q]);
        bp += 32;
    }
    pk_f16 bias_v = pk_load16(bias + 16 * half);
    _Pragma("clang loop unroll(full)") for (int q = 0; q < R; q++) {
        PK_CONV_PUT(acc[q], bias_v, (q0 + q) * 16 + (half ? second : 0));
    }
}
#endif

// R positions × (1 or 2) vectors of 16 output channels: acc[q] = Σ_s x[offsets[s] + q·pstride]·w[32s ..], in
// step order, then v = clamp(acc + bias, lo, hi) (+ residual), stored at out + 16q (second vector + second).
// PS: the position stride when it is a constant (16, the blocked layout), else 0 (pstride at run time).
static inline __attribute__((always_inline)) void PK_FN(conv_tile_r)(const int R, const int two, const long PS,
                                                                     long steps, const long *offsets,
                                                                     const float *x, long pstride, const float *w,
                                                                     const float *bias, float *out, long second,
                                                                     const float *residual, float lo, float hi) {
    const long ps = PS ? PS : pstride;
#ifdef PK_NARROW
    for (int half = 0; half < 1 + two; half++) {
        PK_FN(conv_part)(R < 6 ? R : 6, 0, half, ps, steps, offsets, x, w, bias, out, second, residual, lo, hi);
        if (R > 6) PK_FN(conv_part)(R - 6, 6, half, ps, steps, offsets, x, w, bias, out, second, residual, lo, hi);
    }
    return;
#endif
    pk_f16 acc0[12], acc1[12];
    _Pragma("clang loop unroll(full)") for (int q = 0; q < R; q++) acc0[q] = acc1[q] = (pk_f16)0.0f;
    const float *bp = w;
    for (long s = 0; s < steps; s++) {
        const float *ap = x + offsets[s];
        pk_f16 b0 = pk_load16(bp), b1 = two ? pk_load16(bp + 16) : (pk_f16)0.0f;
        _Pragma("clang loop unroll(full)") for (int q = 0; q < R; q++) {
            pk_f16 a = (pk_f16)ap[q * ps];
            acc0[q] = PK_MADD(a, b0, acc0[q]);
            if (two) acc1[q] = PK_MADD(a, b1, acc1[q]);
        }
        bp += 32;
    }
    pk_f16 bias0 = pk_load16(bias), bias1 = two ? pk_load16(bias + 16) : (pk_f16)0.0f;
    _Pragma("clang loop unroll(full)") for (int q = 0; q < R; q++) {
        PK_CONV_PUT(acc0[q], bias0, q * 16);
        if (two) PK_CONV_PUT(acc1[q], bias1, q * 16 + second);
    }
}

void PK_FN(pixel_conv_tile)(long positions, int two, long steps, const long *offsets, const float *x, long pstride,
                            const float *w, const float *bias, float *out, long second, const float *residual,
                            float lo, float hi) {
#define PK_CONV_CASE(R, PS)                                                                                           \
    if (two)                                                                                                          \
        PK_FN(conv_tile_r)(R, 1, PS, steps, offsets, x, pstride, w, bias, out, second, residual, lo, hi);             \
    else                                                                                                              \
        PK_FN(conv_tile_r)(R, 0, PS, steps, offsets, x, pstride, w, bias, out, second, residual, lo, hi);
    if (pstride == 16) {
        switch (positions) {
        case 12: PK_CONV_CASE(12, 16) break;
        case 4: PK_CONV_CASE(4, 16) break;
        default: PK_CONV_CASE(1, 16) break;
        }
    } else {
        switch (positions) {
        case 12: PK_CONV_CASE(12, 0) break;
        case 4: PK_CONV_CASE(4, 0) break;
        default: PK_CONV_CASE(1, 0) break;
        }
    }
#undef PK_CONV_CASE
}

// P positions of one output row of a blocked depthwise plane (16 channels a lane each), the taps of rows
// iLo..<iHi and columns jLo..<jHi: acc[p] = bias + Σ_i Σ_j taps[i, j]·x[iy0 + i·dy, ix0 + p·sx + j·dx] in
// (i, j) order, clamped, stored at out + 16p.
static inline __attribute__((always_inline)) void PK_FN(depthwise_run)(const int P, const float *x, float *out,
                                                                       const float *taps, const float *bias,
                                                                       long ix0, long iy0, long i_lo, long i_hi,
                                                                       long j_lo, long j_hi, long iw, long kw,
                                                                       long sx, long dy, long dx, float lo,
                                                                       float hi) {
    pk_f16 acc[8];
    _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++) acc[p] = pk_load16(bias);
    const long row_stride = iw * 16, step = sx * 16, tap_step = dx * 16;
    for (long i = i_lo; i < i_hi; i++) {
        const float *row = x + (iy0 + i * dy) * row_stride + ix0 * 16;
        const float *tap_row = taps + i * kw * 16;
        for (long j = j_lo; j < j_hi; j++) {
            pk_f16 t = pk_load16(tap_row + j * 16);
            const float *px = row + j * tap_step;
            _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++)
                acc[p] = PK_MADD(t, pk_load16(px + p * step), acc[p]);
        }
    }
    _Pragma("clang loop unroll(full)") for (int p = 0; p < P; p++) {
        pk_f16 v = acc[p];
        v = pk_select(v < lo, (pk_f16)lo, v);
        v = pk_select(v > hi, (pk_f16)hi, v);
        pk_store16(out + p * 16, v);
    }
}

void PK_FN(pixel_blocked_depthwise_plane)(const float *x, float *out, const float *taps, const float *bias, long ih,
                                          long iw, long oh, long ow, long pad_top, long pad_left, long kh, long kw,
                                          long sy, long sx, long dy, long dx, float lo, float hi) {
    // Output columns whose taps are all inside the row: ox·sx − padLeft ≥ 0 and ox·sx − padLeft + (kw−1)·dx ≤ iw − 1.
    long x_lo = (pad_left + sx - 1) / sx;
    if (x_lo > ow) x_lo = ow;
    long last = iw - 1 + pad_left - (kw - 1) * dx, x_hi = x_lo;
    if (last >= 0) {
        x_hi = last / sx + 1 < ow ? last / sx + 1 : ow;
        if (x_hi < x_lo) x_hi = x_lo;
    }
    for (long oy = 0; oy < oh; oy++) {
        long iy0 = oy * sy - pad_top;
        // Kernel rows inside the image: 0 ≤ iy0 + i·dy < ih.
        long i_lo = iy0 >= 0 ? 0 : (-iy0 + dy - 1) / dy;
        long i_hi = iy0 > ih - 1 ? 0 : ((ih - 1 - iy0) / dy + 1 < kh ? (ih - 1 - iy0) / dy + 1 : kh);
        float *line = out + oy * ow * 16;
#define PK_SINGLE(ox)                                                                                                 \
    do {                                                                                                              \
        long ix0_ = (ox) * sx - pad_left;                                                                             \
        long j_lo_ = ix0_ >= 0 ? 0 : (-ix0_ + dx - 1) / dx;                                                           \
        long j_hi_ = ix0_ > iw - 1 ? 0 : ((iw - 1 - ix0_) / dx + 1 < kw ? (iw - 1 - ix0_) / dx + 1 : kw);             \
        PK_FN(depthwise_run)(1, x, line + (ox) * 16, taps, bias, ix0_, iy0, i_lo, i_hi, j_lo_, j_hi_, iw, kw, sx, dy, \
                             dx, lo, hi);                                                                             \
    } while (0)
        for (long ox = 0; ox < x_lo; ox++) PK_SINGLE(ox);
        long ox = x_lo;
        for (; ox + 8 <= x_hi; ox += 8)
            PK_FN(depthwise_run)(8, x, line + ox * 16, taps, bias, ox * sx - pad_left, iy0, i_lo, i_hi, 0, kw, iw, kw,
                                 sx, dy, dx, lo, hi);
        for (; ox + 4 <= x_hi; ox += 4)
            PK_FN(depthwise_run)(4, x, line + ox * 16, taps, bias, ox * sx - pad_left, iy0, i_lo, i_hi, 0, kw, iw, kw,
                                 sx, dy, dx, lo, hi);
        // The last interior columns: one more group of four ending at x_hi (overlapping outputs recomputed
        // identically).
        if (ox < x_hi && x_hi - x_lo >= 4) {
            PK_FN(depthwise_run)(4, x, line + (x_hi - 4) * 16, taps, bias, (x_hi - 4) * sx - pad_left, iy0, i_lo,
                                 i_hi, 0, kw, iw, kw, sx, dy, dx, lo, hi);
            ox = x_hi;
        }
        for (; ox < x_hi; ox++) PK_SINGLE(ox);
        for (ox = x_hi; ox < ow; ox++) PK_SINGLE(ox);
#undef PK_SINGLE
    }
}
