extension Image {
    /// The image scaled so that its longest edge is at most `longestEdge`, keeping the aspect ratio.
    /// Returns `self` when it is already small enough.
    public func downscaled(longestEdge: Int) -> Image {
        guard longestEdge > 0, self.longestEdge > longestEdge else { return self }
        let scale = Double(longestEdge) / Double(self.longestEdge)
        let newWidth = max(1, Int((Double(width) * scale).rounded()))
        let newHeight = max(1, Int((Double(height) * scale).rounded()))
        return resized(width: newWidth, height: newHeight)
    }

    /// The image resampled to `width × height`.
    ///
    /// Separable: each axis uses area averaging (box filter with fractional coverage: output pixel `o`
    /// averages source interval `[o·s, (o+1)·s)`, `s = in/out`) when shrinking, and linear interpolation at
    /// pixel centres (`x = (o + 0.5)·s − 0.5`) when enlarging.
    public func resized(width newWidth: Int, height newHeight: Int) -> Image {
        let outWidth = max(1, newWidth), outHeight = max(1, newHeight)
        if outWidth == width && outHeight == height { return self }
        let horizontal = Image.weights(from: width, to: outWidth)
        let vertical = Image.weights(from: height, to: outHeight)
        // Horizontal pass into Float rows, then vertical pass to bytes.
        var middle = [Float](repeating: 0, count: outWidth * height * 3)
        pixels.withUnsafeBufferPointer { source in
            middle.withUnsafeMutableBufferPointer { mid in
                for y in 0..<height {
                    let row = y * width * 3
                    for x in 0..<outWidth {
                        var r: Float = 0, g: Float = 0, b: Float = 0
                        for (index, weight) in horizontal[x] {
                            let s = row + index * 3
                            r += weight * Float(source[s])
                            g += weight * Float(source[s + 1])
                            b += weight * Float(source[s + 2])
                        }
                        let d = (y * outWidth + x) * 3
                        mid[d] = r
                        mid[d + 1] = g
                        mid[d + 2] = b
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: outWidth * outHeight * 3)
        middle.withUnsafeBufferPointer { mid in
            out.withUnsafeMutableBufferPointer { result in
                let rowLength = outWidth * 3
                var accumulator = [Float](repeating: 0, count: rowLength)
                for y in 0..<outHeight {
                    for c in 0..<rowLength { accumulator[c] = 0 }
                    for (index, weight) in vertical[y] {
                        let s = index * rowLength
                        for c in 0..<rowLength { accumulator[c] += weight * mid[s + c] }
                    }
                    let d = y * rowLength
                    for c in 0..<rowLength { result[d + c] = UInt8(max(0, min(255, accumulator[c].rounded()))) }
                }
            }
        }
        return (try? Image(width: outWidth, height: outHeight, pixels: out)) ?? self
    }

    /// For each output coordinate, the contributing input indices and their weights (summing to 1).
    static func weights(from input: Int, to output: Int) -> [[(Int, Float)]] {
        let scale = Double(input) / Double(output)
        var result: [[(Int, Float)]] = []
        result.reserveCapacity(output)
        for o in 0..<output {
            var list: [(Int, Float)] = []
            if scale > 1 {
                let start = Double(o) * scale, end = Double(o + 1) * scale
                var index = Int(start)
                while Double(index) < end && index < input {
                    let coverage = min(end, Double(index + 1)) - max(start, Double(index))
                    if coverage > 0 { list.append((index, Float(coverage / scale))) }
                    index += 1
                }
            } else {
                let x = max(0, min(Double(input - 1), (Double(o) + 0.5) * scale - 0.5))
                let left = Int(x)
                let fraction = x - Double(left)
                if left + 1 < input && fraction > 0 {
                    list = [(left, Float(1 - fraction)), (left + 1, Float(fraction))]
                } else {
                    list = [(left, 1)]
                }
            }
            result.append(list)
        }
        return result
    }
}
