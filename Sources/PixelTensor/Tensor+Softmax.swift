#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Fused, numerically stable softmax and log-softmax (the row maximum is subtracted before `exp`).

/// `softmax(x)_i = e^{x_i - m} / Σ_j e^{x_j - m}` along `axis` (default last), `m` the row maximum.
/// Backward: `∂x = y ⊙ (g - Σ g⊙y)`.
public func softmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let a = x.normalizedAxis(axis)
    if a != x.rank - 1 { return softmax(x.transposed(a, -1)).transposed(a, -1) }
    let n = x.shape.last ?? 1, rows = x.count / Swift.max(n, 1)
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        for r in 0..<rows {
            let xr = px + r * n, yr = o.baseAddress! + r * n
            let m = Kernels.max(xr, n)
            for j in 0..<n { yr[j] = expf(xr[j] - m) }
            let inv = 1 / Kernels.sum(yr, n)
            for j in 0..<n { yr[j] *= inv }
        }
    }
    if let nodes = Autograd.trackedInputs(x) {
        let y = out.detached()
        out.recordOp(inputs: nodes) { g in
            var dx = Tensor(uninitializedShape: y.shape)
            let py = y.storage.pointer, pg = g.storage.pointer
            dx.withUnsafeMutableBufferPointer { d in
                for r in 0..<rows {
                    let yr = py + r * n, gr = pg + r * n, dr = d.baseAddress! + r * n
                    let s = Kernels.dot(gr, yr, n)
                    for j in 0..<n { dr[j] = yr[j] * (gr[j] - s) }
                }
            }
            return [.dense(dx)]
        }
    }
    return out
}

/// `logSoftmax(x)_i = x_i - m - log Σ_j e^{x_j - m}` along `axis` (default last).
/// Backward: `∂x = g - softmax(x) · Σ g`.
public func logSoftmax(_ x: Tensor, axis: Int = -1) -> Tensor {
    let a = x.normalizedAxis(axis)
    if a != x.rank - 1 { return logSoftmax(x.transposed(a, -1)).transposed(a, -1) }
    let n = x.shape.last ?? 1, rows = x.count / Swift.max(n, 1)
    var out = Tensor(uninitializedShape: x.shape)
    let px = x.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        for r in 0..<rows {
            let xr = px + r * n, yr = o.baseAddress! + r * n
            let m = Kernels.max(xr, n)
            var s: Float = 0
            for j in 0..<n { s += expf(xr[j] - m) }
            let shift = m + logf(s)
            for j in 0..<n { yr[j] = xr[j] - shift }
        }
    }
    if let nodes = Autograd.trackedInputs(x) {
        let y = out.detached()
        out.recordOp(inputs: nodes) { g in
            var dx = Tensor(uninitializedShape: y.shape)
            let py = y.storage.pointer, pg = g.storage.pointer
            dx.withUnsafeMutableBufferPointer { d in
                for r in 0..<rows {
                    let yr = py + r * n, gr = pg + r * n, dr = d.baseAddress! + r * n
                    let s = Kernels.sum(gr, n)
                    for j in 0..<n { dr[j] = gr[j] - expf(yr[j]) * s }
                }
            }
            return [.dense(dx)]
        }
    }
    return out
}

/// Softmax cross-entropy of `[M, N]` logits against class ids, fused:
/// `mean_r (log Σ_j e^{x_rj} − x_r,y_r)`; backward `∂x_rj = (softmax(x_r)_j − [j = y_r]) · g / M`.
///
/// One exponential per logit (a SIMD16 polynomial, relative error below 2e-7 against `expf`; the
/// probabilities are kept from the forward pass), so it is several times cheaper than
/// `logSoftmax` + `gather` over wide rows (a full-catalog softmax).
/// - Precondition: every target is in `0..<N`.
public func softmaxCrossEntropy(_ logits: Tensor, targets: [Int32]) -> Tensor {
    precondition(
        logits.rank == 2 && logits.shape[0] == targets.count,
        "softmaxCrossEntropy: logits \(logits.shape), \(targets.count) targets")
    let m = logits.shape[0], n = logits.shape[1]
    for t in targets { precondition(t >= 0 && Int(t) < n, "softmaxCrossEntropy: target \(t) out of 0..<\(n)") }
    let tracked = Autograd.trackedInputs(logits)
    var probabilities = tracked != nil ? Tensor(uninitializedShape: [m, n]) : Tensor(zeros: [0])
    let px = logits.storage.pointer
    var total = 0.0
    withUnsafeTemporaryAllocation(of: Float.self, capacity: tracked != nil ? 0 : n) { scratch in
        probabilities.withUnsafeMutableBufferPointer { pp in
            for r in 0..<m {
                let xr = px + r * n
                let out = tracked != nil ? pp.baseAddress! + r * n : scratch.baseAddress!
                let top = Kernels.max(xr, n)
                let s = Kernels.expShifted(xr, n, shift: top, into: out)
                total += Double(logf(s) + top - xr[Int(targets[r])])
                if tracked != nil {
                    let inv = 1 / s
                    Kernels.scale(out, n, by: inv)
                }
            }
        }
    }
    var out = Tensor(Float(total / Double(max(m, 1))))
    if let nodes = tracked {
        let p = probabilities
        out.recordOp(inputs: nodes) { g in
            var dx = p
            let scale = g.scalar / Float(max(m, 1))
            dx.withUnsafeMutableBufferPointer { d in
                for r in 0..<m { d[r * n + Int(targets[r])] -= 1 }
                Kernels.scale(d.baseAddress!, m * n, by: scale)
            }
            return [.dense(dx)]
        }
    }
    return out
}
