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
