import CPixelKernels

extension BlockedConv {
    /// A depthwise convolution's geometry (2-D) and its weight packed per channel block: tap-major,
    /// `[⌈C/16⌉][kh·kw][16]`, bias `[⌈C/16⌉·16]` (zero past `C`).
    struct Depthwise: @unchecked Sendable {
        let channels: Int, blocks: Int
        let kh: Int, kw: Int, sy: Int, sx: Int, dy: Int, dx: Int, padTop: Int, padLeft: Int
        let weights: [Float], bias: [Float]
        let bounds: (Float, Float)

        /// `w` is `[C, 1, kh, kw]` row-major; `bias` holds `C` values or is nil.
        init(
            channels: Int, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, kh: Int, kw: Int, stride: (Int, Int),
            dilation: (Int, Int), padTop: Int, padLeft: Int, bounds: (Float, Float)
        ) {
            self.channels = channels
            blocks = (channels + lanes - 1) / lanes
            self.kh = kh
            self.kw = kw
            (sy, sx) = stride
            (dy, dx) = dilation
            self.padTop = padTop
            self.padLeft = padLeft
            self.bounds = bounds
            let taps = kh * kw
            var packed = [Float](repeating: 0, count: blocks * taps * lanes)
            var b = [Float](repeating: 0, count: blocks * lanes)
            for ch in 0..<channels {
                let block = ch / lanes, l = ch % lanes
                for t in 0..<taps { packed[(block * taps + t) * lanes + l] = w[ch * taps + t] }
                b[ch] = bias?[ch] ?? 0
            }
            weights = packed
            self.bias = b
        }

        /// Runs over `n` images: `x` is `[blocks, n, ih, iw, 16]`, `out` is `[blocks, n, oh, ow, 16]`.
        ///
        /// Maps at most 32 wide are first copied into a zero-bordered plane (small, stays in L1), so every
        /// output position takes the register-blocked path (at 7×7 with a 5×5 kernel, only 3 of 7
        /// columns are clear of the border); the added taps multiply zeros.
        func run(
            _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, n: Int, ih: Int, iw: Int, oh: Int, ow: Int,
            settings: ExecutionSettings
        ) {
            let src = UncheckedSendable(x), dst = UncheckedSendable(out)
            let bordered = ow <= 32 && ow >= 4
            let ph = Swift.max((oh - 1) * sy + (kh - 1) * dy + 1, padTop + ih)
            let pw = Swift.max((ow - 1) * sx + (kw - 1) * dx + 1, padLeft + iw)
            let (padTop, padLeft, blocks, kh, kw) = (self.padTop, self.padLeft, self.blocks, self.kh, self.kw)
            let (sy, sx, dy, dx, lo, hi) = (self.sy, self.sx, self.dy, self.dx, bounds.0, bounds.1)
            // Each plane: the C kernel of the instruction set chosen at run time (conv.c), which keeps 8 (or 4)
            // positions' accumulators over the taps, bias first, fused multiply-adds in (row, column) order.
            let kernels = pixel_conv_active().pointee
            weights.withUnsafeBufferPointer { wb in
                bias.withUnsafeBufferPointer { bb in
                    let w = UncheckedSendable(wb.baseAddress!), b = UncheckedSendable(bb.baseAddress!)
                    settings.parallelChunks(n * blocks, minimumPerThread: 1) { range in
                        let scratch = bordered ? UnsafeMutablePointer<Float>.allocate(capacity: ph * pw * lanes) : nil
                        defer { scratch?.deallocate() }
                        scratch?.update(repeating: 0, count: ph * pw * lanes)
                        for t in range {
                            let block = t / n
                            let taps = w.value + block * kh * kw * lanes, bv = b.value + block * lanes
                            let input = src.value + t * ih * iw * lanes, output = dst.value + t * oh * ow * lanes
                            if let scratch {
                                for y in 0..<ih {
                                    (scratch + ((y + padTop) * pw + padLeft) * lanes).update(
                                        from: input + y * iw * lanes, count: iw * lanes)
                                }
                                kernels.depthwise_plane(
                                    scratch, output, taps, bv, ph, pw, oh, ow, 0, 0, kh, kw, sy, sx, dy, dx, lo, hi)
                            } else {
                                kernels.depthwise_plane(
                                    input, output, taps, bv, ih, iw, oh, ow, padTop, padLeft, kh, kw, sy, sx, dy, dx,
                                    lo, hi)
                            }
                        }
                    }
                }
            }
        }
    }
}
