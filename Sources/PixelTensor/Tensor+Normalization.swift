// Fused normalizations: layer norm (last axis), batch norm (axis 0 of `[N, C]`), L2 normalize.

/// Layer normalization over the last axis of width `d`:
/// `y = (x - μ) / √(σ² + ε) · weight + bias`, `σ²` the biased variance of the row.
/// Backward (`x̂` the normalized input, `ĝ = g ⊙ weight`):
/// `∂x = rstd · (ĝ - mean(ĝ) - x̂ · mean(ĝ ⊙ x̂))`, `∂weight = Σ_rows g ⊙ x̂`, `∂bias = Σ_rows g`.
public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Float = 1e-5) -> Tensor {
    let d = x.shape.last ?? 1, rows = x.count / Swift.max(d, 1)
    if let weight { precondition(weight.shape == [d], "layerNorm: weight \(weight.shape) for width \(d)") }
    if let bias { precondition(bias.shape == [d], "layerNorm: bias \(bias.shape) for width \(d)") }
    var out = Tensor(uninitializedShape: x.shape)
    var xhat = Tensor(uninitializedShape: x.shape)
    var rstd = [Float](repeating: 0, count: rows)
    let px = x.storage.pointer
    let pw = weight?.storage.pointer, pb = bias?.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        xhat.withUnsafeMutableBufferPointer { h in
            for r in 0..<rows {
                let xr = px + r * d, yr = o.baseAddress! + r * d, hr = h.baseAddress! + r * d
                let mean = Kernels.sum(xr, d) / Float(d)
                for j in 0..<d { hr[j] = xr[j] - mean }
                let variance = Kernels.dot(hr, hr, d) / Float(d)
                let rs = 1 / (variance + epsilon).squareRoot()
                rstd[r] = rs
                for j in 0..<d { hr[j] *= rs }
                switch (pw, pb) {
                case let (w?, b?): for j in 0..<d { yr[j] = hr[j] * w[j] + b[j] }
                case let (w?, nil): for j in 0..<d { yr[j] = hr[j] * w[j] }
                case let (nil, b?): for j in 0..<d { yr[j] = hr[j] + b[j] }
                case (nil, nil): yr.update(from: hr, count: d)
                }
            }
        }
    }
    let inputs = [x, weight ?? Tensor(0), bias ?? Tensor(0)]
    if let nodes = Autograd.trackedInputs(array: inputs) {
        let w = weight?.detached()
        let needW = weight != nil && nodes[1] != nil, needB = bias != nil && nodes[2] != nil
        out.recordOp(inputs: nodes) { g in
            var dx = Tensor(uninitializedShape: xhat.shape)
            var dw = Tensor(zeros: [d]), db = Tensor(zeros: [d])
            var ghat = [Float](repeating: 0, count: d)
            let pg = g.storage.pointer, ph = xhat.storage.pointer, pw = w?.storage.pointer
            dx.withUnsafeMutableBufferPointer { dxp in
                dw.withUnsafeMutableBufferPointer { dwp in
                    db.withUnsafeMutableBufferPointer { dbp in
                        ghat.withUnsafeMutableBufferPointer { gh in
                            let ghp = gh.baseAddress!
                            for r in 0..<rows {
                                let gr = pg + r * d, hr = ph + r * d, dr = dxp.baseAddress! + r * d
                                for j in 0..<d {
                                    dwp[j] += gr[j] * hr[j]
                                    dbp[j] += gr[j]
                                }
                                if let pw {
                                    for j in 0..<d { ghp[j] = gr[j] * pw[j] }
                                } else {
                                    ghp.update(from: gr, count: d)
                                }
                                let meanG = Kernels.sum(ghp, d) / Float(d)
                                let meanGH = Kernels.dot(ghp, hr, d) / Float(d)
                                let rs = rstd[r]
                                for j in 0..<d { dr[j] = rs * (ghp[j] - meanG - hr[j] * meanGH) }
                            }
                        }
                    }
                }
            }
            return [.dense(dx), needW ? .dense(dw) : nil, needB ? .dense(db) : nil]
        }
    }
    return out
}

/// Batch normalization of `[N, C]` over the batch axis.
///
/// Training: `y = (x - μ_B) / √(σ²_B + ε) · weight + bias` with the batch mean and biased variance; the
/// running statistics move as `r ← (1 - momentum)·r + momentum·stat` (the running variance takes the
/// unbiased batch variance, as PyTorch). Evaluation: the running statistics replace the batch's.
/// Backward (training, `ĝ = g ⊙ weight`): `∂x = rstd/N · (N·ĝ - Σ_N ĝ - x̂ · Σ_N ĝ⊙x̂)`.
public func batchNorm(
    _ x: Tensor, weight: Tensor, bias: Tensor, runningMean: inout Tensor, runningVariance: inout Tensor,
    training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5
) -> Tensor {
    precondition(x.rank == 2, "batchNorm: expects [N, C], got \(x.shape)")
    let n = x.shape[0], c = x.shape[1]
    precondition(weight.shape == [c] && bias.shape == [c], "batchNorm: weight/bias must be [\(c)]")
    var mean = [Float](repeating: 0, count: c), variance = [Float](repeating: 0, count: c)
    let px = x.storage.pointer
    if training {
        precondition(n > 1, "batchNorm: training needs more than one sample")
        mean.withUnsafeMutableBufferPointer { mp in
            variance.withUnsafeMutableBufferPointer { vp in
                let m = mp.baseAddress!, v = vp.baseAddress!
                for r in 0..<n {
                    let xr = px + r * c
                    for j in 0..<c { m[j] += xr[j] }
                }
                for j in 0..<c { m[j] /= Float(n) }
                for r in 0..<n {
                    let xr = px + r * c
                    for j in 0..<c {
                        let t = xr[j] - m[j]
                        v[j] += t * t
                    }
                }
                for j in 0..<c { v[j] /= Float(n) }
            }
        }
        let unbias = Float(n) / Float(n - 1)
        runningMean.withUnsafeMutableBufferPointer { rm in
            runningVariance.withUnsafeMutableBufferPointer { rv in
                for j in 0..<c {
                    rm[j] = (1 - momentum) * rm[j] + momentum * mean[j]
                    rv[j] = (1 - momentum) * rv[j] + momentum * variance[j] * unbias
                }
            }
        }
    } else {
        mean = runningMean.scalars
        variance = runningVariance.scalars
    }
    let rstd = variance.map { 1 / ($0 + epsilon).squareRoot() }
    var xhat = Tensor(uninitializedShape: x.shape)
    var out = Tensor(uninitializedShape: x.shape)
    let pw = weight.storage.pointer, pb = bias.storage.pointer
    xhat.withUnsafeMutableBufferPointer { h in
        out.withUnsafeMutableBufferPointer { o in
            mean.withUnsafeBufferPointer { mp in
                rstd.withUnsafeBufferPointer { sp in
                    let m = mp.baseAddress!, s = sp.baseAddress!
                    for r in 0..<n {
                        let xr = px + r * c, hr = h.baseAddress! + r * c, yr = o.baseAddress! + r * c
                        for j in 0..<c {
                            let v = (xr[j] - m[j]) * s[j]
                            hr[j] = v
                            yr[j] = v * pw[j] + pb[j]
                        }
                    }
                }
            }
        }
    }
    if let nodes = Autograd.trackedInputs(x, weight, bias) {
        let w = weight.detached()
        out.recordOp(inputs: nodes) { g in
            let pg = g.storage.pointer, ph = xhat.storage.pointer, pw = w.storage.pointer
            var sumG = Tensor(zeros: [c]), sumGH = Tensor(zeros: [c])
            var dx = Tensor(uninitializedShape: x.shape)
            sumG.withUnsafeMutableBufferPointer { sgp in
                sumGH.withUnsafeMutableBufferPointer { shp in
                    let sg = sgp.baseAddress!, sh = shp.baseAddress!
                    for r in 0..<n {
                        let gr = pg + r * c, hr = ph + r * c
                        for j in 0..<c {
                            sg[j] += gr[j]
                            sh[j] += gr[j] * hr[j]
                        }
                    }
                    rstd.withUnsafeBufferPointer { sp in
                        let s = sp.baseAddress!
                        dx.withUnsafeMutableBufferPointer { d in
                            let invN = 1 / Float(n)
                            for r in 0..<n {
                                let gr = pg + r * c, hr = ph + r * c, dr = d.baseAddress! + r * c
                                if training {
                                    for j in 0..<c {
                                        dr[j] = pw[j] * s[j] * (gr[j] - invN * sg[j] - hr[j] * invN * sh[j])
                                    }
                                } else {
                                    for j in 0..<c { dr[j] = gr[j] * pw[j] * s[j] }
                                }
                            }
                        }
                    }
                }
            }
            return [.dense(dx), .dense(sumGH), .dense(sumG)]
        }
    }
    return out
}

/// `x / max(‖x‖₂, ε)` along the last axis (PyTorch `F.normalize`).
/// Backward: `∂x = (g - y · Σ g⊙y) / ‖x‖` where `‖x‖ > ε`, else `g / ε`.
public func l2Normalize(_ x: Tensor, epsilon: Float = 1e-12) -> Tensor {
    let d = x.shape.last ?? 1, rows = x.count / Swift.max(d, 1)
    var out = Tensor(uninitializedShape: x.shape)
    var norms = [Float](repeating: 0, count: rows)
    let px = x.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        for r in 0..<rows {
            let xr = px + r * d, yr = o.baseAddress! + r * d
            let norm = Kernels.dot(xr, xr, d).squareRoot()
            norms[r] = norm
            let inv = 1 / Swift.max(norm, epsilon)
            for j in 0..<d { yr[j] = xr[j] * inv }
        }
    }
    if let nodes = Autograd.trackedInputs(x) {
        let y = out.detached()
        out.recordOp(inputs: nodes) { g in
            var dx = Tensor(uninitializedShape: y.shape)
            let py = y.storage.pointer, pg = g.storage.pointer
            dx.withUnsafeMutableBufferPointer { dp in
                for r in 0..<rows {
                    let yr = py + r * d, gr = pg + r * d, dr = dp.baseAddress! + r * d
                    if norms[r] > epsilon {
                        let s = Kernels.dot(gr, yr, d), inv = 1 / norms[r]
                        for j in 0..<d { dr[j] = (gr[j] - yr[j] * s) * inv }
                    } else {
                        for j in 0..<d { dr[j] = gr[j] / epsilon }
                    }
                }
            }
            return [.dense(dx)]
        }
    }
    return out
}

/// Cosine similarity along the last axis: `Σ (a/max(‖a‖,ε)) ⊙ (b/max(‖b‖,ε))`; broadcasting applies.
public func cosineSimilarity(_ a: Tensor, _ b: Tensor, epsilon: Float = 1e-8) -> Tensor {
    (l2Normalize(a, epsilon: epsilon) * l2Normalize(b, epsilon: epsilon)).sum(axis: -1)
}
