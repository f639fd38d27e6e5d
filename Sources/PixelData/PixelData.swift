// PixelData — filled in by its issue.
