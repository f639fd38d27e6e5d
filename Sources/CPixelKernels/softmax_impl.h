// One instruction-set variant of the dot-product softmax's products (softmax.c), included once per
// variant with PK_FN and PK_MADD defined as for gemm_impl.h. No include guard: included three times.

// Rows r0 ..< r0+R of the logits against the 32 candidates of two consecutive panels.
static inline __attribute__((always_inline)) void PK_FN(logits_tile)(const int R, const float *q, long d,
                                                                     const float *p0, const float *shift, float *e,
                                                                     long lde, float *row_max) {
    pk_f16 a0[12], a1[12];  // fixed sizes (not VLAs): registers once R is a constant
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) a0[r] = a1[r] = 0;
    const float *p1 = p0 + d * 16;
    for (long k = 0; k < d; k++) {
        pk_f16 b0 = pk_load16(p0 + k * 16), b1 = pk_load16(p1 + k * 16);
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {
            float s = q[r * d + k];
            a0[r] = PK_MADD((pk_f16)s, b0, a0[r]);
            a1[r] = PK_MADD((pk_f16)s, b1, a1[r]);
        }
    }
    pk_f16 l0 = pk_load16(shift), l1 = pk_load16(shift + 16);
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {
        pk_f16 x0 = a0[r] - l0, x1 = a1[r] - l1;
        pk_store16(e + r * lde, x0);
        pk_store16(e + r * lde + 16, x1);
        pk_f16 m = pk_load16(row_max + r * 16);
        m = __builtin_elementwise_max(m, __builtin_elementwise_max(x0, x1));
        pk_store16(row_max + r * 16, m);
    }
}

#define LOGITS_ROWS 12

static void PK_FN(logits_rows)(int rows, const float *q, long d, const float *p0, const float *shift, float *e,
                               long lde, float *row_max) {
    switch (rows) {
#define CASE(R)                                                                                                       \
    case R: PK_FN(logits_tile)(R, q, d, p0, shift, e, lde, row_max); break;
        CASE(1) CASE(2) CASE(3) CASE(4) CASE(5) CASE(6) CASE(7) CASE(8) CASE(9) CASE(10) CASE(11) CASE(12)
#undef CASE
    }
}

void PK_FN(pixel_dps_logits)(const float *q, long rows, long d, const float *packed, const float *shift, long n,
                      float *e, long lde, float *row_max, float *scratch) {
    long padded = pixel_dps_padded(n);
    for (long i = 0; i < rows * 16; i++) scratch[i] = -__builtin_inff();
    // Column chunks whose packed panels (chunk·d floats) stay in L2 while every row tile passes over them.
    long chunk = (65536 / d) / 32 * 32;
    if (chunk < 32) chunk = 32;
    for (long c0 = 0; c0 < padded; c0 += chunk) {
        long c1 = c0 + chunk < padded ? c0 + chunk : padded;
        for (long r0 = 0; r0 < rows; r0 += LOGITS_ROWS) {
            int count = (int)(rows - r0 < LOGITS_ROWS ? rows - r0 : LOGITS_ROWS);
            for (long j = c0; j < c1; j += 32) {
                PK_FN(logits_rows)(count, q + r0 * d, d, packed + (j / 16) * d * 16, shift + j, e + r0 * lde + j, lde,
                            scratch + r0 * 16);
            }
        }
    }
    for (long r = 0; r < rows; r++) {
        pk_f16 m = pk_load16(scratch + r * 16);
        row_max[r] = __builtin_reduce_max(m);
    }
}

// out[r, :] (+)= Σ_{j0 ≤ j < j1} e[r, j]·c[j, :] for R rows, V vectors of 16 columns.
static inline __attribute__((always_inline)) void PK_FN(dq_tile)(const int R, const int V, const float *e, long lde,
                                                          const float *c, long d, long j0, long j1, float *out,
                                                          int first) {
    pk_f16 acc[12][4];
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)
            acc[r][v] = first ? (pk_f16)0 : pk_load16(out + r * d + v * 16);
    for (long j = j0; j < j1; j++) {
        pk_f16 b[4];
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) b[v] = pk_load16(c + j * d + v * 16);
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {
            float s = e[r * lde + j];
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)
                acc[r][v] = PK_MADD((pk_f16)s, b[v], acc[r][v]);
        }
    }
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) pk_store16(out + r * d + v * 16, acc[r][v]);
}

// acc[t, :] (+)= Σ_{i < rows} e[i, t]·sq[i, :] for T candidates, V vectors of 16 columns.
static inline __attribute__((always_inline)) void PK_FN(dc_tile)(const int T, const int V, const float *e, long lde,
                                                          long rows, const float *sq, long d, float *out,
                                                          int first) {
    pk_f16 acc[12][4];
    _Pragma("clang loop unroll(full)") for (int t = 0; t < T; t++)
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)
            acc[t][v] = first ? (pk_f16)0 : pk_load16(out + t * d + v * 16);
    for (long i = 0; i < rows; i++) {
        // The row's next line but one of the strip: the strided lines are not prefetched by the hardware
        // (measured, d 64: ∂C 75 -> 91 GFLOP/s). A prefetch never faults, even past the end of e.
        __builtin_prefetch(e + i * lde + 32);
        pk_f16 b[4];
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) b[v] = pk_load16(sq + i * d + v * 16);
        _Pragma("clang loop unroll(full)") for (int t = 0; t < T; t++) {
            float s = e[i * lde + t];
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)
                acc[t][v] = PK_MADD((pk_f16)s, b[v], acc[t][v]);
        }
    }
    _Pragma("clang loop unroll(full)") for (int t = 0; t < T; t++)
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) pk_store16(out + t * d + v * 16, acc[t][v]);
}

// Rows (or candidates) per register tile for V vectors: about 24 accumulators, at most 12 broadcasts.
#define TILE_FOR(V) ((V) == 1 ? 12 : (V) == 2 ? 12 : 24 / (V))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

#define DEFINE_FOR_V(V)                                                                                               \
    static void PK_FN(dq_rows_##V)(int rows, const float *e, long lde, const float *c, long d, long j0, long j1,      \
                            float *out, int first) {                                                                  \
        switch (rows) {                                                                                               \
        case 1: PK_FN(dq_tile)(MIN(1, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 2: PK_FN(dq_tile)(MIN(2, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 3: PK_FN(dq_tile)(MIN(3, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 4: PK_FN(dq_tile)(MIN(4, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 5: PK_FN(dq_tile)(MIN(5, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 6: PK_FN(dq_tile)(MIN(6, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 7: PK_FN(dq_tile)(MIN(7, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 8: PK_FN(dq_tile)(MIN(8, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 9: PK_FN(dq_tile)(MIN(9, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                      \
        case 10: PK_FN(dq_tile)(MIN(10, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                    \
        case 11: PK_FN(dq_tile)(MIN(11, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                    \
        default: PK_FN(dq_tile)(MIN(12, TILE_FOR(V)), V, e, lde, c, d, j0, j1, out, first); break;                    \
        }                                                                                                             \
    }                                                                                                                 \
    static void PK_FN(dc_cols_##V)(int cols, const float *e, long lde, long rows, const float *sq, long d, float *out, \
                            int first) {                                                                              \
        switch (cols) {                                                                                               \
        case 1: PK_FN(dc_tile)(MIN(1, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 2: PK_FN(dc_tile)(MIN(2, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 3: PK_FN(dc_tile)(MIN(3, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 4: PK_FN(dc_tile)(MIN(4, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 5: PK_FN(dc_tile)(MIN(5, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 6: PK_FN(dc_tile)(MIN(6, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 7: PK_FN(dc_tile)(MIN(7, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 8: PK_FN(dc_tile)(MIN(8, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 9: PK_FN(dc_tile)(MIN(9, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                       \
        case 10: PK_FN(dc_tile)(MIN(10, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                     \
        case 11: PK_FN(dc_tile)(MIN(11, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                     \
        default: PK_FN(dc_tile)(MIN(12, TILE_FOR(V)), V, e, lde, rows, sq, d, out, first); break;                     \
        }                                                                                                             \
    }

DEFINE_FOR_V(1)
DEFINE_FOR_V(2)
DEFINE_FOR_V(3)
DEFINE_FOR_V(4)


// The columns go in groups of at most 4 vectors (64 floats): 6 rows × 4 vectors load 4 vectors and broadcast 6
// scalars per 24 multiply-adds, where 3 rows × 8 vectors (d 128 in one group) would load 8.
void PK_FN(pixel_dps_dq)(const float *e, long lde, long rows, const float *c, long n, long d, float *out) {
    // Candidate chunks whose rows of c (chunk·d floats) stay in L2 while every row tile passes over them.
    long chunk = 65536 / d;
    for (long j0 = 0; j0 < n || j0 == 0; j0 += chunk) {
        long j1 = j0 + chunk < n ? j0 + chunk : n;
        for (long g = 0; g < d / 16; g += 4) {
            const int v = (int)(d / 16 - g < 4 ? d / 16 - g : 4), tile = TILE_FOR(v);
            for (long r0 = 0; r0 < rows; r0 += tile) {
                int count = (int)(rows - r0 < tile ? rows - r0 : tile);
                const float *er = e + r0 * lde, *cg = c + g * 16;
                float *o = out + r0 * d + g * 16;
                int first = j0 == 0;
                switch (v) {
                case 1: PK_FN(dq_rows_1)(count, er, lde, cg, d, j0, j1, o, first); break;
                case 2: PK_FN(dq_rows_2)(count, er, lde, cg, d, j0, j1, o, first); break;
                case 3: PK_FN(dq_rows_3)(count, er, lde, cg, d, j0, j1, o, first); break;
                default: PK_FN(dq_rows_4)(count, er, lde, cg, d, j0, j1, o, first); break;
                }
            }
        }
        if (j1 >= n) break;
    }
}

void PK_FN(pixel_dps_dc)(const float *e, long lde, long rows, const float *sq, long n, long d, float *out,
                         int accumulate) {
    // Column groups inside the candidate tile: the tile's strip of e (rows × 6 floats) is read from L1 again.
    const int tile = TILE_FOR(d / 16 < 4 ? d / 16 : 4);
    for (long j0 = 0; j0 < n; j0 += tile) {
        int count = (int)(n - j0 < tile ? n - j0 : tile);
        for (long g = 0; g < d / 16; g += 4) {
            const int v = (int)(d / 16 - g < 4 ? d / 16 - g : 4);
            const float *ej = e + j0, *sg = sq + g * 16;
            float *o = out + j0 * d + g * 16;
            int first = !accumulate;
            switch (v) {
            case 1: PK_FN(dc_cols_1)(count, ej, lde, rows, sg, d, o, first); break;
            case 2: PK_FN(dc_cols_2)(count, ej, lde, rows, sg, d, o, first); break;
            case 3: PK_FN(dc_cols_3)(count, ej, lde, rows, sg, d, o, first); break;
            default: PK_FN(dc_cols_4)(count, ej, lde, rows, sg, d, o, first); break;
            }
        }
    }
}
