// PixelImage — filled in by its issue.
