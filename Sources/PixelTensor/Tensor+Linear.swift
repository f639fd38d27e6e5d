// The fused affine map of a fully connected layer.

/// `y = x · Wᵀ + b` over the last axis: `x` `[…, in]`, `weight` `[out, in]`, `bias` `[out]`, `y` `[…, out]`.
///
/// One `sgemm` with `β = 1` onto rows pre-filled with the bias (no separate broadcast pass).
/// Backward: `∂x = g · W`, `∂W = gᵀ · x` (rows flattened), `∂b = Σ_rows g`.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    precondition(weight.rank == 2, "linear: weight must be [out, in], got \(weight.shape)")
    let outputs = weight.shape[0], inputs = weight.shape[1]
    precondition(x.shape.last == inputs, "linear: input \(x.shape) for weight \(weight.shape)")
    if let bias { precondition(bias.shape == [outputs], "linear: bias \(bias.shape) for \(outputs) outputs") }
    let rows = x.count / Swift.max(inputs, 1)
    var out = Tensor(uninitializedShape: Array(x.shape.dropLast()) + [outputs])
    let px = x.storage.pointer, pw = weight.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        let y = o.baseAddress!
        if let bias {
            let pb = bias.storage.pointer
            if outputs % 16 == 0 {
                // Inline vector stores: a memmove call per (short) row cost more than the copy.
                for r in 0..<rows {
                    let yr = y + r * outputs
                    var j = 0
                    while j < outputs {
                        UnsafeMutableRawPointer(yr + j).storeBytes(
                            of: UnsafeRawPointer(pb + j).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
                        j += 16
                    }
                }
            } else {
                for r in 0..<rows { (y + r * outputs).update(from: pb, count: outputs) }
            }
        }
        BLAS.gemm(
            transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, a: px, lda: inputs, b: pw, ldb: inputs,
            beta: bias == nil ? 0 : 1, c: y, ldc: outputs)
    }
    if let nodes = Autograd.trackedInputs(x, weight, bias ?? Tensor(0)) {
        let xd = x.detached(), wd = weight.detached()
        out.recordOp(inputs: nodes) { g in
            let g2 = g.reshaped([rows, outputs])
            let dx = nodes[0] == nil ? nil : matmul(g2, wd).reshaped(xd.shape)
            let dw = nodes[1] == nil ? nil : matmul(g2, xd.reshaped([rows, inputs]), transposeA: true)
            let db = (bias == nil || nodes[2] == nil) ? nil : unbroadcast(g2, to: [outputs])
            return [dx.map { .dense($0) }, dw.map { .dense($0) }, db.map { .dense($0) }]
        }
    }
    return out
}
