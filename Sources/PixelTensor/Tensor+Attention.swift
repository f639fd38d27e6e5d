#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Fused multi-head scaled dot-product attention on `[B, T, E]` tensors, heads interleaved in `E`
/// (head `h` owns columns `h·d…(h+1)·d - 1`, `d = E / heads`), so no head permutes are needed:
/// `P_bh = softmax(Q_bh K_bhᵀ / √d + mask_b)`, optional inverted dropout on `P`, `O_bh = P_bh V_bh`.
///
/// Shapes: `query` `[B, Tq, E]`, `key`/`value` `[B, Tk, E]`, output `[B, Tq, E]`; `keyPaddingMask`
/// has `B·Tk` flags, `true` = ignore that key (a fully masked row yields NaN, as PyTorch).
/// `causal` (self-attention, `Tq == Tk`): query `r` sees keys `j ≤ r` only (PyTorch's
/// `attn_mask = triu(-inf, diagonal=1)`); with a padding mask as well, a padded query still sees
/// itself (key `r`), so left-padded sequences never produce a fully masked row: padded positions
/// attend only to themselves and real positions only to real keys at or before them.
/// Backward (`P̃` = P after dropout, `M` the dropout scale mask): `∂V = P̃ᵀ ∂O`, `∂P = (∂O Vᵀ) ⊙ M`,
/// `∂S = P ⊙ (∂P - Σ_row ∂P⊙P) / √d`, `∂Q = ∂S K`, `∂K = ∂Sᵀ Q`.
public func multiHeadAttention(
    query: Tensor, key: Tensor, value: Tensor, heads: Int, keyPaddingMask: [Bool]? = nil, causal: Bool = false,
    dropout p: Float = 0, generator: inout RandomGenerator
) -> Tensor {
    precondition(query.rank == 3 && key.rank == 3 && value.rank == 3, "attention: inputs must be [B, T, E]")
    let b = query.shape[0], tq = query.shape[1], e = query.shape[2], tk = key.shape[1]
    precondition(
        key.shape == [b, tk, e] && value.shape == [b, tk, e],
        "attention: key/value \(key.shape), \(value.shape) for query \(query.shape)")
    precondition(heads > 0 && e % heads == 0, "attention: \(e) not divisible by \(heads) heads")
    if let keyPaddingMask {
        precondition(keyPaddingMask.count == b * tk, "attention: mask needs B·Tk = \(b * tk) flags")
    }
    precondition(p >= 0 && p < 1, "attention: dropout \(p) not in [0, 1)")
    precondition(!causal || tq == tk, "attention: causal needs Tq == Tk, got \(tq) and \(tk)")
    let d = e / heads
    let scale = 1 / Float(d).squareRoot()
    var probabilities = Tensor(uninitializedShape: [b, heads, tq, tk])  // P, before dropout
    var dropMask: Tensor? = nil
    if p > 0 {
        var m = Tensor(uninitializedShape: [b, heads, tq, tk])
        let keep = 1 / (1 - p)
        m.withUnsafeMutableBufferPointer { mp in
            for i in 0..<mp.count { mp[i] = generator.nextUniform() < p ? 0 : keep }
        }
        dropMask = m
    }
    var out = Tensor(uninitializedShape: [b, tq, e])
    let pq = query.storage.pointer, pk = key.storage.pointer, pv = value.storage.pointer
    withUnsafeTemporaryAllocation(of: Float.self, capacity: tq * tk) { dropped in
        probabilities.withUnsafeMutableBufferPointer { pp in
            out.withUnsafeMutableBufferPointer { op in
                for i in 0..<b {
                    for h in 0..<heads {
                        let s = pp.baseAddress! + (i * heads + h) * tq * tk
                        let q = pq + i * tq * e + h * d, k = pk + i * tk * e + h * d, v = pv + i * tk * e + h * d
                        BLAS.gemm(
                            transposeA: false, transposeB: true, m: tq, n: tk, k: d, alpha: scale,
                            a: q, lda: e, b: k, ldb: e, c: s, ldc: tk)
                        for r in 0..<tq {
                            let row = s + r * tk
                            if let keyPaddingMask {
                                for j in 0..<tk where keyPaddingMask[i * tk + j] && !(causal && j == r) {
                                    row[j] = -.infinity
                                }
                            }
                            if causal { for j in (r + 1)..<max(r + 1, tk) { row[j] = -.infinity } }
                            let m = Kernels.max(row, tk)
                            var total: Float = 0
                            for j in 0..<tk {
                                row[j] = expf(row[j] - m)
                                total += row[j]
                            }
                            let inv = 1 / total
                            for j in 0..<tk { row[j] *= inv }
                        }
                        var weights = UnsafePointer(s)
                        if let dropMask {
                            let mk = dropMask.storage.pointer + (i * heads + h) * tq * tk
                            for j in 0..<(tq * tk) { dropped[j] = s[j] * mk[j] }
                            weights = UnsafePointer(dropped.baseAddress!)
                        }
                        BLAS.gemm(
                            transposeA: false, transposeB: false, m: tq, n: d, k: tk,
                            a: weights, lda: tk, b: v, ldb: e, c: op.baseAddress! + i * tq * e + h * d, ldc: e)
                    }
                }
            }
        }
    }
    if let nodes = Autograd.trackedInputs(query, key, value) {
        let probabilities = probabilities, dropMask = dropMask
        let qd = query.detached(), kd = key.detached(), vd = value.detached()
        out.recordOp(inputs: nodes) { g in
            // Every (batch, head) block of the three is written once below by a β = 0 product: no zero fill.
            var dq = Tensor(uninitializedShape: qd.shape), dk = Tensor(uninitializedShape: kd.shape)
            var dv = Tensor(uninitializedShape: vd.shape)
            let pg = g.storage.pointer, pq = qd.storage.pointer, pk = kd.storage.pointer, pv = vd.storage.pointer
            let pp = probabilities.storage.pointer
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * tq * tk) { scratch in
                let dp = scratch.baseAddress!, dropped = dp + tq * tk
                dq.withUnsafeMutableBufferPointer { dqp in
                    dk.withUnsafeMutableBufferPointer { dkp in
                        dv.withUnsafeMutableBufferPointer { dvp in
                            for i in 0..<b {
                                for h in 0..<heads {
                                    let off = (i * heads + h) * tq * tk
                                    let s = pp + off
                                    let qo = i * tq * e + h * d, ko = i * tk * e + h * d
                                    let go = pg + qo
                                    var weights = UnsafePointer(s)
                                    if let dropMask {
                                        let mk = dropMask.storage.pointer + off
                                        for j in 0..<(tq * tk) { dropped[j] = s[j] * mk[j] }
                                        weights = UnsafePointer(dropped)
                                    }
                                    // ∂V += P̃ᵀ ∂O; ∂P = ∂O Vᵀ
                                    BLAS.gemm(
                                        transposeA: true, transposeB: false, m: tk, n: d, k: tq,
                                        a: weights, lda: tk, b: go, ldb: e, c: dvp.baseAddress! + ko, ldc: e)
                                    BLAS.gemm(
                                        transposeA: false, transposeB: true, m: tq, n: tk, k: d,
                                        a: go, lda: e, b: pv + ko, ldb: e, c: dp, ldc: tk)
                                    if let dropMask {
                                        let mk = dropMask.storage.pointer + off
                                        for j in 0..<(tq * tk) { dp[j] *= mk[j] }
                                    }
                                    for r in 0..<tq {
                                        let pr = s + r * tk, dr = dp + r * tk
                                        let dot = Kernels.dot(dr, pr, tk)
                                        for j in 0..<tk { dr[j] = pr[j] * (dr[j] - dot) * scale }
                                    }
                                    BLAS.gemm(
                                        transposeA: false, transposeB: false, m: tq, n: d, k: tk,
                                        a: dp, lda: tk, b: pk + ko, ldb: e, c: dqp.baseAddress! + qo, ldc: e)
                                    BLAS.gemm(
                                        transposeA: true, transposeB: false, m: tk, n: d, k: tq,
                                        a: dp, lda: tk, b: pq + qo, ldb: e, c: dkp.baseAddress! + ko, ldc: e)
                                }
                            }
                        }
                    }
                }
            }
            return [.dense(dq), .dense(dk), .dense(dv)]
        }
    }
    return out
}
