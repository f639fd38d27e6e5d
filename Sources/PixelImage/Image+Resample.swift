/// Resampling filters with Pillow's definitions (`libImaging/Resample.c`).
public enum ResampleFilter: String, Sendable, CaseIterable {
    /// Triangle, support 1 (`PIL.Image.BILINEAR`, HF `resample=2`).
    case bilinear
    /// Keys cubic with `a = −0.5`, support 2 (`PIL.Image.BICUBIC`, HF `resample=3`; CLIP's filter).
    case bicubic
    /// Pillow's `BOX`, support 0.5 (area average when shrinking).
    case box

    /// Half-width of the kernel at scale 1.
    var support: Double {
        switch self {
        case .bilinear: return 1
        case .bicubic: return 2
        case .box: return 0.5
        }
    }

    @inline(__always)
    func weight(_ x: Double) -> Double {
        switch self {
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let t = abs(x)
            return t < 1 ? 1 - t : 0
        case .bicubic:
            let a = -0.5, t = abs(x)
            if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
            if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
            return 0
        }
    }
}

/// Fixed-point filter taps for one axis, as Pillow precomputes them: output `o` reads input
/// `first[o] ..< first[o] + count[o]` with weights `taps[o * stride ...]` scaled by `2^22`.
struct ResampleTaps {
    static let precisionBits: Int32 = 22
    let first: [Int32]
    let count: [Int32]
    let stride: Int
    let taps: [Int32]

    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc`: `scale = in/out`, the kernel widened by
    /// `max(scale, 1)` (antialiasing when shrinking), centre `(o + 0.5)·scale`, weights normalised to sum
    /// 1 and rounded half away from zero to 22 fractional bits.
    init(input: Int, output: Int, filter: ResampleFilter, range: Range<Int>? = nil) {
        let outputs = range ?? 0..<output
        let scale = Double(input) / Double(output)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        var first = [Int32](repeating: 0, count: outputs.count)
        var count = [Int32](repeating: 0, count: outputs.count)
        var taps = [Int32](repeating: 0, count: outputs.count * stride)
        var weights = [Double](repeating: 0, count: stride)
        let inverse = 1 / filterScale
        for (slot, o) in outputs.enumerated() {
            let center = (Double(o) + 0.5) * scale
            var lo = Int(center - support + 0.5)
            if lo < 0 { lo = 0 }
            var hi = Int(center + support + 0.5)
            if hi > input { hi = input }
            let n = min(max(hi - lo, 0), stride)
            var total = 0.0
            for k in 0..<n {
                let w = filter.weight((Double(k + lo) - center + 0.5) * inverse)
                weights[k] = w
                total += w
            }
            for k in 0..<n {
                let w = total != 0 ? weights[k] / total : 0
                let scaled = w * Double(1 << Self.precisionBits)
                taps[slot * stride + k] = Int32(scaled < 0 ? scaled - 0.5 : scaled + 0.5)
            }
            first[slot] = Int32(lo)
            count[slot] = Int32(n)
        }
        self.first = first
        self.count = count
        self.stride = stride
        self.taps = taps
    }
}

extension Image {
    /// The image resampled to `width × height` exactly as Pillow's `Image.resize(…, resample)` does
    /// (`ImagingResample`): separable, horizontal pass then vertical, kernel support scaled by the
    /// downscale factor (antialias), 22-bit fixed-point weights, each pass rounded and clamped to 8 bits.
    ///
    /// Bit-identical to Pillow for the same decoded pixels. Cost `O(w·h·taps)`; no per-pixel allocation.
    public func resampled(width newWidth: Int, height newHeight: Int, filter: ResampleFilter) -> Image {
        let outWidth = max(1, newWidth), outHeight = max(1, newHeight)
        if outWidth == width && outHeight == height { return self }
        return resampled(width: outWidth, height: outHeight, filter: filter, window: (0, 0, outWidth, outHeight))
    }

    /// The `window` (`x, y, width, height`, in output pixels) of the image resampled to
    /// `width × height` — identical to resampling then cropping, but only the window is computed (and
    /// only the input rows it needs are filtered horizontally).
    ///
    /// A window that leaves the output is clamped to it.
    public func resampled(
        width newWidth: Int, height newHeight: Int, filter: ResampleFilter,
        window: (x: Int, y: Int, width: Int, height: Int)
    ) -> Image {
        let outWidth = max(1, newWidth), outHeight = max(1, newHeight)
        let x0 = min(max(0, window.x), outWidth - 1), y0 = min(max(0, window.y), outHeight - 1)
        let columns = x0..<min(outWidth, x0 + max(1, window.width))
        let rows = y0..<min(outHeight, y0 + max(1, window.height))
        let horizontal =
            outWidth == width ? nil : ResampleTaps(input: width, output: outWidth, filter: filter, range: columns)
        let vertical =
            outHeight == height ? nil : ResampleTaps(input: height, output: outHeight, filter: filter, range: rows)
        // Input rows the vertical pass reads.
        var rowRange = rows
        if let vertical {
            var lo = Int.max, hi = 0
            for k in 0..<vertical.first.count {
                lo = min(lo, Int(vertical.first[k]))
                hi = max(hi, Int(vertical.first[k] + vertical.count[k]))
            }
            rowRange = min(lo, hi)..<max(lo, hi)
        }
        let middle: Image
        if let horizontal {
            middle = filteredHorizontally(rows: rowRange, taps: horizontal, outWidth: columns.count)
        } else {
            middle =
                (try? cropped(
                    x: columns.lowerBound, y: rowRange.lowerBound, width: columns.count, height: rowRange.count))
                ?? self
        }
        guard let vertical else { return middle }
        return middle.filteredVertically(taps: vertical, rowOffset: rowRange.lowerBound)
    }

    /// Scaled so that the shorter edge is `edge` with the longer edge `Int(edge · long / short)`
    /// (truncated, as torchvision and Hugging Face image processors compute it), using `filter`.
    public func resampled(shorterEdge edge: Int, filter: ResampleFilter) -> Image {
        let target = max(1, edge)
        if width <= height {
            return resampled(
                width: target, height: max(1, Int(Double(target) * Double(height) / Double(width))), filter: filter)
        }
        return resampled(
            width: max(1, Int(Double(target) * Double(width) / Double(height))), height: target, filter: filter)
    }

    /// The centred `width × height` region with offsets `(w − cw) / 2`, `(h − ch) / 2` rounded down
    /// (Hugging Face `center_crop`); regions larger than the image are zero-padded around it.
    public func centerCroppedOrPadded(width cropWidth: Int, height cropHeight: Int) -> Image {
        let cw = max(1, cropWidth), ch = max(1, cropHeight)
        if cw == width && ch == height { return self }
        var out = [UInt8](repeating: 0, count: cw * ch * 3)
        let left = (width - cw) >> 1
        let top = (height - ch) >> 1
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<ch {
                    let sy = y + top
                    if sy < 0 || sy >= height { continue }
                    let x0 = max(0, -left), x1 = min(cw, width - left)
                    if x1 <= x0 { continue }
                    let s = (sy * width + left + x0) * 3
                    let d = (y * cw + x0) * 3
                    for k in 0..<((x1 - x0) * 3) { target[d + k] = source[s + k] }
                }
            }
        }
        return (try? Image(width: cw, height: ch, pixels: out)) ?? self
    }

    /// Horizontal pass over input `rows`: an image `outWidth × rows.count`.
    private func filteredHorizontally(rows: Range<Int>, taps: ResampleTaps, outWidth: Int) -> Image {
        var out = [UInt8](repeating: 0, count: outWidth * rows.count * 3)
        let rounding: Int32 = 1 << (ResampleTaps.precisionBits - 1)
        let stride = taps.stride
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                taps.taps.withUnsafeBufferPointer { k in
                    taps.first.withUnsafeBufferPointer { first in
                        taps.count.withUnsafeBufferPointer { count in
                            for (slot, y) in rows.enumerated() {
                                let row = y * width * 3
                                let outRow = slot * outWidth * 3
                                for x in 0..<outWidth {
                                    var r = rounding, g = rounding, b = rounding
                                    let base = x * stride
                                    var s = row + Int(first[x]) * 3
                                    for j in 0..<Int(count[x]) {
                                        let w = k[base + j]
                                        r &+= Int32(source[s]) &* w
                                        g &+= Int32(source[s + 1]) &* w
                                        b &+= Int32(source[s + 2]) &* w
                                        s += 3
                                    }
                                    let d = outRow + x * 3
                                    target[d] = Self.clip8(r)
                                    target[d + 1] = Self.clip8(g)
                                    target[d + 2] = Self.clip8(b)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (try? Image(width: outWidth, height: rows.count, pixels: out)) ?? self
    }

    /// Vertical pass: output row `k` reads rows `taps.first[k] − rowOffset …` of `self`.
    private func filteredVertically(taps: ResampleTaps, rowOffset: Int) -> Image {
        let rowLength = width * 3
        let outHeight = taps.first.count
        var out = [UInt8](repeating: 0, count: rowLength * outHeight)
        var accumulator = [Int32](repeating: 0, count: rowLength)
        let rounding: Int32 = 1 << (ResampleTaps.precisionBits - 1)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    for y in 0..<outHeight {
                        for i in 0..<rowLength { acc[i] = rounding }
                        let base = y * taps.stride
                        for j in 0..<Int(taps.count[y]) {
                            let w = taps.taps[base + j]
                            let s = (Int(taps.first[y]) - rowOffset + j) * rowLength
                            for i in 0..<rowLength { acc[i] &+= Int32(source[s + i]) &* w }
                        }
                        let d = y * rowLength
                        for i in 0..<rowLength { target[d + i] = Self.clip8(acc[i]) }
                    }
                }
            }
        }
        return (try? Image(width: width, height: outHeight, pixels: out)) ?? self
    }

    @inline(__always)
    static func clip8(_ value: Int32) -> UInt8 {
        let shifted = value >> ResampleTaps.precisionBits
        return shifted <= 0 ? 0 : (shifted >= 255 ? 255 : UInt8(truncatingIfNeeded: shifted))
    }
}
