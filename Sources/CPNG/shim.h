#include <png.h>
/* PNG_IMAGE_SIZE is a macro Swift cannot import; this inline wrapper exposes it. */
static inline png_alloc_size_t pixelrec_png_image_size(const png_image *image) { return PNG_IMAGE_SIZE(*image); }
