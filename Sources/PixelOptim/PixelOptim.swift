// PixelOptim — filled in by its issue.
