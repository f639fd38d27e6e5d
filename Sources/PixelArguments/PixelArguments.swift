// PixelArguments — filled in by its issue.
