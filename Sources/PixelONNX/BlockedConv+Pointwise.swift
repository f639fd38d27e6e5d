extension BlockedConv {
    /// A 1×1 convolution's weight `[M, C]` packed as `⌈M/32⌉` panels of `C × 32` (columns past `M` zero),
    /// the bias padded to the panels, and the fused clamp.
    struct Pointwise: @unchecked Sendable {
        let inChannels: Int, outChannels: Int, panels: Int
        let weights: [Float], bias: [Float]
        let bounds: (Float, Float)

        init(
            w: UnsafePointer<Float>, outChannels m: Int, inChannels c: Int, bias: UnsafePointer<Float>?,
            bounds: (Float, Float)
        ) {
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
        func run(
            _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?,
            positions: Int, settings: ExecutionSettings
        ) {
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
                                let wp = UnsafePointer(w.value + panel * c * width),
                                    bp = UnsafePointer(b.value + panel * width)
                                let two = 2 * panel + 1 < outBlocks
                                for t
                                    in (group * tilesPerGroup)..<(group == groups - 1
                                    ? tiles : (group + 1) * tilesPerGroup)
                                {
                                    let image = t / perImage, start = st.value[t % perImage]
                                    let p0 = start >= 0 ? start : -start - 1
                                    let xp = src.value + (image * inBlocks * hw + p0) * lanes
                                    let offset = ((image * outBlocks + 2 * panel) * hw + p0) * lanes
                                    let op = dst.value + offset, rp = res.value.map { $0 + offset }
                                    switch (start >= 0, two) {
                                    case (true, true):
                                        tile(Tile12x32.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
                                    case (true, false):
                                        tile(Tile12x16.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
                                    case (false, true):
                                        tile(Tile4x32.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
                                    case (false, false):
                                        tile(Tile4x16.self, xp, wp, bp, op, rp, hw: hw, inBlocks: inBlocks)
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
        func tile<S: TileShape>(
            _: S.Type, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
            _ out: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, hw: Int, inBlocks: Int
        ) {
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
                    var s = V(repeating: ap[0]); c00 = c00.addingProduct(s, b0);
                    if two { c01 = c01.addingProduct(s, b1) }
                    s = V(repeating: ap[16]); c10 = c10.addingProduct(s, b0); if two { c11 = c11.addingProduct(s, b1) }
                    s = V(repeating: ap[32]); c20 = c20.addingProduct(s, b0); if two { c21 = c21.addingProduct(s, b1) }
                    s = V(repeating: ap[48]); c30 = c30.addingProduct(s, b0); if two { c31 = c31.addingProduct(s, b1) }
                    if twelve {
                        s = V(repeating: ap[64]); c40 = c40.addingProduct(s, b0);
                        if two { c41 = c41.addingProduct(s, b1) }
                        s = V(repeating: ap[80]); c50 = c50.addingProduct(s, b0);
                        if two { c51 = c51.addingProduct(s, b1) }
                        s = V(repeating: ap[96]); c60 = c60.addingProduct(s, b0);
                        if two { c61 = c61.addingProduct(s, b1) }
                        s = V(repeating: ap[112]); c70 = c70.addingProduct(s, b0);
                        if two { c71 = c71.addingProduct(s, b1) }
                        s = V(repeating: ap[128]); c80 = c80.addingProduct(s, b0);
                        if two { c81 = c81.addingProduct(s, b1) }
                        s = V(repeating: ap[144]); c90 = c90.addingProduct(s, b0);
                        if two { c91 = c91.addingProduct(s, b1) }
                        s = V(repeating: ap[160]); ca0 = ca0.addingProduct(s, b0);
                        if two { ca1 = ca1.addingProduct(s, b1) }
                        s = V(repeating: ap[176]); cb0 = cb0.addingProduct(s, b0);
                        if two { cb1 = cb1.addingProduct(s, b1) }
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
        func runPacked(
            _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?,
            n: Int, hw: Int, settings: ExecutionSettings
        ) {
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
                                    pack(
                                        src.value, positions: t * rowBlock..<Swift.min(positions, (t + 1) * rowBlock),
                                        hw: hw,
                                        inBlocks: inBlocks, into: packed + (t - t0) * c * rowBlock)
                                }
                                packedGroup = group
                            }
                            let wp = UnsafePointer(w.value + panel * c * width)
                            for t in t0..<t1 {
                                let p0 = t * rowBlock, rows = Swift.min(rowBlock, positions - p0)
                                PackedGemm.block12x32(
                                    k: c, a: packed + (t - t0) * c * rowBlock, b: wp, c: tile, ldc: width,
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
        func pack(
            _ x: UnsafePointer<Float>, positions: Range<Int>, hw: Int, inBlocks: Int,
            into panel: UnsafeMutablePointer<Float>
        ) {
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
