import CPixelKernels

extension BlockedConv {
    /// A convolution with few input taps (`C·kh·kw ≤ 64`, `group == 1`: a CNN's stem) reading a plain NCHW
    /// input and writing the blocked layout: 12 output columns × 32 output channels per register block,
    /// the taps read from a zero-bordered copy of the image (no im2col matrix, no layout conversion after).
    struct Direct: @unchecked Sendable {
        static let maximumTaps = 64
        let inChannels: Int, outChannels: Int, panels: Int
        let kh: Int, kw: Int, sy: Int, sx: Int, dy: Int, dx: Int, padTop: Int, padLeft: Int
        let weights: [Float], bias: [Float]
        let bounds: (Float, Float)

        /// `w` is `[M, C, kh, kw]` row-major; `bias` holds `M` values or is nil.
        init(
            w: UnsafePointer<Float>, outChannels m: Int, inChannels c: Int, bias: UnsafePointer<Float>?, kh: Int,
            kw: Int,
            stride: (Int, Int), dilation: (Int, Int), padTop: Int, padLeft: Int, bounds: (Float, Float)
        ) {
            inChannels = c
            outChannels = m
            self.kh = kh
            self.kw = kw
            (sy, sx) = stride
            (dy, dx) = dilation
            self.padTop = padTop
            self.padLeft = padLeft
            self.bounds = bounds
            let width = PackedGemm.columnBlock, k = c * kh * kw
            panels = (m + width - 1) / width
            var packed = [Float](repeating: 0, count: Swift.max(panels * k * width, 1))
            var b = [Float](repeating: 0, count: panels * width)
            for r in 0..<m {
                for t in 0..<k { packed[((r / width) * k + t) * width + r % width] = w[r * k + t] }
                b[r] = bias?[r] ?? 0
            }
            weights = packed
            self.bias = b
        }

        /// `x` is `[n, C, ih, iw]`, `out` is `[⌈M/16⌉, n, oh, ow, 16]`; work items are (output row, panel).
        func run(
            _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, n: Int, ih: Int, iw: Int, oh: Int, ow: Int,
            settings: ExecutionSettings
        ) {
            let ph = Swift.max((oh - 1) * sy + (kh - 1) * dy + 1, padTop + ih)
            let pw = Swift.max((ow - 1) * sx + (kw - 1) * dx + 1, padLeft + iw)
            let c = inChannels, outBlocks = (outChannels + lanes - 1) / lanes, panels = self.panels
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: c * ph * pw)
            defer { padded.deallocate() }
            padded.update(repeating: 0, count: c * ph * pw)
            // Column tiles of 12 (the last one moved back to end at the last column), or 4 on narrow maps.
            let wide = ow >= 12, tileWidth = wide ? 12 : 4
            var starts: [Int] = []
            if ow >= 4 {
                var ox = 0
                while ox + tileWidth <= ow { starts.append(ox); ox += tileWidth }
                if ox < ow { starts.append(ow - tileWidth) }
            }
            let src = UncheckedSendable(UnsafePointer(padded)), dst = UncheckedSendable(out)
            // Step (ch, i, j) of a tile reads the bordered image at offsets[step] from the column's top-left tap;
            // columns are sx apart. The tiles are the C kernel of the instruction set chosen at run time
            // (conv.c): `out = clamp(Σ_steps x·w + bias)`, one fused multiply-add per step in (ch, i, j) order.
            var offsetList: [Int] = []
            for ch in 0..<c {
                for i in 0..<kh { for j in 0..<kw { offsetList.append((ch * ph + i * dy) * pw + j * dx) } }
            }
            let steps = offsetList.count, (lo, hi) = bounds, kernels = pixel_conv_active().pointee
            offsetList.withUnsafeBufferPointer { ob in
                let of = UncheckedSendable(ob.baseAddress!)
                weights.withUnsafeBufferPointer { wb in
                    bias.withUnsafeBufferPointer { bb in
                        let w = UncheckedSendable(wb.baseAddress!), b = UncheckedSendable(bb.baseAddress!)
                        for image in 0..<n {
                            for ch in 0..<c {
                                for y in 0..<ih {
                                    (padded + (ch * ph + y + padTop) * pw + padLeft).update(
                                        from: x + ((image * c + ch) * ih + y) * iw, count: iw)
                                }
                            }
                            settings.parallelChunks(oh * panels, minimumPerThread: 1) { range in
                                for item in range {
                                    let oy = item / panels, panel = item % panels
                                    let wp = UnsafePointer(w.value + panel * c * kh * kw * PackedGemm.columnBlock)
                                    let bp = UnsafePointer(b.value + panel * PackedGemm.columnBlock)
                                    let two = 2 * panel + 1 < outBlocks
                                    let rowOut = dst.value + ((2 * panel * n + image) * oh * ow + oy * ow) * lanes
                                    let plane = n * oh * ow * lanes
                                    for ox in starts {
                                        kernels.tile(
                                            tileWidth, two ? 1 : 0, steps, of.value, src.value + oy * sy * pw + ox * sx,
                                            sx,
                                            wp, bp, rowOut + ox * lanes, plane, nil, lo, hi)
                                    }
                                    if starts.isEmpty {
                                        // Maps under 4 columns: one column at a time.
                                        for ox in 0..<ow {
                                            kernels.tile(
                                                1, two ? 1 : 0, steps, of.value, src.value + oy * sy * pw + ox * sx, sx,
                                                wp,
                                                bp, rowOut + ox * lanes, plane, nil, lo, hi)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
