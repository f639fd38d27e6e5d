/// Convolutions over channel-blocked activations ("NCHW16c"): a 4-D tensor `[N, C, H, W]` is stored as
/// `[⌈C/16⌉, N, H, W, 16]`, so the 16 channels of one block at one position are one vector (channels past
/// `C` in the last block are zero). This is onnxruntime's NCHWc layout with AVX-512 blocks, except that the
/// channel block is outermost: for one block, the positions of all images are contiguous, so a 1×1
/// convolution over a batch is one product over `N·H·W` positions (no partial tile per image).
///
/// - Depthwise convolutions run with the vector across channels: every lane does useful work whatever the
///   map size (a 7×7 map wastes 9 of 16 lanes when the vector runs along a row), each tap is one weight
///   vector, and strides and padding need no gathers or padded copies.
/// - 1×1 convolutions are a product `out[positions × M] = x[positions × C] · Wᵀ` in ``PackedGemm``'s
///   12×32 register block (12 positions × 32 output channels), with the per-channel bias, the clamp and
///   optionally a residual (an `Add` that followed the convolution) applied before the store.
///
/// ``GraphFusion/blockChannels(_:constants:shapes:graphOutputs:)`` chooses where the layout is used and
/// inserts the conversions.
enum BlockedConv {
    typealias V = SIMD16<Float>
    static let lanes = 16

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self) }
    @inline(__always)
    static func clamp(_ v: V, _ lo: V, _ hi: V) -> V { v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi) }

    /// A register block's shape as a type, so each generic specialization has constant branches:
    /// 12 or 4 positions × 32 or 16 output channels.
    protocol TileShape {
        static var twelve: Bool { get }
        static var two: Bool { get }
    }
    enum Tile12x32: TileShape { static let twelve = true, two = true }
    enum Tile12x16: TileShape { static let twelve = true, two = false }
    enum Tile4x32: TileShape { static let twelve = false, two = true }
    enum Tile4x16: TileShape { static let twelve = false, two = false }

    /// `[N, C, H, W]` → `[⌈C/16⌉, N, H, W, 16]`.
    static func blockedShape(_ shape: [Int]) -> [Int] { [(shape[1] + lanes - 1) / lanes, shape[0], shape[2], shape[3], lanes] }

    // MARK: layout conversions

    /// NCHW → NCHW16c (`hw` positions per channel plane; the channels past `c` in the last block are zero).
    static func toBlocked(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int,
                          settings: ExecutionSettings) {
        let blocks = (c + lanes - 1) / lanes
        let src = UncheckedSendable(x), dst = UncheckedSendable(y)
        settings.parallelChunks(n * blocks, minimumPerThread: 1) { range in
            for t in range {
                let image = t / blocks, block = t % blocks
                let c0 = block * lanes, width = Swift.min(lanes, c - c0)
                let out = dst.value + (block * n + image) * hw * lanes
                if width < lanes { out.update(repeating: 0, count: hw * lanes) }
                let planes = src.value + (image * c + c0) * hw
                // 64 positions at a time: the 16 planes' rows and the output tile stay in L1.
                var p0 = 0
                while p0 < hw {
                    let p1 = Swift.min(hw, p0 + 64)
                    for l in 0..<width {
                        let plane = planes + l * hw
                        for p in p0..<p1 { out[p &* lanes &+ l] = plane[p] }
                    }
                    p0 = p1
                }
            }
        }
    }

    /// NCHW16c → NCHW (the first `c` channels).
    static func fromBlocked(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, n: Int, c: Int, hw: Int,
                            settings: ExecutionSettings) {
        let blocks = (c + lanes - 1) / lanes
        let src = UncheckedSendable(x), dst = UncheckedSendable(y)
        settings.parallelChunks(n * blocks, minimumPerThread: 1) { range in
            for t in range {
                let image = t / blocks, block = t % blocks
                let c0 = block * lanes, width = Swift.min(lanes, c - c0)
                let input = src.value + (block * n + image) * hw * lanes
                let planes = dst.value + (image * c + c0) * hw
                var p0 = 0
                while p0 < hw {
                    let p1 = Swift.min(hw, p0 + 64)
                    for l in 0..<width {
                        let plane = planes + l * hw
                        for p in p0..<p1 { plane[p] = input[p &* lanes &+ l] }
                    }
                    p0 = p1
                }
            }
        }
    }

    // MARK: depthwise

    /// A depthwise convolution's geometry (2-D) and its weight packed per channel block: tap-major,
    /// `[⌈C/16⌉][kh·kw][16]`, bias `[⌈C/16⌉·16]` (zero past `C`).
    struct Depthwise: @unchecked Sendable {
        let channels: Int, blocks: Int
        let kh: Int, kw: Int, sy: Int, sx: Int, dy: Int, dx: Int, padTop: Int, padLeft: Int
        let weights: [Float], bias: [Float]
        let bounds: (Float, Float)

        /// `w` is `[C, 1, kh, kw]` row-major; `bias` holds `C` values or is nil.
        init(channels: Int, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, kh: Int, kw: Int, stride: (Int, Int),
             dilation: (Int, Int), padTop: Int, padLeft: Int, bounds: (Float, Float)) {
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
        func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, n: Int, ih: Int, iw: Int, oh: Int, ow: Int,
                 settings: ExecutionSettings) {
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
                                    (scratch + ((y + padTop) * pw + padLeft) * lanes).update(from: input + y * iw * lanes, count: iw * lanes)
                                }
                                plane(scratch, output, taps: taps, bias: bv, ih: ph, iw: pw, oh: oh, ow: ow, padTop: 0, padLeft: 0)
                            } else {
                                plane(input, output, taps: taps, bias: bv, ih: ih, iw: iw, oh: oh, ow: ow, padTop: padTop, padLeft: padLeft)
                            }
                        }
                    }
                }
            }
        }

        /// One channel block of one image.
        @inline(__always)
        func plane(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, taps: UnsafePointer<Float>, bias: V,
                   ih: Int, iw: Int, oh: Int, ow: Int, padTop: Int, padLeft: Int) {
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
                for ox in 0..<xLo { single(x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo, iHi: iHi, iw: iw) }
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
                            var x0 = load(row), x1 = load(row + lanes), x2 = load(row + 2 * lanes), x3 = load(row + 3 * lanes)
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
                            var e0 = load(row), e1 = load(row + 2 * lanes), e2 = load(row + 4 * lanes), e3 = load(row + 6 * lanes)
                            var e4 = load(row + 8 * lanes), e5 = load(row + 10 * lanes), e6 = load(row + 12 * lanes)
                            var o0 = load(row + lanes), o1 = load(row + 3 * lanes), o2 = load(row + 5 * lanes), o3 = load(row + 7 * lanes)
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
                    quad(x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo, iHi: iHi, rowStride: rowStride)
                    ox &+= 4
                }
                // The last interior columns: one more group of four ending at xHi (overlapping outputs are
                // recomputed identically).
                if ox < xHi && xHi &- xLo >= 4 {
                    quad(x, taps, bias, lo, hi, line + (xHi &- 4) &* lanes, ix0: (xHi &- 4) &* sx &- padLeft, iy0: iy0, iLo: iLo, iHi: iHi,
                         rowStride: rowStride)
                    ox = xHi
                }
                for ox in ox..<xHi { single(x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo, iHi: iHi, iw: iw) }
                for ox in xHi..<ow { single(x, taps, bias, lo, hi, line + ox &* lanes, ix0: ox &* sx &- padLeft, iy0: iy0, iLo: iLo, iHi: iHi, iw: iw) }
            }
        }

        /// One position, taps clipped to the image on both axes (`ix0`, `iy0`: its top-left tap).
        @inline(__always)
        func single(_ x: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ bias: V, _ lo: V, _ hi: V, _ out: UnsafeMutablePointer<Float>,
                    ix0: Int, iy0: Int, iLo: Int, iHi: Int, iw: Int) {
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
        func quad(_ x: UnsafePointer<Float>, _ taps: UnsafePointer<Float>, _ bias: V, _ lo: V, _ hi: V, _ out: UnsafeMutablePointer<Float>,
                  ix0: Int, iy0: Int, iLo: Int, iHi: Int, rowStride: Int) {
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

    // MARK: pointwise

    /// A 1×1 convolution's weight `[M, C]` packed as `⌈M/32⌉` panels of `C × 32` (columns past `M` zero),
    /// the bias padded to the panels, and the fused clamp.
    struct Pointwise: @unchecked Sendable {
        let inChannels: Int, outChannels: Int, panels: Int
        let weights: [Float], bias: [Float]
        let bounds: (Float, Float)

        init(w: UnsafePointer<Float>, outChannels m: Int, inChannels c: Int, bias: UnsafePointer<Float>?, bounds: (Float, Float)) {
            inChannels = c
            outChannels = m
            panels = (m + PackedGemm.columnBlock - 1) / PackedGemm.columnBlock
            let width = PackedGemm.columnBlock
            var packed = [Float](repeating: 0, count: Swift.max(panels * c * width, 1))
            var b = [Float](repeating: 0, count: panels * width)
            for r in 0..<m {
                let panel = r / width, col = r % width
                for k in 0..<c { packed[(panel * c + k) * width + col] = w[r * c + k] }
                b[r] = bias?[r] ?? 0
            }
            weights = packed
            self.bias = b
            self.bounds = bounds
        }

        /// `out = clamp(W·x + bias) (+ residual)` over `positions` positions: `x` is `[⌈C/16⌉, positions, 16]`,
        /// `out` and `residual` are `[⌈M/16⌉, positions, 16]` (a batch in the blocked layout: `N·H·W` positions).
        ///
        /// The positions are cut into tiles of 12 (the last ones 4 at a time, the final tile moved back to
        /// end at the last position, overlapping its neighbour in the same work item: recomputed outputs are
        /// identical), read in place: position `q` of a tile is at a constant offset `16·q` in every channel
        /// block, so the 12 broadcasts need no packing. Work items are (8 tiles, one 32-channel panel), so
        /// a small map still splits across threads by output channels.
        func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?,
                 positions: Int, settings: ExecutionSettings) {
            let n = 1, hw = positions
            if hw < 4 {
                runPacked(x, out, residual: residual, n: n, hw: hw, settings: settings)
                return
            }
            // Tile starts: 12-position tiles, then 4-position ones (negative = 4 wide).
            var starts: [Int] = []
            var p = 0
            while p + 12 <= hw { starts.append(p); p += 12 }
            while p < hw {
                starts.append(-(Swift.min(p, hw - 4) + 1))
                p += 4
            }
            let perImage = starts.count, tiles = n * perImage
            let tilesPerGroup = 8
            var groups = (tiles + tilesPerGroup - 1) / tilesPerGroup
            // The last tile may be moved back over its neighbour: keep the two in one work item, so no two
            // threads write the same outputs.
            if groups > 1 && tiles % tilesPerGroup == 1 { groups -= 1 }
            let inBlocks = (inChannels + lanes - 1) / lanes, outBlocks = (outChannels + lanes - 1) / lanes
            let panels = self.panels, c = inChannels, width = PackedGemm.columnBlock
            let src = UncheckedSendable(x), dst = UncheckedSendable(out), res = UncheckedSendable(residual)
            starts.withUnsafeBufferPointer { sb in
                weights.withUnsafeBufferPointer { wb in
                    bias.withUnsafeBufferPointer { bb in
                        let w = UncheckedSendable(wb.baseAddress!), b = UncheckedSendable(bb.baseAddress!)
                        let st = UncheckedSendable(sb.baseAddress!)
                        settings.parallelChunks(groups * panels, minimumPerThread: 1) { range in
                            for item in range {
                                let group = item / panels, panel = item % panels
                                let wp = UnsafePointer(w.value + panel * c * width), bp = UnsafePointer(b.value + panel * width)
                                let two = 2 * panel + 1 < outBlocks
                                for t in (group * tilesPerGroup)..<(group == groups - 1 ? tiles : (group + 1) * tilesPerGroup) {
                                    let image = t / perImage, start = st.value[t % perImage]
                                    let p0 = start >= 0 ? start : -start - 1
                                    let xp = src.value + (image * inBlocks * hw + p0) * lanes
                                    let offset = ((image * outBlocks + 2 * panel) * hw + p0) * lanes
                                    let op = dst.value + offset, rp = res.value.map { $0 + offset }
                                    switch (start >= 0, two) {
                                    case (true, true): tile(Tile12x32.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
                                    case (true, false): tile(Tile12x16.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
                                    case (false, true): tile(Tile4x32.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
                                    case (false, false): tile(Tile4x16.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// 12 (or 4) positions × 32 (or 16) output channels over all input channels: `x` points at the
        /// first position in channel block 0 (blocks `16·hw` floats apart), `w` at the panel's `C × 32`
        /// weights, `out` (and `residual`) at the first position of the panel's first output block.
        @inline(__always)
        func tile<S: TileShape>(_: S.Type, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                                _ out: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, hw: Int, inBlocks: Int) {
            let twelve = S.twelve, two = S.two
            var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V(), c30 = V(), c31 = V()
            var c40 = V(), c41 = V(), c50 = V(), c51 = V(), c60 = V(), c61 = V(), c70 = V(), c71 = V()
            var c80 = V(), c81 = V(), c90 = V(), c91 = V(), ca0 = V(), ca1 = V(), cb0 = V(), cb1 = V()
            let c = inChannels, blockStride = hw &* lanes, width = PackedGemm.columnBlock
            var bp = w
            for block in 0..<inBlocks {
                var ap = x + block &* blockStride
                for _ in 0..<Swift.min(lanes, c &- block &* lanes) {
                    let b0 = load(bp), b1 = two ? load(bp + lanes) : V()
                    var s = V(repeating: ap[0]); c00 = c00.addingProduct(s, b0); if two { c01 = c01.addingProduct(s, b1) }
                    s = V(repeating: ap[16]); c10 = c10.addingProduct(s, b0); if two { c11 = c11.addingProduct(s, b1) }
                    s = V(repeating: ap[32]); c20 = c20.addingProduct(s, b0); if two { c21 = c21.addingProduct(s, b1) }
                    s = V(repeating: ap[48]); c30 = c30.addingProduct(s, b0); if two { c31 = c31.addingProduct(s, b1) }
                    if twelve {
                        s = V(repeating: ap[64]); c40 = c40.addingProduct(s, b0); if two { c41 = c41.addingProduct(s, b1) }
                        s = V(repeating: ap[80]); c50 = c50.addingProduct(s, b0); if two { c51 = c51.addingProduct(s, b1) }
                        s = V(repeating: ap[96]); c60 = c60.addingProduct(s, b0); if two { c61 = c61.addingProduct(s, b1) }
                        s = V(repeating: ap[112]); c70 = c70.addingProduct(s, b0); if two { c71 = c71.addingProduct(s, b1) }
                        s = V(repeating: ap[128]); c80 = c80.addingProduct(s, b0); if two { c81 = c81.addingProduct(s, b1) }
                        s = V(repeating: ap[144]); c90 = c90.addingProduct(s, b0); if two { c91 = c91.addingProduct(s, b1) }
                        s = V(repeating: ap[160]); ca0 = ca0.addingProduct(s, b0); if two { ca1 = ca1.addingProduct(s, b1) }
                        s = V(repeating: ap[176]); cb0 = cb0.addingProduct(s, b0); if two { cb1 = cb1.addingProduct(s, b1) }
                    }
                    ap += 1
                    bp += width
                }
            }
            let lo = V(repeating: bounds.0), hi = V(repeating: bounds.1)
            let bias0 = load(bias), bias1 = two ? load(bias + lanes) : V()
            let second = out + blockStride
            // Written out per accumulator: a helper taking the vectors was not inlined (measured).
            let add = residual != nil
            let r0 = residual ?? UnsafePointer(out), r1 = add ? r0 + blockStride : UnsafePointer(second)
            var v: V
            v = clamp(c00 + bias0, lo, hi); if add { v += load(r0) }; store(v, out)
            if two { v = clamp(c01 + bias1, lo, hi); if add { v += load(r1) }; store(v, second) }
            v = clamp(c10 + bias0, lo, hi); if add { v += load(r0 + 16) }; store(v, out + 16)
            if two { v = clamp(c11 + bias1, lo, hi); if add { v += load(r1 + 16) }; store(v, second + 16) }
            v = clamp(c20 + bias0, lo, hi); if add { v += load(r0 + 32) }; store(v, out + 32)
            if two { v = clamp(c21 + bias1, lo, hi); if add { v += load(r1 + 32) }; store(v, second + 32) }
            v = clamp(c30 + bias0, lo, hi); if add { v += load(r0 + 48) }; store(v, out + 48)
            if two { v = clamp(c31 + bias1, lo, hi); if add { v += load(r1 + 48) }; store(v, second + 48) }
            if twelve {
                v = clamp(c40 + bias0, lo, hi); if add { v += load(r0 + 64) }; store(v, out + 64)
                if two { v = clamp(c41 + bias1, lo, hi); if add { v += load(r1 + 64) }; store(v, second + 64) }
                v = clamp(c50 + bias0, lo, hi); if add { v += load(r0 + 80) }; store(v, out + 80)
                if two { v = clamp(c51 + bias1, lo, hi); if add { v += load(r1 + 80) }; store(v, second + 80) }
                v = clamp(c60 + bias0, lo, hi); if add { v += load(r0 + 96) }; store(v, out + 96)
                if two { v = clamp(c61 + bias1, lo, hi); if add { v += load(r1 + 96) }; store(v, second + 96) }
                v = clamp(c70 + bias0, lo, hi); if add { v += load(r0 + 112) }; store(v, out + 112)
                if two { v = clamp(c71 + bias1, lo, hi); if add { v += load(r1 + 112) }; store(v, second + 112) }
                v = clamp(c80 + bias0, lo, hi); if add { v += load(r0 + 128) }; store(v, out + 128)
                if two { v = clamp(c81 + bias1, lo, hi); if add { v += load(r1 + 128) }; store(v, second + 128) }
                v = clamp(c90 + bias0, lo, hi); if add { v += load(r0 + 144) }; store(v, out + 144)
                if two { v = clamp(c91 + bias1, lo, hi); if add { v += load(r1 + 144) }; store(v, second + 144) }
                v = clamp(ca0 + bias0, lo, hi); if add { v += load(r0 + 160) }; store(v, out + 160)
                if two { v = clamp(ca1 + bias1, lo, hi); if add { v += load(r1 + 160) }; store(v, second + 160) }
                v = clamp(cb0 + bias0, lo, hi); if add { v += load(r0 + 176) }; store(v, out + 176)
                if two { v = clamp(cb1 + bias1, lo, hi); if add { v += load(r1 + 176) }; store(v, second + 176) }
            }
        }

        /// The packed path for fewer than 4 positions (`x` as `[n, ⌈C/16⌉, hw, 16]`; called with `n = 1`).
        func runPacked(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?,
                       n: Int, hw: Int, settings: ExecutionSettings) {
            let c = inChannels, rowBlock = PackedGemm.rowBlock, width = PackedGemm.columnBlock
            let positions = n * hw
            let tiles = (positions + rowBlock - 1) / rowBlock
            let tilesPerGroup = 4
            let groups = (tiles + tilesPerGroup - 1) / tilesPerGroup
            let inBlocks = (c + lanes - 1) / lanes, outBlocks = (outChannels + lanes - 1) / lanes
            let panels = self.panels
            let src = UncheckedSendable(x), dst = UncheckedSendable(out), res = UncheckedSendable(residual)
            weights.withUnsafeBufferPointer { wb in
                bias.withUnsafeBufferPointer { bb in
                    let w = UncheckedSendable(wb.baseAddress!), b = UncheckedSendable(bb.baseAddress!)
                    settings.parallelChunks(groups * panels, minimumPerThread: 1) { range in
                        let packed = UnsafeMutablePointer<Float>.allocate(capacity: tilesPerGroup * c * rowBlock)
                        defer { packed.deallocate() }
                        let tile = UnsafeMutablePointer<Float>.allocate(capacity: rowBlock * width)
                        defer { tile.deallocate() }
                        var packedGroup = -1
                        for item in range {
                            let group = item / panels, panel = item % panels
                            let t0 = group * tilesPerGroup, t1 = Swift.min(tiles, t0 + tilesPerGroup)
                            if group != packedGroup {
                                for t in t0..<t1 {
                                    pack(src.value, positions: t * rowBlock..<Swift.min(positions, (t + 1) * rowBlock), hw: hw,
                                         inBlocks: inBlocks, into: packed + (t - t0) * c * rowBlock)
                                }
                                packedGroup = group
                            }
                            let wp = UnsafePointer(w.value + panel * c * width)
                            for t in t0..<t1 {
                                let p0 = t * rowBlock, rows = Swift.min(rowBlock, positions - p0)
                                PackedGemm.block12x32(k: c, a: packed + (t - t0) * c * rowBlock, b: wp, c: tile, ldc: width,
                                                      rows: rows, bias: nil, columnBias: b.value + panel * width, bounds: bounds)
                                // Scatter the 12 positions × 32 channels into (up to) two channel blocks.
                                for half in 0..<2 {
                                    let block = panel * 2 + half
                                    if block >= outBlocks { break }
                                    for q in 0..<rows {
                                        let p = p0 + q, image = p / hw, position = p % hw
                                        let offset = ((image * outBlocks + block) * hw + position) * lanes
                                        var v = load(tile + q * width + half * lanes)
                                        if let r = res.value { v += load(r + offset) }
                                        store(v, dst.value + offset)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// Packs `positions` (at most 12, across images) of `x` as `C × 12` (column `q` = position `q`;
        /// columns past the range are zero).
        @inline(__always)
        func pack(_ x: UnsafePointer<Float>, positions: Range<Int>, hw: Int, inBlocks: Int, into panel: UnsafeMutablePointer<Float>) {
            let c = inChannels, rowBlock = PackedGemm.rowBlock
            if positions.count < rowBlock { panel.update(repeating: 0, count: c * rowBlock) }
            for (q, p) in positions.enumerated() {
                let image = p / hw, position = p % hw
                let base = x + (image * inBlocks * hw + position) * lanes
                for block in 0..<inBlocks {
                    let v = load(base + block * hw * lanes)
                    let c0 = block * lanes
                    let dst = panel + c0 * rowBlock + q
                    if c0 + lanes <= c {
                        for l in 0..<lanes { dst[l * rowBlock] = v[l] }
                    } else {
                        for l in 0..<(c - c0) { dst[l * rowBlock] = v[l] }
                    }
                }
            }
        }
    }
}

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
        init(w: UnsafePointer<Float>, outChannels m: Int, inChannels c: Int, bias: UnsafePointer<Float>?, kh: Int, kw: Int,
             stride: (Int, Int), dilation: (Int, Int), padTop: Int, padLeft: Int, bounds: (Float, Float)) {
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
        func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, n: Int, ih: Int, iw: Int, oh: Int, ow: Int,
                 settings: ExecutionSettings) {
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
                                (padded + (ch * ph + y + padTop) * pw + padLeft).update(from: x + ((image * c + ch) * ih + y) * iw, count: iw)
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
                                    case (true, true, 1): tile(xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: 1, Tile12x32.self)
                                    case (true, true, 2): tile(xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: 2, Tile12x32.self)
                                    case (true, true, _): tile(xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx, Tile12x32.self)
                                    case (true, false, _): tile(xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx, Tile12x16.self)
                                    case (false, true, _): tile(xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx, Tile4x32.self)
                                    case (false, false, _): tile(xp, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, sx: sx, Tile4x16.self)
                                    }
                                }
                                if starts.isEmpty {
                                    // Maps under 4 columns: one column at a time through a scalar loop.
                                    for ox in 0..<ow {
                                        narrow(src.value + oy * sy * pw + ox * sx, wp, bp, rowOut + ox * lanes, plane, ph: ph, pw: pw, two: two)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        /// One output column, 32 (or 16) channels, taps in the same order as the register block.
        func narrow(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                    _ plane: Int, ph: Int, pw: Int, two: Bool) {
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
        func tile<S: TileShape>(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                  _ plane: Int, ph: Int, pw: Int, sx: Int, _: S.Type) {
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
                        var s = V(repeating: ap[0]); c00 = c00.addingProduct(s, b0); if two { c01 = c01.addingProduct(s, b1) }
                        s = V(repeating: ap[sx]); c10 = c10.addingProduct(s, b0); if two { c11 = c11.addingProduct(s, b1) }
                        s = V(repeating: ap[2 &* sx]); c20 = c20.addingProduct(s, b0); if two { c21 = c21.addingProduct(s, b1) }
                        s = V(repeating: ap[3 &* sx]); c30 = c30.addingProduct(s, b0); if two { c31 = c31.addingProduct(s, b1) }
                        if twelve {
                            s = V(repeating: ap[4 &* sx]); c40 = c40.addingProduct(s, b0); if two { c41 = c41.addingProduct(s, b1) }
                            s = V(repeating: ap[5 &* sx]); c50 = c50.addingProduct(s, b0); if two { c51 = c51.addingProduct(s, b1) }
                            s = V(repeating: ap[6 &* sx]); c60 = c60.addingProduct(s, b0); if two { c61 = c61.addingProduct(s, b1) }
                            s = V(repeating: ap[7 &* sx]); c70 = c70.addingProduct(s, b0); if two { c71 = c71.addingProduct(s, b1) }
                            s = V(repeating: ap[8 &* sx]); c80 = c80.addingProduct(s, b0); if two { c81 = c81.addingProduct(s, b1) }
                            s = V(repeating: ap[9 &* sx]); c90 = c90.addingProduct(s, b0); if two { c91 = c91.addingProduct(s, b1) }
                            s = V(repeating: ap[10 &* sx]); ca0 = ca0.addingProduct(s, b0); if two { ca1 = ca1.addingProduct(s, b1) }
                            s = V(repeating: ap[11 &* sx]); cb0 = cb0.addingProduct(s, b0); if two { cb1 = cb1.addingProduct(s, b1) }
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
