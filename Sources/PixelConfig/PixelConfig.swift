// PixelConfig — filled in by its issue.
