/// The NumPy broadcast of two shapes (aligned on the right), `nil` when incompatible.
public func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
        let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
        let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Iteration plan for a broadcast between an output shape and up to two operand shapes: dimensions are
/// collapsed where every operand is contiguous (or broadcast) across them, leaving few, long rows.
@usableFromInline
struct BroadcastPlan {
    @usableFromInline var extents: [Int] = []
    @usableFromInline var strides: [[Int]] = []  // per operand, 0 where broadcast

    @usableFromInline
    init(output: [Int], operands: [[Int]]) {
        let rank = output.count
        var full: [[Int]] = []
        for shape in operands {
            let padded = [Int](repeating: 1, count: rank - shape.count) + shape
            var s = [Int](repeating: 0, count: rank)
            var acc = 1
            for i in stride(from: rank - 1, through: 0, by: -1) {
                s[i] = padded[i] == 1 ? 0 : acc
                acc *= padded[i]
            }
            full.append(s)
        }
        var ext: [Int] = []
        var str: [[Int]] = Array(repeating: [], count: operands.count)
        for i in 0..<rank where output[i] != 1 {
            if let last = ext.last {
                var mergeable = true
                for k in 0..<operands.count {
                    let prev = str[k].last!, cur = full[k][i]
                    if !(prev == cur * output[i] || (prev == 0 && cur == 0)) { mergeable = false; break }
                }
                if mergeable {
                    ext[ext.count - 1] = last * output[i]
                    for k in 0..<operands.count { str[k][str[k].count - 1] = full[k][i] }
                    continue
                }
            }
            ext.append(output[i])
            for k in 0..<operands.count { str[k].append(full[k][i]) }
        }
        if ext.isEmpty {
            ext = [1]
            str = Array(repeating: [0], count: operands.count)
        }
        extents = ext
        strides = str
    }

    /// Calls `body(offsets of the row start per operand, row length)` for every innermost row; the
    /// innermost stride of operand k is `strides[k].last` (0 or 1).
    @inlinable @inline(__always)
    func forEachRow(_ body: (_ offsetA: Int, _ offsetB: Int, _ rowStart: Int) -> Void) {
        let r = extents.count
        let n = extents[r - 1]
        let outer = extents.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: max(r - 1, 1))
        var offA = 0, offB = 0
        let sA = strides[0], sB = strides.count > 1 ? strides[1] : [Int](repeating: 0, count: r)
        for row in 0..<outer {
            body(offA, offB, row * n)
            var d = r - 2
            while d >= 0 {
                index[d] += 1
                offA += sA[d]
                offB += sB[d]
                if index[d] < extents[d] { break }
                offA -= sA[d] * extents[d]
                offB -= sB[d] * extents[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

/// Sums `grad` over the axes that broadcasting expanded so it has `shape` again.
///
/// This is the one place broadcasting is undone: every broadcasting op's backward calls it.
public func unbroadcast(_ grad: Tensor, to shape: [Int]) -> Tensor {
    if grad.shape == shape { return grad }
    // Fast path: only leading axes were broadcast (a bias): sum the gradient's rows.
    let trailing = Array(shape.drop { $0 == 1 })
    if grad.shape.count >= trailing.count, Array(grad.shape.suffix(trailing.count)) == trailing {
        let width = trailing.reduce(1, *), rows = grad.count / Swift.max(width, 1)
        var out = Tensor(zeros: shape)
        let g = grad.storage.pointer
        out.withUnsafeMutableBufferPointer { o in
            let t = o.baseAddress!
            if width == 1 {
                t[0] = Kernels.sum(g, rows)
            } else {
                for r in 0..<rows {
                    let gr = g + r * width
                    for j in 0..<width { t[j] += gr[j] }
                }
            }
        }
        return out
    }
    let plan = BroadcastPlan(output: grad.shape, operands: [shape, grad.shape])
    var out = Tensor(zeros: shape)
    let n = plan.extents.last!
    let inner = plan.strides[0].last!
    let g = grad.storage.pointer
    out.withUnsafeMutableBufferPointer { o in
        let t = o.baseAddress!
        plan.forEachRow { offT, _, row in
            if inner == 0 {
                t[offT] += Kernels.sum(g + row, n)
            } else {
                for j in 0..<n { t[offT + j] += g[row + j] }
            }
        }
    }
    return out
}

extension Tensor {
    /// Repeats this tensor along broadcast axes to `shape` (NumPy rules). Backward: ``unbroadcast(_:to:)``.
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(broadcastShape(shape, target) == target, "broadcast: \(shape) cannot broadcast to \(target)")
        let plan = BroadcastPlan(output: target, operands: [shape])
        var out = Tensor(uninitializedShape: target)
        let n = plan.extents.last!
        let inner = plan.strides[0].last!
        let x = storage.pointer
        out.withUnsafeMutableBufferPointer { o in
            let y = o.baseAddress!
            plan.forEachRow { offX, _, row in
                if inner == 0 {
                    (y + row).update(repeating: x[offX], count: n)
                } else {
                    (y + row).update(from: x + offX, count: n)
                }
            }
        }
        if let nodes = Autograd.trackedInputs(self) {
            let source = shape
            out.recordOp(inputs: nodes) { g in [.dense(unbroadcast(g, to: source))] }
        }
        return out
    }
}

/// Element-wise `op(a, b)` with broadcasting; not recorded.
@inline(__always)
func broadcastBinary(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
    let pa = a.storage.pointer, pb = b.storage.pointer
    if a.shape == b.shape {
        var out = Tensor(uninitializedShape: a.shape)
        let n = a.count
        out.withUnsafeMutableBufferPointer { o in
            let y = o.baseAddress!
            for i in 0..<n { y[i] = op(pa[i], pb[i]) }
        }
        return out
    }
    guard let shape = broadcastShape(a.shape, b.shape) else {
        preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
    }
    let plan = BroadcastPlan(output: shape, operands: [a.shape, b.shape])
    var out = Tensor(uninitializedShape: shape)
    let n = plan.extents.last!
    let ia = plan.strides[0].last!, ib = plan.strides[1].last!
    out.withUnsafeMutableBufferPointer { o in
        let y = o.baseAddress!
        plan.forEachRow { offA, offB, row in
            let yr = y + row, ar = pa + offA, br = pb + offB
            switch (ia, ib) {
            case (1, 1): for j in 0..<n { yr[j] = op(ar[j], br[j]) }
            case (1, _):
                let bv = br[0]
                for j in 0..<n { yr[j] = op(ar[j], bv) }
            case (_, 1):
                let av = ar[0]
                for j in 0..<n { yr[j] = op(av, br[j]) }
            default: yr.update(repeating: op(ar[0], br[0]), count: n)
            }
        }
    }
    return out
}
