import PixelTensor

/// MatMul, Gemm and the fused MatMul+Add (one sgemm with the bias preloaded into the output).
enum MatMulOps {
    static func matMul(_ ctx: NodeContext) -> Kernel {
        let settings = ctx.settings
        return { inputs in
            let a = try ctx.floatInput(inputs, 0), b = try ctx.floatInput(inputs, 1)
            return [try multiply(ctx, a, b, bias: nil, settings: settings)]
        }
    }

    /// `A·B (+ bias)` with numpy matmul semantics (1-D promotion, batch broadcasting).
    /// `bias`, when given, is a 1-D vector of length N added to every row.
    /// `packed`, when given, is `b` (2-D) pre-packed at load; ``SmallGemm`` reads it when A has few rows.
    static func multiply(
        _ ctx: NodeContext, _ a: ONNXValue, _ b: ONNXValue, bias: ONNXValue?, packed: PackedGemm.PackedColumns? = nil,
        settings: ExecutionSettings
    ) throws -> ONNXValue {
        guard !a.shape.isEmpty, !b.shape.isEmpty else { throw ctx.fail("MatMul inputs must have rank >= 1") }
        let aShape = a.shape.count == 1 ? [1, a.shape[0]] : a.shape
        let bShape = b.shape.count == 1 ? [b.shape[0], 1] : b.shape
        let m = aShape[aShape.count - 2], k = aShape[aShape.count - 1]
        let k2 = bShape[bShape.count - 2], n = bShape[bShape.count - 1]
        guard k == k2 else { throw ctx.fail("inner dimensions differ: \(a.shape) × \(b.shape)") }
        let aBatch = Array(aShape.dropLast(2)), bBatch = Array(bShape.dropLast(2))
        guard let batch = broadcastShape(aBatch, bBatch) else {
            throw ctx.fail("batch dimensions do not broadcast: \(a.shape) × \(b.shape)")
        }
        var outShape = batch + [m, n]
        if a.shape.count == 1 { outShape.remove(at: outShape.count - 2) }
        if b.shape.count == 1 { outShape.removeLast() }
        try ctx.checkShape(outShape)
        let out = ONNXValue(uninitialized: .float, shape: outShape)
        let c = out.floatPointer
        let batchCount = batch.reduce(1, *)
        if let bias {
            guard bias.count == n else { throw ctx.fail("bias of \(bias.count) values for \(n) columns") }
            for row in 0..<(batchCount * m) { (c + row * n).update(from: bias.floatPointer, count: n) }
        }
        let beta: Float = bias == nil ? 0 : 1
        if k == 0 {
            if bias == nil { c.update(repeating: 0, count: out.count) }
            return out
        }
        // B shared by every batch: one sgemm over all rows of A.
        if bBatch.reduce(1, *) == 1 && aBatch == batch {
            if batchCount * m <= SmallGemm.maximumRows && n % 16 == 0 {
                if bias == nil { c.update(repeating: 0, count: out.count) }
                if let packed, packed.k == k, packed.n == n, b.shape.count == 2 {
                    SmallGemm.multiply(m: batchCount * m, a: a.floatPointer, columns: packed, c: c, settings: settings)
                    return out
                }
                SmallGemm.multiply(
                    m: batchCount * m, n: n, k: k, a: a.floatPointer, b: b.floatPointer, c: c,
                    accumulate: true, settings: settings)
                return out
            }
            BLAS.gemm(
                transposeA: false, transposeB: false, m: batchCount * m, n: n, k: k,
                a: a.floatPointer, lda: k, b: b.floatPointer, ldb: n, beta: beta, c: c, ldc: n)
            return out
        }
        let aStrides = broadcastStrides(aBatch, to: batch), bStrides = broadcastStrides(bBatch, to: batch)
        let batchStrides = contiguousStrides(batch)
        for t in 0..<batchCount {
            var rem = t, ao = 0, bo = 0
            for d in 0..<batch.count {
                let i = rem / batchStrides[d]
                rem -= i * batchStrides[d]
                ao += i * aStrides[d]
                bo += i * bStrides[d]
            }
            BLAS.gemm(
                transposeA: false, transposeB: false, m: m, n: n, k: k,
                a: a.floatPointer + ao * m * k, lda: k, b: b.floatPointer + bo * k * n, ldb: n,
                beta: beta, c: c + t * m * n, ldc: n)
        }
        return out
    }

    /// Gemm: `alpha·op(A)·op(B) + beta·C` with C unidirectionally broadcast to `M × N`.
    static func gemm(_ ctx: NodeContext) throws -> Kernel {
        let alpha = try ctx.float("alpha", 1), beta = try ctx.float("beta", 1)
        let transA = try ctx.int("transA", 0) != 0, transB = try ctx.int("transB", 0) != 0
        return { inputs in
            let a = try ctx.floatInput(inputs, 0), b = try ctx.floatInput(inputs, 1)
            guard a.shape.count == 2, b.shape.count == 2 else { throw ctx.fail("A and B must be 2-D") }
            let m = transA ? a.shape[1] : a.shape[0], k = transA ? a.shape[0] : a.shape[1]
            let kb = transB ? b.shape[1] : b.shape[0], n = transB ? b.shape[0] : b.shape[1]
            guard k == kb else { throw ctx.fail("inner dimensions differ: \(a.shape), \(b.shape)") }
            try ctx.checkShape([m, n])
            let out = ONNXValue(uninitialized: .float, shape: [m, n])
            let o = out.floatPointer
            var betaEff: Float = 0
            if let cv = ctx.optionalInput(inputs, 2), beta != 0 {
                guard cv.elementType == .float, let s = broadcastShape(cv.shape, [m, n]), s == [m, n] else {
                    throw ctx.fail("C of shape \(cv.shape) does not broadcast to [\(m), \(n)]")
                }
                ShapeOps.stridedCopy(
                    cv.buffer.raw, srcOffset: 0, srcStrides: broadcastStrides(cv.shape, to: [m, n]),
                    into: out.buffer.raw, shape: [m, n], elementSize: 4)
                betaEff = beta
            }
            if k == 0 || m == 0 || n == 0 {
                if betaEff == 0 {
                    o.update(repeating: 0, count: m * n)
                } else {
                    for i in 0..<(m * n) { o[i] *= betaEff }
                }
                return [out]
            }
            if m <= 4 && transB && !transA {
                // Few rows against a transposed B (classifier heads): dot products over contiguous rows of B.
                let ap = a.floatPointer, bp = b.floatPointer
                for i in 0..<m {
                    for j in 0..<n {
                        let d = VectorKernels.dot(ap + i * k, bp + j * k, k)
                        o[i * n + j] = alpha * d + (betaEff == 0 ? 0 : betaEff * o[i * n + j])
                    }
                }
                return [out]
            }
            BLAS.gemm(
                transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a.floatPointer, lda: a.shape[1], b: b.floatPointer, ldb: b.shape[1], beta: betaEff, c: o, ldc: n)
            return [out]
        }
    }

    /// Fused `MatMul(X, W) + bias` (W 2-D, bias 1-D of length N). `packed` is the constant W and bias packed
    /// once at load, the only copy kept: ``SmallGemm`` reads it for few rows (batch-1 transformer layers),
    /// ``PackedGemm/multiplyRows(_:m:_:c:gelu:settings:)`` for more. Without it (W not a constant), W is
    /// packed on the first call with many rows.
    /// With `gelu`, the output goes through ``VectorMath/gelu(_:)`` (the fused Linear → Gelu).
    static func linear(_ ctx: NodeContext, packed: PackedGemm.PackedColumns? = nil, gelu: Bool = false) -> Kernel {
        let settings = ctx.settings
        let columns = PackCache<PackedGemm.PackedColumns>()
        return { inputs in
            let x = try ctx.floatInput(inputs, 0), w = try ctx.floatInput(inputs, 1),
                bias = try ctx.floatInput(inputs, 2)
            if x.shape.count >= 2, w.shape.count == 2, bias.count == w.shape[1], x.shape.last == w.shape[0] {
                let m = x.count / Swift.max(w.shape[0], 1)
                if m > SmallGemm.maximumRows && w.shape[0] > 0 {
                    let outShape = Array(x.shape.dropLast()) + [w.shape[1]]
                    try ctx.checkShape(outShape)
                    let out = ONNXValue(uninitialized: .float, shape: outShape)
                    let weights =
                        packed.flatMap { $0.k == w.shape[0] && $0.n == w.shape[1] ? $0 : nil }
                        ?? columns.packed(w, bias) {
                            PackedGemm.PackedColumns(
                                w.floatPointer, k: w.shape[0], n: w.shape[1], bias: bias.floatPointer)
                        }
                    PackedGemm.multiplyRows(
                        x.floatPointer, m: m, weights, c: out.floatPointer, gelu: gelu, settings: settings)
                    return [out]
                }
            }
            let out = try multiply(ctx, x, w, bias: bias, packed: packed, settings: settings)
            if gelu {
                let o = out.floatPointer
                settings.parallelChunks(out.count, minimumPerThread: 1 << 15) { range in
                    VectorMath.map(o + range.lowerBound, o + range.lowerBound, range.count) { VectorMath.gelu($0) }
                }
            }
            return [out]
        }
    }
}
