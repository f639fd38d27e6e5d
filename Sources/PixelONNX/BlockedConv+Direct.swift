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
                                    let xp = src.value + oy * sy * pw + ox * sx
                                    switch (wide, two, sx) {
                                    case (true, true, 1):
                                        tile(
                                            xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: 1,
                                            Tile12x32.self)
                                    case (true, true, 2):
                                        tile(
                                            xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: 2,
                                            Tile12x32.self)
                                    case (true, true, _):
                                        tile(
                                            xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx,
                                            Tile12x32.self)
                                    case (true, false, _):
                                        tile(
                                            xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx,
                                            Tile12x16.self)
                                    case (false, true, _):
                                        tile(
                                            xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx,
                                            Tile4x32.self)
                                    case (false, false, _):
                                        tile(
                                            xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx,
                                            Tile4x16.self)
                                    }
                                }
                                if starts.isEmpty {
                                    // Maps under 4 columns: one column at a time through a scalar loop.
                                    for ox in 0..<ow {
                                        narrow(
                                            src.value + oy * sy * pw + ox * sx, wp, bp, rowOut + ox * lanes, plane,
                                            ph: ph, pw: pw, two: two)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// One output column, 32 (or 16) channels, taps in the same order as the register block.
        func narrow(
            _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
            _ out: UnsafeMutablePointer<Float>,
            _ plane: Int, ph: Int, pw: Int, two: Bool
        ) {
            var a0 = V(), a1 = V()
            var bp = w
            for ch in 0..<inChannels {
                for i in 0..<kh {
                    let row = x + (ch * ph + i * dy) * pw
                    for j in 0..<kw {
                        let s = V(repeating: row[j * dx])
                        a0 = a0.addingProduct(s, load(bp))
                        a1 = a1.addingProduct(s, load(bp + lanes))
                        bp += PackedGemm.columnBlock
                    }
                }
            }
            let lo = V(repeating: bounds.0), hi = V(repeating: bounds.1)
            store(clamp(a0 + load(bias), lo, hi), out)
            if two { store(clamp(a1 + load(bias + lanes), lo, hi), out + plane) }
        }

        /// 12 (or 4) output columns × 32 (or 16) channels: `x` points at the first column's top-left tap in
        /// channel 0 of the bordered image, `out` at the first column in the panel's first output block
        /// (the second block `plane` floats further).
        @inline(__always)
        func tile<S: TileShape>(
            _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
            _ out: UnsafeMutablePointer<Float>,
            _ plane: Int, ph: Int, pw: Int, sx: Int, _: S.Type
        ) {
            let twelve = S.twelve, two = S.two
            var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
            var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
            var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
            var bp = w
            for ch in 0..<inChannels {
                for i in 0..<kh {
                    let row = x + (ch &* ph &+ i &* dy) &* pw
                    for j in 0..<kw {
                        let ap = row + j &* dx
                        let b0 = load(bp), b1 = two ? load(bp + lanes) : V()
                        var s = V(repeating: ap[0]); c00 = c00.addingProduct(s, b0);
                        if two { c01 = c01.addingProduct(s, b1) }
                        s = V(repeating: ap[sx]); c10 = c10.addingProduct(s, b0);
                        if two { c11 = c11.addingProduct(s, b1) }
                        s = V(repeating: ap[2 &* sx]); c20 = c20.addingProduct(s, b0);
                        if two { c21 = c21.addingProduct(s, b1) }
                        s = V(repeating: ap[3 &* sx]); c30 = c30.addingProduct(s, b0);
                        if two { c31 = c31.addingProduct(s, b1) }
                        if twelve {
                            s = V(repeating: ap[4 &* sx]); c40 = c40.addingProduct(s, b0);
                            if two { c41 = c41.addingProduct(s, b1) }
                            s = V(repeating: ap[5 &* sx]); c50 = c50.addingProduct(s, b0);
                            if two { c51 = c51.addingProduct(s, b1) }
                            s = V(repeating: ap[6 &* sx]); c60 = c60.addingProduct(s, b0);
                            if two { c61 = c61.addingProduct(s, b1) }
                            s = V(repeating: ap[7 &* sx]); c70 = c70.addingProduct(s, b0);
                            if two { c71 = c71.addingProduct(s, b1) }
                            s = V(repeating: ap[8 &* sx]); c80 = c80.addingProduct(s, b0);
                            if two { c81 = c81.addingProduct(s, b1) }
                            s = V(repeating: ap[9 &* sx]); c90 = c90.addingProduct(s, b0);
                            if two { c91 = c91.addingProduct(s, b1) }
                            s = V(repeating: ap[10 &* sx]); ca0 = ca0.addingProduct(s, b0);
                            if two { ca1 = ca1.addingProduct(s, b1) }
                            s = V(repeating: ap[11 &* sx]); cb0 = cb0.addingProduct(s, b0);
                            if two { cb1 = cb1.addingProduct(s, b1) }
                        }
                        bp += PackedGemm.columnBlock
                    }
                }
            }
            let lo = V(repeating: bounds.0), hi = V(repeating: bounds.1)
            let bias0 = load(bias), bias1 = two ? load(bias + lanes) : V()
            let second = out + plane
            // Written out per accumulator: a helper taking the vectors was not inlined (measured).
            var v: V
            v = clamp(c00 + bias0, lo, hi); store(v, out)
            if two { v = clamp(c01 + bias1, lo, hi); store(v, second) }
            v = clamp(c10 + bias0, lo, hi); store(v, out + 16)
            if two { v = clamp(c11 + bias1, lo, hi); store(v, second + 16) }
            v = clamp(c20 + bias0, lo, hi); store(v, out + 32)
            if two { v = clamp(c21 + bias1, lo, hi); store(v, second + 32) }
            v = clamp(c30 + bias0, lo, hi); store(v, out + 48)
            if two { v = clamp(c31 + bias1, lo, hi); store(v, second + 48) }
            if twelve {
                v = clamp(c40 + bias0, lo, hi); store(v, out + 64)
                if two { v = clamp(c41 + bias1, lo, hi); store(v, second + 64) }
                v = clamp(c50 + bias0, lo, hi); store(v, out + 80)
                if two { v = clamp(c51 + bias1, lo, hi); store(v, second + 80) }
                v = clamp(c60 + bias0, lo, hi); store(v, out + 96)
                if two { v = clamp(c61 + bias1, lo, hi); store(v, second + 96) }
                v = clamp(c70 + bias0, lo, hi); store(v, out + 112)
                if two { v = clamp(c71 + bias1, lo, hi); store(v, second + 112) }
                v = clamp(c80 + bias0, lo, hi); store(v, out + 128)
                if two { v = clamp(c81 + bias1, lo, hi); store(v, second + 128) }
                v = clamp(c90 + bias0, lo, hi); store(v, out + 144)
                if two { v = clamp(c91 + bias1, lo, hi); store(v, second + 144) }
                v = clamp(ca0 + bias0, lo, hi); store(v, out + 160)
                if two { v = clamp(ca1 + bias1, lo, hi); store(v, second + 160) }
                v = clamp(cb0 + bias0, lo, hi); store(v, out + 176)
                if two { v = clamp(cb1 + bias1, lo, hi); store(v, second + 176) }
            }
        }
    }
}
