import PixelTensor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Loss functions; each returns a rank-0 tensor (the mean over the batch).
public enum Loss {
    /// Binary cross-entropy on logits, fused and stable:
    /// `mean(max(x, 0) - x·t + log(1 + e^{-|x|}))`; backward `∂x = (σ(x) - t)/N`.
    public static func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor) -> Tensor {
        precondition(logits.shape == targets.shape, "BCE: logits \(logits.shape) vs targets \(targets.shape)")
        let n = logits.count
        let x = logits.scalars, t = targets.scalars
        var total: Double = 0
        for i in 0..<n { total += Double(max(x[i], 0) - x[i] * t[i] + log1pf(expf(-abs(x[i])))) }
        var out = Tensor(Float(total / Double(max(n, 1))))
        if let nodes = Autograd.trackedInputs(logits, targets) {
            let shape = logits.shape
            out.recordOp(inputs: nodes) { g in
                let scale = g.scalar / Float(max(n, 1))
                var dx = [Float](repeating: 0, count: n), dt = [Float](repeating: 0, count: n)
                for i in 0..<n {
                    let s = x[i] >= 0 ? 1 / (1 + expf(-x[i])) : expf(x[i]) / (1 + expf(x[i]))
                    dx[i] = (s - t[i]) * scale
                    dt[i] = -x[i] * scale
                }
                return [.dense(Tensor(shape: shape, scalars: dx)), .dense(Tensor(shape: shape, scalars: dt))]
            }
        }
        return out
    }

    /// Bayesian personalized ranking: `mean(-log σ(pos - neg)) = mean(softplus(neg - pos))`.
    public static func bpr(positiveScores: Tensor, negativeScores: Tensor) -> Tensor {
        softplus(negativeScores - positiveScores).mean()
    }

    /// Mean squared error `mean((prediction - target)²)`.
    public static func meanSquaredError(_ prediction: Tensor, target: Tensor) -> Tensor {
        pow(prediction - target, 2).mean()
    }

    /// Softmax cross-entropy of `[N, C]` logits against class ids: `-mean(logSoftmax(x)[i, y_i])`.
    public static func crossEntropy(_ logits: Tensor, targets: [Int32]) -> Tensor {
        precondition(
            logits.rank == 2 && logits.shape[0] == targets.count,
            "crossEntropy: logits \(logits.shape), \(targets.count) targets")
        let picked = logSoftmax(logits).gather(
            axis: 1, index: IndexTensor(shape: [targets.count, 1], indices: targets))
        return -picked.mean()
    }

    /// InfoNCE for aligned pairs (row `i` of `a` matches row `i` of `b`), e.g. vision–text alignment:
    /// `logits = normalize(a) · normalize(b)ᵀ / τ` (`[B, B]`), loss = cross-entropy with the diagonal as
    /// targets; `symmetric` averages the a→b and b→a directions (CLIP).
    public static func infoNCE(_ a: Tensor, _ b: Tensor, temperature: Float = 0.07, symmetric: Bool = true) -> Tensor {
        precondition(a.rank == 2 && a.shape == b.shape, "infoNCE: a \(a.shape) vs b \(b.shape)")
        let logits = matmul(l2Normalize(a), l2Normalize(b), transposeB: true) * (1 / temperature)
        let targets = (0..<Int32(a.shape[0])).map { $0 }
        let forward = crossEntropy(logits, targets: targets)
        guard symmetric else { return forward }
        return (forward + crossEntropy(logits.transposed(), targets: targets)) * 0.5
    }

    /// Sampled softmax: each query `[B, D]` scores its positive `[B, D]` against `S` shared negatives
    /// `[S, D]`; `logits = [⟨q, p⟩, ⟨q, n_1⟩ … ⟨q, n_S⟩] / τ`, minus `log Q` of each candidate when
    /// sampling probabilities are given (logQ correction); cross-entropy with target 0.
    public static func sampledSoftmax(
        queries: Tensor, positives: Tensor, negatives: Tensor, temperature: Float = 1,
        positiveLogQ: Tensor? = nil, negativeLogQ: Tensor? = nil
    ) -> Tensor {
        precondition(
            queries.shape == positives.shape, "sampledSoftmax: queries \(queries.shape) vs positives \(positives.shape)"
        )
        var pos = (queries * positives).sum(axis: -1, keepDims: true)  // [B, 1]
        var neg = matmul(queries, negatives, transposeB: true)  // [B, S]
        if let positiveLogQ { pos = pos - positiveLogQ.reshaped([-1, 1]) }
        if let negativeLogQ { neg = neg - negativeLogQ.reshaped([1, -1]) }
        let logits = concat([pos, neg], axis: 1) * (1 / temperature)
        return crossEntropy(logits, targets: [Int32](repeating: 0, count: queries.shape[0]))
    }
}
