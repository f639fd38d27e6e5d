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
            weights.withUnsafeBufferPointer { wb in
                bias.withUnsafeBufferPointer { bb in
                    let w = UncheckedSendable(wb.baseAddress!), b = UncheckedSendable(bb.baseAddress!)
                    settings.parallelChunks(n * blocks, minimumPerThread: 1) { range in
                        let scratch = bordered ? UnsafeMutablePointer<Float>.allocate(capacity: ph * pw * lanes) : nil
                        defer { scratch?.deallocate() }
                        scratch?.update(repeating: 0, count: ph * pw * lanes)
                        for t in range {
                            let block = t / n
                            let taps = w.value + block * kh * kw * lanes, bv = load(b.value + block * lanes)
                            let input = src.value + t * ih * iw * lanes, output = dst.value + t * oh * ow * lanes
                            if let scratch {
                                for y in 0..<ih {
                                    (scratch + ((y + padTop) * pw + padLeft) * lanes).update(
                                        from: input + y * iw * lanes, count: iw * lanes)
                                }
                                plane(
                                    scratch, output, taps: taps, bias: bv, ih: ph, iw: pw, oh: oh, ow: ow, padTop: 0,
                                    padLeft: 0)
                            } else {
                                plane(
                                    input, output, taps: taps, bias: bv, ih: ih, iw: iw, oh: oh, ow: ow, padTop: padTop,
                                    padLeft: padLeft)
                            }
                        }
                    }
                }
            }
        }

        /// One channel block of one image.
        @inline(__always)
        func plane(
            _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, taps: UnsafePointer<Float>, bias: V,
            ih: Int, iw: Int, oh: Int, ow: Int, padTop: Int, padLeft: Int
        ) {
            let lo = V(repeating: bounds.0), hi = V(repeating: bounds.1)
            // Output columns whose taps are all inside the row: ox·sx − padLeft ≥ 0 and
            // ox·sx − padLeft + (kw−1)·dx ≤ iw − 1.
            let xLo = Swift.min(ow, (padLeft + sx - 1) / sx)
            let last = iw - 1 + padLeft - (kw - 1) * dx
            let xHi = last < 0 ? xLo : Swift.max(xLo, Swift.min(ow, last / sx + 1))
            let (kh, kw, sx, dx, dy) = (self.kh, self.kw, self.sx, self.dx, self.dy)
            let rowStride = iw &* lanes, step = sx &* lanes, tapStep = dx &* lanes
            let unit = sx == 1 && dx == 1
            for oy in 0..<oh {
                let iy0 = oy &* sy &- padTop
                // Kernel rows inside the image: 0 ≤ iy0 + i·dy < ih.
                let iLo = iy0 >= 0 ? 0 : (-iy0 + dy - 1) / dy
                let iHi = iy0 > ih - 1 ? 0 : Swift.min(kh, (ih - 1 - iy0) / dy + 1)
                let line = out + oy &* ow &* lanes
                for ox in 0..<xLo {
                    single(
                        x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo,
                        iHi: iHi, iw: iw)
                }
                var ox = xLo
                // Eight interior positions at a time: eight independent accumulators per tap.
                while ox &+ 8 <= xHi {
                    var a0 = bias, a1 = bias, a2 = bias, a3 = bias, a4 = bias, a5 = bias, a6 = bias, a7 = bias
                    let ix0 = ox &* sx &- padLeft
                    var i = iLo
                    while i < iHi {
                        let offset: Int = (iy0 &+ i &* dy) &* rowStride &+ ix0 &* lanes
                        let row = x + offset
                        let tapRow = taps + i &* kw &* lanes
                        if unit {
                            // Stride and dilation 1: a sliding window, one new input vector per tap.
                            var x0 = load(row), x1 = load(row + lanes), x2 = load(row + 2 * lanes),
                                x3 = load(row + 3 * lanes)
                            var x4 = load(row + 4 * lanes), x5 = load(row + 5 * lanes), x6 = load(row + 6 * lanes)
                            for j in 0..<kw {
                                let t = load(tapRow + j &* lanes)
                                let x7 = load(row + (j &+ 7) &* lanes)
                                a0 = a0.addingProduct(t, x0)
                                a1 = a1.addingProduct(t, x1)
                                a2 = a2.addingProduct(t, x2)
                                a3 = a3.addingProduct(t, x3)
                                a4 = a4.addingProduct(t, x4)
                                a5 = a5.addingProduct(t, x5)
                                a6 = a6.addingProduct(t, x6)
                                a7 = a7.addingProduct(t, x7)
                                (x0, x1, x2, x3, x4, x5, x6) = (x1, x2, x3, x4, x5, x6, x7)
                            }
                        } else if sx == 2 && dx == 1 {
                            // Stride 2: tap j reads positions j, j+2, …, j+14; the even and the odd taps each
                            // slide their own window, one new input vector per tap.
                            var e0 = load(row), e1 = load(row + 2 * lanes), e2 = load(row + 4 * lanes),
                                e3 = load(row + 6 * lanes)
                            var e4 = load(row + 8 * lanes), e5 = load(row + 10 * lanes), e6 = load(row + 12 * lanes)
                            var o0 = load(row + lanes), o1 = load(row + 3 * lanes), o2 = load(row + 5 * lanes),
                                o3 = load(row + 7 * lanes)
                            var o4 = load(row + 9 * lanes), o5 = load(row + 11 * lanes), o6 = load(row + 13 * lanes)
                            var j = 0
                            while j < kw {
                                var t = load(tapRow + j &* lanes)
                                let e7 = load(row + (j &+ 14) &* lanes)
                                a0 = a0.addingProduct(t, e0)
                                a1 = a1.addingProduct(t, e1)
                                a2 = a2.addingProduct(t, e2)
                                a3 = a3.addingProduct(t, e3)
                                a4 = a4.addingProduct(t, e4)
                                a5 = a5.addingProduct(t, e5)
                                a6 = a6.addingProduct(t, e6)
                                a7 = a7.addingProduct(t, e7)
                                (e0, e1, e2, e3, e4, e5, e6) = (e1, e2, e3, e4, e5, e6, e7)
                                if j &+ 1 < kw {
                                    t = load(tapRow + (j &+ 1) &* lanes)
                                    let o7 = load(row + (j &+ 15) &* lanes)
                                    a0 = a0.addingProduct(t, o0)
                                    a1 = a1.addingProduct(t, o1)
                                    a2 = a2.addingProduct(t, o2)
                                    a3 = a3.addingProduct(t, o3)
                                    a4 = a4.addingProduct(t, o4)
                                    a5 = a5.addingProduct(t, o5)
                                    a6 = a6.addingProduct(t, o6)
                                    a7 = a7.addingProduct(t, o7)
                                    (o0, o1, o2, o3, o4, o5, o6) = (o1, o2, o3, o4, o5, o6, o7)
                                }
                                j &+= 2
                            }
                        } else {
                            for j in 0..<kw {
                                let t = load(tapRow + j &* lanes)
                                let p = row + j &* tapStep
                                a0 = a0.addingProduct(t, load(p))
                                a1 = a1.addingProduct(t, load(p + step))
                                a2 = a2.addingProduct(t, load(p + 2 &* step))
                                a3 = a3.addingProduct(t, load(p + 3 &* step))
                                a4 = a4.addingProduct(t, load(p + 4 &* step))
                                a5 = a5.addingProduct(t, load(p + 5 &* step))
                                a6 = a6.addingProduct(t, load(p + 6 &* step))
                                a7 = a7.addingProduct(t, load(p + 7 &* step))
                            }
                        }
                        i &+= 1
                    }
                    let o = line + ox &* lanes
                    store(clamp(a0, lo, hi), o)
                    store(clamp(a1, lo, hi), o + lanes)
                    store(clamp(a2, lo, hi), o + 2 * lanes)
                    store(clamp(a3, lo, hi), o + 3 * lanes)
                    store(clamp(a4, lo, hi), o + 4 * lanes)
                    store(clamp(a5, lo, hi), o + 5 * lanes)
                    store(clamp(a6, lo, hi), o + 6 * lanes)
                    store(clamp(a7, lo, hi), o + 7 * lanes)
                    ox &+= 8
                }
                while ox &+ 4 <= xHi {
                    quad(
                        x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo,
                        iHi: iHi, rowStride: rowStride)
                    ox &+= 4
                }
                // The last interior columns: one more group of four ending at xHi (overlapping outputs are
                // recomputed identically).
                if ox < xHi && xHi &- xLo >= 4 {
                    quad(
                        x, taps, bias, lo, hi, line + (xHi &- 4) &* lanes, ix0: (xHi &- 4) &* sx &- padLeft, iy0: iy0,
                        iLo: iLo, iHi: iHi,
                        rowStride: rowStride)
                    ox = xHi
                }
                for ox in ox..<xHi {
                    single(
                        x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo,
                        iHi: iHi, iw: iw)
                }
                for ox in xHi..<ow {
                    single(
                        x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo,
                        iHi: iHi, iw: iw)
                }
            }
        }

        /// One position, taps clipped to the image on both axes (`ix0`, `iy0`: its top-left tap).
        @inline(__always)
        func single(
            _ x: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ bias: V, _ lo: V, _ hi: V,
            _ out: UnsafeMutablePointer<Float>,
            ix0: Int, iy0: Int, iLo: Int, iHi: Int, iw: Int
        ) {
            let (kw, dx, dy) = (self.kw, self.dx, self.dy)
            let rowStride = iw &* lanes, tapStep = dx &* lanes
            let jLo = ix0 >= 0 ? 0 : (-ix0 + dx - 1) / dx
            let jHi = ix0 > iw - 1 ? 0 : Swift.min(kw, (iw - 1 - ix0) / dx + 1)
            var acc = bias
            var i = iLo
            while i < iHi {
                let offset: Int = (iy0 &+ i &* dy) &* rowStride &+ ix0 &* lanes
                let row = x + offset
                let tapRow = taps + i &* kw &* lanes
                var j = jLo
                while j < jHi {
                    acc = acc.addingProduct(load(tapRow + j &* lanes), load(row + j &* tapStep))
                    j &+= 1
                }
                i &+= 1
            }
            store(clamp(acc, lo, hi), out)
        }

        /// Four interior positions (all taps inside the row), four independent accumulators per tap.
        @inline(__always)
        func quad(
            _ x: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ bias: V, _ lo: V, _ hi: V,
            _ out: UnsafeMutablePointer<Float>,
            ix0: Int, iy0: Int, iLo: Int, iHi: Int, rowStride: Int
        ) {
            let (kw, dy) = (self.kw, self.dy)
            let step = sx &* lanes, tapStep = dx &* lanes
            var a0 = bias, a1 = bias, a2 = bias, a3 = bias
            var i = iLo
            while i < iHi {
                let offset: Int = (iy0 &+ i &* dy) &* rowStride &+ ix0 &* lanes
                let row = x + offset
                let tapRow = taps + i &* kw &* lanes
                if sx == 1 && dx == 1 {
                    // A sliding window: one new input vector per tap.
                    var x0 = load(row), x1 = load(row + lanes), x2 = load(row + 2 * lanes)
                    for j in 0..<kw {
                        let t = load(tapRow + j &* lanes)
                        let x3 = load(row + (j &+ 3) &* lanes)
                        a0 = a0.addingProduct(t, x0)
                        a1 = a1.addingProduct(t, x1)
                        a2 = a2.addingProduct(t, x2)
                        a3 = a3.addingProduct(t, x3)
                        (x0, x1, x2) = (x1, x2, x3)
                    }
                } else {
                    for j in 0..<kw {
                        let t = load(tapRow + j &* lanes)
                        let p = row + j &* tapStep
                        a0 = a0.addingProduct(t, load(p))
                        a1 = a1.addingProduct(t, load(p + step))
                        a2 = a2.addingProduct(t, load(p + 2 &* step))
                        a3 = a3.addingProduct(t, load(p + 3 &* step))
                    }
                }
                i &+= 1
            }
            store(clamp(a0, lo, hi), out)
            store(clamp(a1, lo, hi), out + lanes)
            store(clamp(a2, lo, hi), out + 2 * lanes)
            store(clamp(a3, lo, hi), out + 3 * lanes)
        }
    }
}
