/// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool.
enum PoolOps {
    static func pool(_ ctx: NodeContext, max: Bool) throws -> Kernel {
        let attributes = try ConvGeometry.Attributes(ctx)
        guard let kernelShape = attributes.kernelShape else { throw ctx.attributeError("kernel_shape", "is required") }
        let includePad = try ctx.int("count_include_pad", 0) != 0
        let storageOrder = try ctx.int("storage_order", 0)
        if max && storageOrder != 0 { throw ctx.attributeError("storage_order", "only 0 is supported") }
        if max && ctx.outputCount > 1 { throw ctx.fail("the Indices output is not supported") }
        let settings = ctx.settings
        return { inputs in
            let x = try ctx.floatInput(inputs, 0)
            guard x.shape.count >= 3 else { throw ctx.fail("input must be N×C×spatial") }
            let g = try ConvGeometry(ctx, attributes, spatial: Array(x.shape[2...]), kernelShape: kernelShape)
            let planes = x.shape[0] * x.shape[1]
            try ctx.checkShape(Array(x.shape[0..<2]) + g.output)
            let out = ONNXValue(uninitialized: .float, shape: Array(x.shape[0..<2]) + Array(g.output.suffix(g.rank)))
            let (od, oh, ow) = (g.output[0], g.output[1], g.output[2])
            let (id, ih, iw) = (g.input[0], g.input[1], g.input[2])
            let xp = x.floatPointer, op = out.floatPointer
            settings.parallelChunks(planes, minimumPerThread: 4) { range in
                for plane in range {
                    let src = xp + plane * g.inputCount, dst = op + plane * g.outputCount
                    for z in 0..<od {
                        for y in 0..<oh {
                            for xo in 0..<ow {
                                var acc: Float = max ? -.infinity : 0
                                var count = 0
                                var padded = 0
                                for kd in 0..<g.kernel[0] {
                                    let iz = z * g.stride[0] - g.padBegin[0] + kd * g.dilation[0]
                                    for kh in 0..<g.kernel[1] {
                                        let iy = y * g.stride[1] - g.padBegin[1] + kh * g.dilation[1]
                                        for kw in 0..<g.kernel[2] {
                                            let ix = xo * g.stride[2] - g.padBegin[2] + kw * g.dilation[2]
                                            if iz < 0 || iz >= id || iy < 0 || iy >= ih || ix < 0 || ix >= iw {
                                                // Count padding cells that lie inside the padded extent.
                                                if iz < id + g.padEnd[0] && iy < ih + g.padEnd[1]
                                                    && ix < iw + g.padEnd[2]
                                                {
                                                    padded += 1
                                                }
                                                continue
                                            }
                                            let v = src[(iz * ih + iy) * iw + ix]
                                            if max { if v > acc || v.isNaN { acc = v } } else { acc += v }
                                            count += 1
                                        }
                                    }
                                }
                                if !max {
                                    let divisor = includePad ? count + padded : count
                                    acc = divisor > 0 ? acc / Float(divisor) : 0
                                }
                                dst[(z * oh + y) * ow + xo] = acc
                            }
                        }
                    }
                }
            }
            return [out]
        }
    }

    static func global(_ ctx: NodeContext, max: Bool) -> Kernel {
        return { inputs in
            let x = try ctx.floatInput(inputs, 0)
            guard x.shape.count >= 3 else { throw ctx.fail("input must be N×C×spatial") }
            let planes = x.shape[0] * x.shape[1], spatial = x.shape[2...].reduce(1, *)
            let out = ONNXValue(
                uninitialized: .float, shape: Array(x.shape[0..<2]) + [Int](repeating: 1, count: x.shape.count - 2))
            for p in 0..<planes {
                let src = x.floatPointer + p * spatial
                if max {
                    var m = -Float.infinity
                    for i in 0..<spatial { m = Swift.max(m, src[i]) }
                    out.floatPointer[p] = m
                } else {
                    out.floatPointer[p] = spatial > 0 ? VectorKernels.sum(src, spatial) / Float(spatial) : 0
                }
            }
            return [out]
        }
    }
}
