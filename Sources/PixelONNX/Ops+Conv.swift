import CPixelKernels
import Dispatch
import PixelTensor

/// Conv via im2col + sgemm, with direct paths for 1×1 and depthwise convolutions.
enum ConvOps {
    /// Internal attributes set by the Conv+Clip/Relu fusion: the output is clamped to [min, max].
    static let clampMinKey = "pixelrec.clamp_min", clampMaxKey = "pixelrec.clamp_max"

    /// Clamps `n` floats in place (the fused activation), while they are still in cache.
    @inline(__always)
    static func clamp(_ p: UnsafeMutablePointer<Float>, _ n: Int, _ bounds: (Float, Float)?) {
        guard let (lo, hi) = bounds else { return }
        let lv = VectorMath.V(repeating: lo), hv = VectorMath.V(repeating: hi)
        VectorMath.map(p, p, n) { v in v.replacing(with: lv, where: v .< lv).replacing(with: hv, where: v .> hv) }
    }

    /// Adds `bias[r]` to row `r` of a `rows × width` block (row stride `stride`) and clamps it, in one pass.
    static func epilogue(
        _ p: UnsafeMutablePointer<Float>, rows: Int, width: Int, stride: Int, bias: UnsafePointer<Float>?,
        _ bounds: (Float, Float)?
    ) {
        if bias == nil && bounds == nil { return }
        let (lo, hi) = bounds ?? (-.infinity, .infinity)
        let lv = VectorMath.V(repeating: lo), hv = VectorMath.V(repeating: hi)
        for r in 0..<rows {
            let row = p + r * stride
            let b = bias?[r] ?? 0
            let bv = VectorMath.V(repeating: b)
            var i = 0
            while i &+ 16 <= width {
                var v = UnsafeRawPointer(row + i).loadUnaligned(as: VectorMath.V.self) + bv
                v = v.replacing(with: lv, where: v .< lv).replacing(with: hv, where: v .> hv)
                UnsafeMutableRawPointer(row + i).storeBytes(of: v, as: VectorMath.V.self)
                i &+= 16
            }
            while i < width {
                let v = row[i] + b
                row[i] = v < lo ? lo : (v > hi ? hi : v)
                i &+= 1
            }
        }
    }

    static func conv(_ ctx: NodeContext) throws -> Kernel {
        let attributes = try ConvGeometry.Attributes(ctx)
        let bounds: (Float, Float)? =
            ctx.has(clampMinKey)
            ? (try ctx.float(clampMinKey, -.infinity), try ctx.float(clampMaxKey, .infinity)) : nil
        let groups = try ctx.int("group", 1)
        guard groups >= 1 else { throw ctx.attributeError("group", "must be >= 1") }
        let settings = ctx.settings
        let weights = PackCache<PackedGemm.PackedA>()
        return { inputs in
            let x = try ctx.floatInput(inputs, 0), w = try ctx.floatInput(inputs, 1)
            let bias = ctx.optionalInput(inputs, 2)
            guard x.shape.count >= 3, w.shape.count == x.shape.count else {
                throw ctx.fail("X \(x.shape) and W \(w.shape) ranks do not match")
            }
            let n = x.shape[0], c = x.shape[1], m = w.shape[0]
            guard c % groups == 0, m % groups == 0, w.shape[1] == c / groups else {
                throw ctx.fail("channels \(c), filters \(w.shape) and group \(groups) do not match")
            }
            let kernelShape = Array(w.shape[2...])
            if let ks = attributes.kernelShape, ks != kernelShape {
                throw ctx.fail("kernel_shape \(ks) differs from W \(kernelShape)")
            }
            if let bias, bias.count != m || bias.elementType != .float { throw ctx.fail("bias must hold \(m) floats") }
            let g = try ConvGeometry(ctx, attributes, spatial: Array(x.shape[2...]), kernelShape: kernelShape)
            let outShape = [n, m] + Array(g.output.suffix(g.rank))
            try ctx.checkShape(outShape)
            try ctx.checkShape([c / groups, g.kernelCount, g.outputCount])  // the im2col buffer
            let out = ONNXValue(uninitialized: .float, shape: outShape)
            let cg = c / groups, mg = m / groups
            let kCount = g.kernelCount, inCount = g.inputCount, outCount = g.outputCount
            let xp = x.floatPointer, wp = w.floatPointer, op = out.floatPointer
            if out.count == 0 { return [out] }
            let pointwise = kCount == 1 && g.stride == [1, 1, 1] && g.padBegin == [0, 0, 0] && g.padEnd == [0, 0, 0]
            if cg == 1 && mg == 1 {
                depthwise(
                    g, xp, wp, bias?.floatPointer, op, planes: n * c, channels: c, settings: settings, clamp: bounds)
                return [out]
            }
            let bp = bias?.floatPointer
            let (lo, hi) = bounds ?? (-.infinity, .infinity)
            if groups == 1 {
                // The weight packed once into register panels; a 1×1 convolution is one product over
                // the whole batch (columns = batch · positions), other kernels one product per image.
                let a = weights.packed(w) { PackedGemm.PackedA(w.floatPointer, m: m, k: c * kCount, lda: c * kCount) }
                let outLayout = PackedGemm.Layout(
                    imageStride: m * outCount, rowStride: outCount, columnsPerImage: outCount)
                if pointwise {
                    PackedGemm.multiply(
                        a, b: xp,
                        bLayout: .init(imageStride: c * inCount, rowStride: inCount, columnsPerImage: inCount),
                        n: n * outCount, c: op, cLayout: outLayout, bias: bp, bounds: (lo, hi), settings: settings)
                    return [out]
                }
                let column = UnsafeMutablePointer<Float>.allocate(capacity: c * kCount * outCount)
                defer { column.deallocate() }
                for b in 0..<n {
                    im2col(g, xp + b * c * inCount, channels: c, into: column, settings: settings)
                    PackedGemm.multiply(
                        a, b: column, bLayout: .init(imageStride: 0, rowStride: outCount, columnsPerImage: outCount),
                        n: outCount, c: op + b * m * outCount, cLayout: outLayout, bias: bp, bounds: (lo, hi),
                        settings: settings)
                }
                return [out]
            }
            if pointwise {
                // Column tiles of about 128 KB of output: the bias and activation pass runs while the tile
                // is still in cache (one sgemm per tile; the weight is the small operand).
                let tile = Swift.max(64, (32_768 / Swift.max(mg, 1)) & ~15)
                for b in 0..<n {
                    for gi in 0..<groups {
                        let dst = op + (b * m + gi * mg) * outCount
                        let src = xp + (b * c + gi * cg) * inCount
                        var col = 0
                        while col < outCount {
                            let width = Swift.min(tile, outCount - col)
                            BLAS.gemm(
                                transposeA: false, transposeB: false, m: mg, n: width, k: cg,
                                a: wp + gi * mg * cg, lda: cg, b: src + col, ldb: inCount,
                                beta: 0, c: dst + col, ldc: outCount)
                            epilogue(
                                dst + col, rows: mg, width: width, stride: outCount, bias: bp.map { $0 + gi * mg },
                                bounds)
                            col += width
                        }
                    }
                }
                return [out]
            }
            let rows = cg * kCount
            let column = UnsafeMutablePointer<Float>.allocate(capacity: rows * outCount)
            defer { column.deallocate() }
            for b in 0..<n {
                for gi in 0..<groups {
                    im2col(g, xp + (b * c + gi * cg) * inCount, channels: cg, into: column, settings: settings)
                    let dst = op + (b * m + gi * mg) * outCount
                    BLAS.gemm(
                        transposeA: false, transposeB: false, m: mg, n: outCount, k: rows,
                        a: wp + gi * mg * rows, lda: rows, b: column, ldb: outCount,
                        beta: 0, c: dst, ldc: outCount)
                    epilogue(dst, rows: mg, width: outCount, stride: outCount, bias: bp.map { $0 + gi * mg }, bounds)
                }
            }
            return [out]
        }
    }

    /// Lays out every receptive field as a column: row `(ci, kd, kh, kw)`, column = output position.
    static func im2col(
        _ g: ConvGeometry, _ x: UnsafePointer<Float>, channels: Int, into col: UnsafeMutablePointer<Float>,
        settings: ExecutionSettings
    ) {
        let (od, oh, ow) = (g.output[0], g.output[1], g.output[2])
        let (id, ih, iw) = (g.input[0], g.input[1], g.input[2])
        let outCount = od * oh * ow
        let kCount = g.kernelCount
        settings.parallelChunks(channels * kCount, minimumPerThread: 8) { range in
            for row in range {
                let ci = row / kCount
                var rem = row % kCount
                let kd = rem / (g.kernel[1] * g.kernel[2]); rem %= g.kernel[1] * g.kernel[2]
                let kh = rem / g.kernel[2], kw = rem % g.kernel[2]
                let dst = col + row * outCount
                let src = x + ci * id * ih * iw
                // Valid output-x range for this kw: 0 <= ox*s - p + kw*d < iw.
                let offX = kw * g.dilation[2] - g.padBegin[2], sx = g.stride[2]
                var xLo = 0
                while xLo < ow && xLo * sx + offX < 0 { xLo += 1 }
                var xHi = ow
                while xHi > xLo && (xHi - 1) * sx + offX >= iw { xHi -= 1 }
                for z in 0..<od {
                    let iz = z * g.stride[0] - g.padBegin[0] + kd * g.dilation[0]
                    for y in 0..<oh {
                        let line = dst + (z * oh + y) * ow
                        let iy = y * g.stride[1] - g.padBegin[1] + kh * g.dilation[1]
                        if iz < 0 || iz >= id || iy < 0 || iy >= ih {
                            line.update(repeating: 0, count: ow)
                            continue
                        }
                        let srow = src + (iz * ih + iy) * iw
                        for ox in 0..<xLo { line[ox] = 0 }
                        if sx == 1 {
                            if xHi > xLo { (line + xLo).update(from: srow + xLo + offX, count: xHi - xLo) }
                        } else {
                            for ox in xLo..<xHi { line[ox] = srow[ox * sx + offX] }
                        }
                        for ox in xHi..<ow { line[ox] = 0 }
                    }
                }
            }
        }
    }

    /// One depthwise plane from its zero-bordered copy `src` (row stride `pw`): four output rows × 16 columns
    /// per step in independent accumulators (fused multiply-adds), bias added first, clamp applied at the store:
    /// `dst[y, x] = clamp(bias + Σᵢⱼ filter[i, j]·src[y·sy + i, x·sx + j])`. The C kernel `depthwise_plane` of the
    /// instruction set chosen at run time (``DenseKernels``).
    @inline(__always)
    static func depthwisePlane(
        _ src: UnsafePointer<Float>, pw: Int, filter: UnsafePointer<Float>, bias: Float,
        _ dst: UnsafeMutablePointer<Float>, oh: Int, ow: Int, sy: Int, sx: Int, kh: Int, kw: Int,
        bounds: (Float, Float), kernels: PixelDenseKernels = DenseKernels.active
    ) {
        kernels.depthwise_plane(src, pw, filter, bias, dst, oh, ow, sy, sx, kh, kw, bounds.0, bounds.1)
    }

    /// One filter per channel: each plane is copied into a zero-bordered scratch plane, then every
    /// kernel tap adds a scaled input row to the output row (no bounds checks in the inner loop).
    static func depthwise(
        _ g: ConvGeometry, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
        _ out: UnsafeMutablePointer<Float>, planes: Int, channels: Int, settings: ExecutionSettings,
        clamp bounds: (Float, Float)?
    ) {
        let (od, oh, ow) = (g.output[0], g.output[1], g.output[2])
        let (id, ih, iw) = (g.input[0], g.input[1], g.input[2])
        // Padded extent actually read: enough rows/columns for every output position.
        let pd = Swift.max(
            id + g.padBegin[0] + g.padEnd[0], (od - 1) * g.stride[0] + (g.kernel[0] - 1) * g.dilation[0] + 1)
        let ph = Swift.max(
            ih + g.padBegin[1] + g.padEnd[1], (oh - 1) * g.stride[1] + (g.kernel[1] - 1) * g.dilation[1] + 1)
        let pw = Swift.max(
            iw + g.padBegin[2] + g.padEnd[2], (ow - 1) * g.stride[2] + (g.kernel[2] - 1) * g.dilation[2] + 1)
        let kCount = g.kernelCount
        let sx = g.stride[2], dx = g.dilation[2]
        // Plain locals: array reads inside the hot loops below would not be hoisted out of the closure.
        let (kd0, kh0, kw0) = (g.kernel[0], g.kernel[1], g.kernel[2])
        let (sz, sy) = (g.stride[0], g.stride[1])
        let (dz, dy) = (g.dilation[0], g.dilation[1])
        let (pz, py, px) = (g.padBegin[0], g.padBegin[1], g.padBegin[2])
        // 2-D, undilated, stride 1 or 2 along x: the register-blocked plane kernel with the clamp fused.
        let planar = od == 1 && kd0 == 1 && dy == 1 && dx == 1 && sx <= 2
        let (lo, hi) = bounds ?? (-.infinity, .infinity)
        settings.parallelChunks(planes, minimumPerThread: 4) { range in
            // 64 floats of slack: vector loads past a row's end only feed lanes that are never stored.
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: pd * ph * pw + 64)
            defer { scratch.deallocate() }
            scratch.update(repeating: 0, count: pd * ph * pw + 64)
            for plane in range {
                let ch = plane % channels
                let src = x + plane * id * ih * iw
                for z in 0..<id {
                    for y in 0..<ih {
                        (scratch + ((z + pz) * ph + y + py) * pw + px)
                            .update(from: src + (z * ih + y) * iw, count: iw)
                    }
                }
                let dst = out + plane * od * oh * ow
                let filter = w + ch * kCount
                if planar {
                    depthwisePlane(
                        scratch, pw: pw, filter: filter, bias: bias?[ch] ?? 0, dst, oh: oh, ow: ow,
                        sy: sy, sx: sx, kh: kh0, kw: kw0, bounds: (lo, hi))
                    continue
                }
                if sx <= 2 {
                    let b0 = VectorMath.V(repeating: bias?[ch] ?? 0)
                    for z in 0..<od {
                        for y in 0..<oh {
                            let line = dst + (z * oh + y) * ow
                            var c = 0
                            while c < ow {
                                var acc = b0
                                for kd in 0..<kd0 {
                                    let iz = z * sz + kd * dz
                                    for kh in 0..<kh0 {
                                        let row = scratch + (iz * ph + y * sy + kh * dy) * pw + c * sx
                                        let taps = filter + (kd * kh0 + kh) * kw0
                                        if sx == 1 {
                                            for kw in 0..<kw0 {
                                                acc +=
                                                    taps[kw]
                                                    * UnsafeRawPointer(row + kw * dx).loadUnaligned(
                                                        as: VectorMath.V.self)
                                            }
                                        } else {
                                            for kw in 0..<kw0 {
                                                let pair = UnsafeRawPointer(row + kw * dx).loadUnaligned(
                                                    as: SIMD32<Float>.self)
                                                acc += taps[kw] * pair.evenHalf
                                            }
                                        }
                                    }
                                }
                                let lanes = Swift.min(16, ow - c)
                                if lanes == 16 {
                                    UnsafeMutableRawPointer(line + c).storeBytes(of: acc, as: VectorMath.V.self)
                                } else {
                                    for k in 0..<lanes { line[c + k] = acc[k] }
                                }
                                c += 16
                            }
                        }
                    }
                    clamp(dst, od * oh * ow, bounds)
                    continue
                }
                dst.update(repeating: bias?[ch] ?? 0, count: od * oh * ow)
                for z in 0..<od {
                    for y in 0..<oh {
                        let line = dst + (z * oh + y) * ow
                        for kd in 0..<kd0 {
                            let iz = z * sz + kd * dz
                            for kh in 0..<kh0 {
                                let iy = y * sy + kh * dy
                                let row = scratch + (iz * ph + iy) * pw
                                let taps = filter + (kd * kh0 + kh) * kw0
                                if sx == 1 {
                                    for kw in 0..<kw0 {
                                        let wv = taps[kw]
                                        let s = row + kw * dx
                                        for ox in 0..<ow { line[ox] += wv * s[ox] }
                                    }
                                } else {
                                    for kw in 0..<kw0 {
                                        let wv = taps[kw]
                                        let s = row + kw * dx
                                        for ox in 0..<ow { line[ox] += wv * s[ox * sx] }
                                    }
                                }
                            }
                        }
                    }
                }
                clamp(dst, od * oh * ow, bounds)
            }
        }
    }
}
