// Shape ops: reshape (shares storage), permute/transpose, concat, slice, index select and gather.

extension Tensor {
    /// The same scalars under a new shape (one extent may be `-1`); shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let hole = target.firstIndex(of: -1) {
            let known = target.enumerated().filter { $0.offset != hole }.reduce(1) { $0 * $1.element }
            target[hole] = known == 0 ? 0 : count / known
        }
        precondition(target.reduce(1, *) == count, "reshape: \(shape) → \(newShape)")
        if target == shape { return self }
        var out = Tensor(storage: storage, shape: target)
        if let nodes = Autograd.trackedInputs(self) {
            let s = shape
            out.recordOp(inputs: nodes) { g in [.dense(Tensor(storage: g.storage, shape: s))] }
        }
        return out
    }

    /// Inserts an axis of extent 1 at `axis`.
    public func expandingDims(at axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
        return reshaped(s)
    }

    /// Dimensions reordered: output axis `i` is input axis `permutation[i]`. Backward: the inverse permutation.
    public func permuted(_ permutation: [Int]) -> Tensor {
        precondition(permutation.sorted() == Array(0..<rank), "permute: \(permutation) for rank \(rank)")
        if permutation == Array(0..<rank) { return self }
        let outShape = permutation.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { inStrides[i] = inStrides[i + 1] * shape[i + 1] }
        let srcStrides = permutation.map { inStrides[$0] }
        var out = Tensor(uninitializedShape: outShape)
        let x = storage.pointer
        out.withUnsafeMutableBufferPointer { o in
            let y = o.baseAddress!
            let r = rank
            let n = outShape[r - 1], step = srcStrides[r - 1]
            let rows = count / Swift.max(n, 1)
            var index = [Int](repeating: 0, count: r)
            var src = 0
            for row in 0..<rows {
                let yr = y + row * n
                if step == 1 {
                    yr.update(from: x + src, count: n)
                } else {
                    for j in 0..<n { yr[j] = x[src + j * step] }
                }
                var d = r - 2
                while d >= 0 {
                    index[d] += 1
                    src += srcStrides[d]
                    if index[d] < outShape[d] { break }
                    src -= srcStrides[d] * outShape[d]
                    index[d] = 0
                    d -= 1
                }
            }
        }
        if let nodes = Autograd.trackedInputs(self) {
            var inverse = [Int](repeating: 0, count: rank)
            for (i, p) in permutation.enumerated() { inverse[p] = i }
            out.recordOp(inputs: nodes) { g in [.dense(g.permuted(inverse))] }
        }
        return out
    }

    /// Swaps two axes.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var p = Array(0..<rank)
        p.swapAt(normalizedAxis(a), normalizedAxis(b))
        return permuted(p)
    }

    /// Scalars `start..<end` along `axis`. Backward: the gradient placed back into zeros.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a], "slice: \(range) of extent \(shape[a])")
        let (outer, n, inner) = axisView(a)
        let m = range.count
        var outShape = shape
        outShape[a] = m
        var out = Tensor(uninitializedShape: outShape)
        let x = storage.pointer
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<outer {
                (o.baseAddress! + i * m * inner).update(from: x + (i * n + range.lowerBound) * inner, count: m * inner)
            }
        }
        if let nodes = Autograd.trackedInputs(self) {
            let s = shape
            out.recordOp(inputs: nodes) { g in
                var dx = Tensor(zeros: s)
                let pg = g.storage.pointer
                dx.withUnsafeMutableBufferPointer { d in
                    for i in 0..<outer {
                        (d.baseAddress! + (i * n + range.lowerBound) * inner).update(
                            from: pg + i * m * inner, count: m * inner)
                    }
                }
                return [.dense(dx)]
            }
        }
        return out
    }

    /// Rows `indices` along `axis` (PyTorch `index_select`). Backward: scatter-add.
    /// - Precondition: every index is in `0..<shape[axis]`.
    public func indexSelect(axis: Int, indices: [Int32]) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, n, inner) = axisView(a)
        let m = indices.count
        for i in indices { precondition(i >= 0 && Int(i) < n, "indexSelect: index \(i) out of 0..<\(n)") }
        var outShape = shape
        outShape[a] = m
        var out = Tensor(uninitializedShape: outShape)
        let x = storage.pointer
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<outer {
                for (k, idx) in indices.enumerated() {
                    (o.baseAddress! + (i * m + k) * inner).update(from: x + (i * n + Int(idx)) * inner, count: inner)
                }
            }
        }
        if let nodes = Autograd.trackedInputs(self) {
            let s = shape
            out.recordOp(inputs: nodes) { g in
                var dx = Tensor(zeros: s)
                let pg = g.storage.pointer
                dx.withUnsafeMutableBufferPointer { d in
                    for i in 0..<outer {
                        for (k, idx) in indices.enumerated() {
                            let dst = d.baseAddress! + (i * n + Int(idx)) * inner, src = pg + (i * m + k) * inner
                            for j in 0..<inner { dst[j] += src[j] }
                        }
                    }
                }
                return [.dense(dx)]
            }
        }
        return out
    }

    /// `out[…, i, …] = self[…, index[…, i, …], …]` along `axis` (PyTorch `gather`); `index` has this
    /// tensor's shape except along `axis`. Backward: scatter-add.
    public func gather(axis: Int, index: IndexTensor) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(index.shape.count == rank, "gather: index rank \(index.shape.count) ≠ \(rank)")
        for d in 0..<rank where d != a {
            precondition(index.shape[d] == shape[d], "gather: index shape \(index.shape) vs \(shape)")
        }
        let (outer, n, inner) = axisView(a)
        let m = index.shape[a]
        var out = Tensor(uninitializedShape: index.shape)
        let x = storage.pointer
        let ids = index.indices
        for v in ids { precondition(v >= 0 && Int(v) < n, "gather: index \(v) out of 0..<\(n)") }
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<outer {
                for k in 0..<m {
                    for j in 0..<inner {
                        let t = (i * m + k) * inner + j
                        o[t] = x[(i * n + Int(ids[t])) * inner + j]
                    }
                }
            }
        }
        if let nodes = Autograd.trackedInputs(self) {
            let s = shape
            out.recordOp(inputs: nodes) { g in
                var dx = Tensor(zeros: s)
                let pg = g.storage.pointer
                dx.withUnsafeMutableBufferPointer { d in
                    for i in 0..<outer {
                        for k in 0..<m {
                            for j in 0..<inner {
                                let t = (i * m + k) * inner + j
                                d[(i * n + Int(ids[t])) * inner + j] += pg[t]
                            }
                        }
                    }
                }
                return [.dense(dx)]
            }
        }
        return out
    }
}

/// Concatenation along `axis`; every other extent must agree. Backward: slices of the gradient.
public func concat(_ tensors: [Tensor], axis: Int) -> Tensor {
    precondition(!tensors.isEmpty, "concat: no tensors")
    let first = tensors[0]
    let a = first.normalizedAxis(axis)
    var outShape = first.shape
    outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
    for t in tensors {
        precondition(t.rank == first.rank, "concat: ranks differ")
        for d in 0..<first.rank where d != a {
            precondition(t.shape[d] == first.shape[d], "concat: \(t.shape) vs \(first.shape)")
        }
    }
    let outer = first.shape[..<a].reduce(1, *), inner = first.shape[(a + 1)...].reduce(1, *)
    let total = outShape[a]
    var out = Tensor(uninitializedShape: outShape)
    out.withUnsafeMutableBufferPointer { o in
        var offset = 0
        for t in tensors {
            let n = t.shape[a], x = t.storage.pointer
            for i in 0..<outer {
                (o.baseAddress! + (i * total + offset) * inner).update(from: x + i * n * inner, count: n * inner)
            }
            offset += n
        }
    }
    if let nodes = Autograd.trackedInputs(array: tensors) {
        let extents = tensors.map { $0.shape[a] }
        out.recordOp(inputs: nodes) { g in
            var start = 0
            return extents.enumerated().map { k, n in
                defer { start += n }
                return nodes[k] == nil ? nil : .dense(g.slice(axis: a, start..<(start + n)))
            }
        }
    }
    return out
}

/// Stacks equal-shaped tensors along a new axis.
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    concat(tensors.map { $0.expandingDims(at: axis) }, axis: axis)
}
