#include <cblas.h>

/* A software prefetch hint (PixelTensor `Prefetch`): starts moving the cache line holding `p` towards the
   core; no architectural effect, so results never depend on it. */
static inline void pixelrec_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }
