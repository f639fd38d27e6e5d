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
                  q.shape.count == 4, k.shape.count == 4, v.shape.count == 4 else { return try pattern.fallback(inputs) }
            let mask = pattern.hasMask && inputs.count > 3 ? inputs[3] : nil
            if pattern.hasMask && mask == nil { return try pattern.fallback(inputs) }
            let (B, H, S, D) = pattern.query == .headsFirst
                ? (q.shape[0], q.shape[1], q.shape[2], q.shape[3]) : (q.shape[0], q.shape[2], q.shape[1], q.shape[3])
            let kShape = pattern.key == .transposed
                ? (k.shape[0], k.shape[1], k.shape[2], k.shape[3]) : (k.shape[0], k.shape[2], k.shape[3], k.shape[1])
            let (kB, kH, kD, Sk) = kShape
            let (vB, vH, vS, Dv) = pattern.value == .headsFirst
                ? (v.shape[0], v.shape[1], v.shape[2], v.shape[3]) : (v.shape[0], v.shape[2], v.shape[1], v.shape[3])
            guard kB == B, kH == H, kD == D, vB == B, vH == H, vS == Sk else { return try pattern.fallback(inputs) }
            // The mask must broadcast into the scores' [B, H, S, Sk] without enlarging it.
            var maskStrides = [0, 0, 0, 0]
            if let mask {
                guard mask.elementType == .float, mask.shape.count <= 4 else { return try pattern.fallback(inputs) }
                let padded = [Int](repeating: 1, count: 4 - mask.shape.count) + mask.shape
                let target = [B, H, S, Sk]
                guard zip(padded, target).allSatisfy({ $0 == $1 || $0 == 1 }) else { return try pattern.fallback(inputs) }
                maskStrides = broadcastStrides(padded, to: target)
            }
            let outShape = pattern.output == .headsFirst ? [B, H, S, Dv] : [B, S, H, Dv]
            try ctx.checkShape(outShape)
            let out = ONNXValue(uninitialized: .float, shape: outShape)
            if out.count == 0 { return [out] }
            let padded = (Sk + 15) & ~15
            let qp = UncheckedSendable(UnsafePointer(q.floatPointer)), kp = UncheckedSendable(UnsafePointer(k.floatPointer))
            let vp = UncheckedSendable(UnsafePointer(v.floatPointer)), op = UncheckedSendable(out.floatPointer)
            let mp = UncheckedSendable(mask.map { UnsafePointer($0.floatPointer) })
            let scale = pattern.scale, divides = pattern.divides
            let (query, key, value, output) = (pattern.query, pattern.key, pattern.value, pattern.output)
            settings.parallelChunks(B * H, minimumPerThread: 1) { range in
                let kt = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(D, 1) * padded)
                defer { kt.deallocate() }
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: padded)
                defer { scores.deallocate() }
                let probabilities = UnsafeMutablePointer<Float>.allocate(capacity: padded)
                defer { probabilities.deallocate() }
                kt.update(repeating: 0, count: Swift.max(D, 1) * padded)
                for task in range {
                    let b = task / H, h = task % H
                    // Kᵀ of this head, `D × padded` (columns past Sk stay zero).
                    for t in 0..<D {
                        let row = kt + t * padded
                        switch key {
                        case .transposed:
                            row.update(from: kp.value + ((b * H + h) * D + t) * Sk, count: Sk)
                        case .sequenceFirst:
                            for j in 0..<Sk { row[j] = kp.value[((b * Sk + j) * H + h) * D + t] }
                        }
                    }
                    for i in 0..<S {
                        let qRow = qp.value + (query == .headsFirst ? ((b * H + h) * S + i) * D : ((b * S + i) * H + h) * D)
                        var c = 0
                        while c < padded {
                            var acc = VectorMath.V()
                            for t in 0..<D {
                                acc = acc.addingProduct(VectorMath.V(repeating: qRow[t]),
                                                        UnsafeRawPointer(kt + t * padded + c).loadUnaligned(as: VectorMath.V.self))
                            }
                            UnsafeMutableRawPointer(scores + c).storeBytes(of: acc, as: VectorMath.V.self)
                            c += 16
                        }
                        if let scale {
                            if divides { for j in 0..<Sk { scores[j] = scores[j] / scale } } else { for j in 0..<Sk { scores[j] = scores[j] * scale } }
                        }
                        if let m = mp.value {
                            let base = m + b * maskStrides[0] + h * maskStrides[1] + i * maskStrides[2]
                            let sj = maskStrides[3]
                            for j in 0..<Sk { scores[j] = scores[j] + base[j * sj] }
                        }
                        ReduceOps.softmaxRow(scores, probabilities, Sk, log: false)
                        let oRow = op.value + (output == .headsFirst ? ((b * H + h) * S + i) * Dv : ((b * S + i) * H + h) * Dv)
                        var d = 0
                        while d + 16 <= Dv {
                            var acc = VectorMath.V()
                            for j in 0..<Sk {
                                let vRow = vp.value + (value == .headsFirst ? ((b * H + h) * Sk + j) * Dv : ((b * Sk + j) * H + h) * Dv)
                                acc = acc.addingProduct(VectorMath.V(repeating: probabilities[j]),
                                                        UnsafeRawPointer(vRow + d).loadUnaligned(as: VectorMath.V.self))
                            }
                            UnsafeMutableRawPointer(oRow + d).storeBytes(of: acc, as: VectorMath.V.self)
                            d += 16
                        }
                        while d < Dv {
                            var acc: Float = 0
                            for j in 0..<Sk {
                                let vRow = vp.value + (value == .headsFirst ? ((b * H + h) * Sk + j) * Dv : ((b * Sk + j) * H + h) * Dv)
                                acc += probabilities[j] * vRow[d]
                            }
                            oRow[d] = acc
                            d += 1
                        }
                    }
                }
            }
            return [out]
        }
    }
}
