import CPixelKernels

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
            // Step s (input channel s) of a tile reads x at offsets[s] from the tile's first position: its
            // channel block's plane, then the lane; positions are 16 floats apart. The tiles are the C kernel
            // of the instruction set chosen at run time (conv.c): `out = clamp(Σ_s x·w + bias) (+ residual)`.
            let offsets = (0..<c).map { ($0 / lanes) * hw * lanes + $0 % lanes }
            let (lo, hi) = bounds, kernels = pixel_conv_active().pointee
            offsets.withUnsafeBufferPointer { ob in
                let of = UncheckedSendable(ob.baseAddress!)
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
                                        kernels.tile(
                                            start >= 0 ? 12 : 4, two ? 1 : 0, c, of.value, xp, lanes, wp, bp, op,
                                            hw * lanes, rp, lo, hi)
                                    }
                                }
                            }
                        }
                    }
                }
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
