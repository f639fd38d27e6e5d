import CPixelKernels

/// Scaled dot-product attention, fused by ``GraphFusion/fuseAttention(_:constants:graphOutputs:settings:)`` from
/// `MatMul(Q, Kᵀ) → Mul|Div(scale) → Add(mask) → Softmax(last axis) → MatMul(·, V)` (scale and mask optional),
/// with the head-splitting Transposes around it absorbed:
///
/// `out[b, h, i, :] = Σⱼ softmaxⱼ(Q[b,h,i,:]·K[b,h,j,:] ⊙ scale + mask[b,h,i,j]) · V[b,h,j,:]`
///
/// One task per (batch, head): the scores of a query row stay in a scratch row, so the `B·H·S·S` score
/// and probability tensors are never written. Shapes the fused kernel does not cover (other ranks, a mask
/// that broadcasts the scores to a larger shape) run the original nodes instead.
enum AttentionOps {
    /// Layout of Q, V or the output: `[B, H, S, D]` (heads first, the MatMul operand) or `[B, S, H, D]`
    /// (the tensor before an absorbed `Transpose(perm = [0, 2, 1, 3])`).
    enum Layout { case headsFirst, sequenceFirst }
    /// Layout of K: `Kᵀ` as `[B, H, D, S]` (the MatMul operand) or `[B, S, H, D]` (before an absorbed
    /// `Transpose(perm = [0, 2, 3, 1])`).
    enum KeyLayout { case transposed, sequenceFirst }

    /// The matched subgraph.
    struct Pattern {
        var query: Layout
        var key: KeyLayout
        var value: Layout
        var output: Layout
        /// Scores are multiplied by this (or divided, when `divides`); nil: no scaling node.
        var scale: Float?
        var divides: Bool
        var hasMask: Bool
        /// Runs the original nodes on `[Q, K, V, mask]` (as the fused node receives them).
        var fallback: Kernel
    }

    /// Inputs: `[Q, K, V]` or `[Q, K, V, mask]`, laid out as `pattern` says.
    static func kernel(_ ctx: NodeContext, _ pattern: Pattern) -> Kernel {
        let settings = ctx.settings
        return { inputs in
            guard inputs.count >= 3, let q = inputs[0], let k = inputs[1], let v = inputs[2],
                q.elementType == .float, k.elementType == .float, v.elementType == .float,
                q.shape.count == 4, k.shape.count == 4, v.shape.count == 4
            else { return try pattern.fallback(inputs) }
            let mask = pattern.hasMask && inputs.count > 3 ? inputs[3] : nil
            if pattern.hasMask && mask == nil { return try pattern.fallback(inputs) }
            let (B, H, S, D) =
                pattern.query == .headsFirst
                ? (q.shape[0], q.shape[1], q.shape[2], q.shape[3]) : (q.shape[0], q.shape[2], q.shape[1], q.shape[3])
            let kShape =
                pattern.key == .transposed
                ? (k.shape[0], k.shape[1], k.shape[2], k.shape[3]) : (k.shape[0], k.shape[2], k.shape[3], k.shape[1])
            let (kB, kH, kD, Sk) = kShape
            let (vB, vH, vS, Dv) =
                pattern.value == .headsFirst
                ? (v.shape[0], v.shape[1], v.shape[2], v.shape[3]) : (v.shape[0], v.shape[2], v.shape[1], v.shape[3])
            guard kB == B, kH == H, kD == D, vB == B, vH == H, vS == Sk else { return try pattern.fallback(inputs) }
            // The mask must broadcast into the scores' [B, H, S, Sk] without enlarging it.
            var maskStrides = [0, 0, 0, 0]
            if let mask {
                guard mask.elementType == .float, mask.shape.count <= 4 else { return try pattern.fallback(inputs) }
                let padded = [Int](repeating: 1, count: 4 - mask.shape.count) + mask.shape
                let target = [B, H, S, Sk]
                guard zip(padded, target).allSatisfy({ $0 == $1 || $0 == 1 }) else {
                    return try pattern.fallback(inputs)
                }
                maskStrides = broadcastStrides(padded, to: target)
            }
            let outShape = pattern.output == .headsFirst ? [B, H, S, Dv] : [B, S, H, Dv]
            try ctx.checkShape(outShape)
            let out = ONNXValue(uninitialized: .float, shape: outShape)
            if out.count == 0 { return [out] }
            let padded = (Sk + 15) & ~15
            let qp = UncheckedSendable(UnsafePointer(q.floatPointer)),
                kp = UncheckedSendable(UnsafePointer(k.floatPointer))
            let vp = UncheckedSendable(UnsafePointer(v.floatPointer)), op = UncheckedSendable(out.floatPointer)
            let mp = UncheckedSendable(mask.map { UnsafePointer($0.floatPointer) })
            let scale = pattern.scale, divides = pattern.divides
            // Element (b, h, row, 0) of Q, V and the output is at `base(b, h) + row · rowStride`.
            let qRowStride = pattern.query == .headsFirst ? D : H * D
            let vRowStride = pattern.value == .headsFirst ? Dv : H * Dv
            let oRowStride = pattern.output == .headsFirst ? Dv : H * Dv
            let (query, key, value, output) = (pattern.query, pattern.key, pattern.value, pattern.output)
            let (m0, m1, m2, m3) = (maskStrides[0], maskStrides[1], maskStrides[2], maskStrides[3])
            let kernels = DenseKernels.active
            settings.parallelChunks(B * H, minimumPerThread: 1) { range in
                let kt = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(D, 1) * padded)
                defer { kt.deallocate() }
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: padded)
                defer { scores.deallocate() }
                let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: padded)
                defer { probabilities.deallocate() }
                kt.update(repeating: 0, count: Swift.max(D, 1) * padded)
                probabilities.update(repeating: 0, count: padded)
                for task in range {
                    let b = task / H, h = task % H
                    // Kᵀ of this head, `D × padded` (columns past Sk stay zero).
                    switch key {
                    case .transposed:
                        for t in 0..<D {
                            (kt + t * padded).update(from: kp.value + ((b * H + h) * D + t) * Sk, count: Sk)
                        }
                    case .sequenceFirst:
                        for j in 0..<Sk {
                            let kRow = kp.value + ((b * Sk + j) * H + h) * D
                            for t in 0..<D { kt[t * padded + j] = kRow[t] }
                        }
                    }
                    let qBase = qp.value + (query == .headsFirst ? (b * H + h) * S * D : (b * S * H + h) * D)
                    let vBase = vp.value + (value == .headsFirst ? (b * H + h) * Sk * Dv : (b * Sk * H + h) * Dv)
                    let oBase = op.value + (output == .headsFirst ? (b * H + h) * S * Dv : (b * S * H + h) * Dv)
                    for i in 0..<S {
                        let qRow = qBase + i * qRowStride
                        kernels.attention_scores(qRow, kt, D, padded, scores)
                        if let scale {
                            if divides {
                                for j in 0..<Sk { scores[j] = scores[j] / scale }
                            } else {
                                for j in 0..<Sk { scores[j] = scores[j] * scale }
                            }
                        }
                        if let m = mp.value {
                            let row = m + b * m0 + h * m1 + i * m2
                            for j in 0..<Sk { scores[j] = scores[j] + row[j * m3] }
                        }
                        softmax(scores, probabilities, Sk, padded: padded)
                        kernels.attention_values(probabilities, vBase, Sk, vRowStride, Dv, oBase + i * oRowStride)
                    }
                }
            }
            return [out]
        }
    }

    /// Softmax of `scores[0..<n]` into `p` (`p[n..<padded]` is left zero): the vector path of
    /// ``ReduceOps/softmaxRow(_:_:_:log:)`` on whole zero-padded vectors; rows whose maximum is not finite
    /// go through that function.
    @inline(__always)
    static func softmax(_ scores: UnsafeMutablePointer<Float>, _ p: UnsafeMutablePointer<Float>, _ n: Int, padded: Int)
    {
        typealias V = VectorMath.V
        var m = -Float.infinity
        for j in 0..<n { m = Swift.max(m, scores[j]) }
        guard m.isFinite, n > 0 else {
            ReduceOps.softmaxRow(scores, p, n, log: false)
            return
        }
        let mv = V(repeating: m)
        var total = V()
        var c = 0
        while c < padded {
            var e = VectorMath.exp(UnsafeRawPointer(scores + c).loadUnaligned(as: V.self) - mv)
            if c + 16 > n {
                // Lanes past the row end are zeroed (exp of the padding is not part of the row).
                let live = n - c
                let lane = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
                e = e.replacing(with: 0, where: lane .>= SIMD16<Int32>(repeating: Int32(live)))
            }
            total += e
            UnsafeMutableRawPointer(p + c).storeBytes(of: e, as: V.self)
            c += 16
        }
        let inv = V(repeating: 1 / total.sum())
        c = 0
        while c < padded {
            UnsafeMutableRawPointer(p + c).storeBytes(
                of: UnsafeRawPointer(p + c).loadUnaligned(as: V.self) * inv, as: V.self)
            c += 16
        }
    }
}
