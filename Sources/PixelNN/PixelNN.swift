// PixelNN — filled in by its issue.
