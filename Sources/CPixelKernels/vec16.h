// 16-lane float vectors for the kernels of this target (private header).
#ifndef PIXEL_VEC16_H
#define PIXEL_VEC16_H
#include <string.h>

typedef float pk_f16 __attribute__((ext_vector_type(16)));
typedef int pk_i16 __attribute__((ext_vector_type(16)));
typedef float pk_f32 __attribute__((ext_vector_type(32)));

// Unaligned 16-lane loads and stores as macros (see softmax.c: no 64-byte vector crosses a function boundary).
#define pk_load16(p)                                                                                                  \
    ({                                                                                                                \
        pk_f16 v_;                                                                                                    \
        memcpy(&v_, (p), sizeof v_);                                                                                  \
        v_;                                                                                                           \
    })
#define pk_load32(p)                                                                                                  \
    ({                                                                                                                \
        pk_f32 v_;                                                                                                    \
        memcpy(&v_, (p), sizeof v_);                                                                                  \
        v_;                                                                                                           \
    })
#define pk_store16(p, v)                                                                                              \
    do {                                                                                                              \
        pk_f16 t_ = (v);                                                                                              \
        memcpy((p), &t_, sizeof t_);                                                                                  \
    } while (0)
// Lanes of b where the mask (a vector comparison: all ones or zero per lane) is set, else of c.
#define pk_select(mask, b, c) ((pk_f16)(((mask) & (pk_i16)(b)) | (~(mask) & (pk_i16)(c))))

#endif
