// Embedding lookup with sparse row gradients.

/// Rows of `weight` (`[rows, width]`) for every id: output `[ids.shape…, width]`.
///
/// Backward: when `weight` is a leaf (a parameter) its gradient is ``SparseRows`` — only the looked-up
/// rows, duplicates kept (optimizers coalesce); otherwise a dense scatter-add.
/// - Precondition: every id is in `0..<rows`.
public func embedding(_ weight: Tensor, ids: IndexTensor) -> Tensor {
    precondition(weight.rank == 2, "embedding: weight must be [rows, width], got \(weight.shape)")
    let rows = weight.shape[0], width = weight.shape[1]
    var out = Tensor(uninitializedShape: ids.shape + [width])
    let pw = weight.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        let indices = ids.indices, ahead = Prefetch.rowDistance
        for (i, id) in indices.enumerated() {
            precondition(id >= 0 && Int(id) < rows, "embedding: id \(id) out of 0..<\(rows)")
            // Random rows of a large table: start the misses of a later row before this copy.
            if i + ahead < indices.count, case let next = Int(indices[i + ahead]), next >= 0 && next < rows {
                Prefetch.read(pw + next * width, count: width)
            }
            (o.baseAddress! + i * width).update(from: pw + Int(id) * width, count: width)
        }
    }
    if let nodes = Autograd.trackedInputs(weight) {
        let sparse = nodes[0]?.isLeaf ?? false
        let indices = ids.indices
        out.recordOp(inputs: nodes) { g in
            let rowsGrad = SparseRows(indices: indices, values: g.reshaped([indices.count, width]), rowCount: rows)
            return [sparse ? .rows(rowsGrad) : .dense(rowsGrad.densified())]
        }
    }
    return out
}
