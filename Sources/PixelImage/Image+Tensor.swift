extension Image {
    /// The `width × height` region whose top-left corner is `(x, y)`.
    /// - Throws: `ImageError.invalidArgument` when the region is empty or leaves the image.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) throws -> Image {
        guard x >= 0, y >= 0, cropWidth > 0, cropHeight > 0, x + cropWidth <= width, y + cropHeight <= height else {
            throw ImageError.invalidArgument(
                "crop \(cropWidth)x\(cropHeight)+\(x)+\(y) does not fit in a \(width)x\(height) image")
        }
        var out = [UInt8](repeating: 0, count: cropWidth * cropHeight * 3)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for row in 0..<cropHeight {
                    let s = ((y + row) * width + x) * 3
                    let d = row * cropWidth * 3
                    for k in 0..<(cropWidth * 3) { target[d + k] = source[s + k] }
                }
            }
        }
        return try Image(width: cropWidth, height: cropHeight, pixels: out)
    }

    /// The centred `width × height` region (clamped to the image size).
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) -> Image {
        let w = min(max(1, cropWidth), width), h = min(max(1, cropHeight), height)
        return (try? cropped(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)) ?? self
    }

    /// Scaled so that the shorter edge is `edge` (aspect ratio kept) — the usual first step before a
    /// centre crop for CNN/ViT encoders.
    public func resized(shorterEdge edge: Int) -> Image {
        let shorter = min(width, height)
        guard edge > 0, shorter != edge else { return self }
        let scale = Double(edge) / Double(shorter)
        return resized(
            width: max(1, Int((Double(width) * scale).rounded())),
            height: max(1, Int((Double(height) * scale).rounded())))
    }

    /// Channel-planar (`CHW`, shape `[3, height, width]`) floats, `(byte / 255 − mean[c]) / std[c]`.
    ///
    /// ImageNet statistics are `mean = (0.485, 0.456, 0.406)`, `std = (0.229, 0.224, 0.225)`.
    public func planarFloats(
        mean: (Float, Float, Float) = (0, 0, 0), std: (Float, Float, Float) = (1, 1, 1)
    ) -> [Float] {
        let plane = width * height
        var out = [Float](repeating: 0, count: plane * 3)
        let scale = (1 / (255 * std.0), 1 / (255 * std.1), 1 / (255 * std.2))
        let shift = (mean.0 / std.0, mean.1 / std.1, mean.2 / std.2)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for p in 0..<plane {
                    target[p] = Float(source[3 * p]) * scale.0 - shift.0
                    target[plane + p] = Float(source[3 * p + 1]) * scale.1 - shift.1
                    target[2 * plane + p] = Float(source[3 * p + 2]) * scale.2 - shift.2
                }
            }
        }
        return out
    }
}
