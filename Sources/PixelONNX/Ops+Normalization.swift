import Foundation

/// LayerNormalization and BatchNormalization (inference).
enum NormalizationOps {
    static func layerNorm(_ ctx: NodeContext) throws -> Kernel {
        let axisAttr = try ctx.int("axis", -1), epsilon = try ctx.float("epsilon", 1e-5)
        let outputs = ctx.outputCount
        let settings = ctx.settings
        return { inputs in
            let x = try ctx.floatInput(inputs, 0), scale = try ctx.floatInput(inputs, 1)
            let bias = ctx.optionalInput(inputs, 2)
            let r = x.shape.count
            let axis = try ctx.axis(axisAttr, rank: r)
            let outer = x.shape[0..<axis].reduce(1, *), d = x.shape[axis...].reduce(1, *)
            guard scale.count == d, bias.map({ $0.count == d && $0.elementType == .float }) ?? true else {
                throw ctx.fail("scale/bias must hold \(d) values")
            }
            let out = ONNXValue(uninitialized: .float, shape: x.shape)
            var statShape = x.shape
            for a in axis..<r { statShape[a] = 1 }
            let meanOut = ONNXValue(uninitialized: .float, shape: statShape)
            let invOut = ONNXValue(uninitialized: .float, shape: statShape)
            let p = x.floatPointer, o = out.floatPointer, g = scale.floatPointer, b = bias?.floatPointer
            let mp = meanOut.floatPointer, ip = invOut.floatPointer
            settings.parallelChunks(outer, minimumPerThread: Swift.max(1, 8192 / Swift.max(d, 1))) { rows in
                for row in rows {
                    let xr = p + row * d, yr = o + row * d
                    let mean = VectorKernels.sum(xr, d) / Float(d)
                    let variance = VectorKernels.sumSquaredDeviation(xr, d, mean: mean) / Float(d)
                    let inv = 1 / (variance + epsilon).squareRoot()
                    if let b {
                        for i in 0..<d { yr[i] = (xr[i] - mean) * inv * g[i] + b[i] }
                    } else {
                        for i in 0..<d { yr[i] = (xr[i] - mean) * inv * g[i] }
                    }
                    mp[row] = mean
                    ip[row] = inv
                }
            }
            return Array([out, meanOut, invOut].prefix(Swift.max(outputs, 1)))
        }
    }

    static func batchNorm(_ ctx: NodeContext) throws -> Kernel {
        let epsilon = try ctx.float("epsilon", 1e-5)
        if try ctx.int("training_mode", 0) != 0 {
            throw ctx.attributeError("training_mode", "training mode is not supported")
        }
        return { inputs in
            let x = try ctx.floatInput(inputs, 0)
            let scale = try ctx.floatInput(inputs, 1), bias = try ctx.floatInput(inputs, 2)
            let mean = try ctx.floatInput(inputs, 3), variance = try ctx.floatInput(inputs, 4)
            guard x.shape.count >= 2 else { throw ctx.fail("input must have rank >= 2") }
            let n = x.shape[0], c = x.shape[1], spatial = x.shape[2...].reduce(1, *)
            guard [scale, bias, mean, variance].allSatisfy({ $0.count == c }) else {
                throw ctx.fail("parameters must hold \(c) values")
            }
            let out = ONNXValue(uninitialized: .float, shape: x.shape)
            for ch in 0..<c {
                let inv = 1 / (variance.floatPointer[ch] + epsilon).squareRoot()
                let a = scale.floatPointer[ch] * inv, shift = bias.floatPointer[ch] - mean.floatPointer[ch] * a
                for b in 0..<n {
                    let base = (b * c + ch) * spatial
                    for i in 0..<spatial { out.floatPointer[base + i] = x.floatPointer[base + i] * a + shift }
                }
            }
            return [out]
        }
    }
}
