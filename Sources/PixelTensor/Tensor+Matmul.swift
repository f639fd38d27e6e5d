// Matrix products through `BLAS.gemm`: transposes are BLAS flags, never copies.

/// `op(a) · op(b)` over the last two axes, where `op` transposes when asked.
///
/// Shapes: `a` is `[…, m, k]` (`[…, k, m]` when `transposeA`), `b` is `[…, k, n]` (`[…, n, k]` when
/// `transposeB`); the leading (batch) axes must agree, or one operand is a plain matrix and is shared
/// by every batch. When `b` is a matrix and `a` is not transposed, the whole batch is one `sgemm` over
/// `[batch·m, k]`.
/// Backward: `∂a = g · op(b)ᵀ`, `∂b = op(a)ᵀ · g` (mapped back through the transposes, summed over a
/// shared operand's batch).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    precondition(a.rank >= 2 && b.rank >= 2, "matmul: operands must be at least matrices (\(a.shape), \(b.shape))")
    if b.rank == 2 && a.rank > 2 && !transposeA {
        let k = a.shape[a.rank - 1]
        let flat = matmul(a.reshaped([-1, k]), b, transposeB: transposeB)
        return flat.reshaped(Array(a.shape.dropLast()) + [flat.shape[1]])
    }
    let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
    let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
    let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
    let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
    precondition(
        k == kb,
        "matmul: inner extents differ (\(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : ""))")
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    precondition(batchA == batchB || batchA.isEmpty || batchB.isEmpty, "matmul: batch axes \(batchA) vs \(batchB)")
    let batch = batchA.isEmpty ? batchB : batchA
    let count = batch.reduce(1, *)
    var out = Tensor(uninitializedShape: batch + [m, n])
    let pa = a.storage.pointer, pb = b.storage.pointer
    let strideA = batchA.isEmpty ? 0 : m * k, strideB = batchB.isEmpty ? 0 : k * n
    let lda = a.shape[a.rank - 1], ldb = b.shape[b.rank - 1]
    out.withUnsafeMutableBufferPointer { o in
        for i in 0..<count {
            BLAS.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: pa + i * strideA, lda: lda, b: pb + i * strideB, ldb: ldb, c: o.baseAddress! + i * m * n, ldc: n)
        }
    }
    if let nodes = Autograd.trackedInputs(a, b) {
        let ad = a.detached(), bd = b.detached()
        out.recordOp(inputs: nodes) { g in
            var da: Tensor? = nil, db: Tensor? = nil
            if nodes[0] != nil {
                da =
                    transposeA
                    ? matmul(bd, g, transposeA: transposeB, transposeB: true)
                    : matmul(g, bd, transposeB: !transposeB)
            }
            if nodes[1] != nil {
                db =
                    transposeB
                    ? matmul(g, ad, transposeA: true, transposeB: transposeA)
                    : matmul(ad, g, transposeA: !transposeA)
            }
            return [da.map { .dense(unbroadcast($0, to: ad.shape)) }, db.map { .dense(unbroadcast($0, to: bd.shape)) }]
        }
    }
    return out
}
