// PixelTensor — filled in by its issue.
