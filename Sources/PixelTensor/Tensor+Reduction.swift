// Reductions. A single-axis kernel works on the `[outer, n, inner]` view of the input; several axes are
// reduced one after another (each step recorded), so each backward only has one axis to undo.

extension Tensor {
    @inlinable
    func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(shape)")
        return a
    }

    @usableFromInline
    func axisView(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The sum of every scalar, as a rank-0 tensor. ∂ = g everywhere.
    public func sum() -> Tensor {
        var out = Tensor(Kernels.sum(storage.pointer, count))
        if let nodes = Autograd.trackedInputs(self) {
            let s = shape
            out.recordOp(inputs: nodes) { g in [.dense(Tensor(repeating: g.scalar, shape: s))] }
        }
        return out
    }

    /// The mean of every scalar, as a rank-0 tensor.
    public func mean() -> Tensor { sum() * (1 / Float(Swift.max(count, 1))) }

    /// Sum over `axes` (negative axes count from the end); reduced axes are kept with extent 1 when
    /// `keepDims`.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let sorted = Set(axes.map(normalizedAxis)).sorted(by: >)
        var out = self
        for a in sorted { out = out.sumAxis(a) }
        if !keepDims {
            out = out.reshaped(shape.enumerated().filter { !sorted.contains($0.offset) }.map(\.element))
        }
        return out
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = Set(axes.map(normalizedAxis)).reduce(1) { $0 * shape[$1] }
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(n))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Sum over one axis, keeping it with extent 1.
    func sumAxis(_ axis: Int) -> Tensor {
        let (outer, n, inner) = axisView(axis)
        var outShape = shape
        outShape[axis] = 1
        var out = Tensor(zeros: outShape)
        let x = storage.pointer
        out.withUnsafeMutableBufferPointer { o in
            let y = o.baseAddress!
            if inner == 1 {
                for i in 0..<outer { y[i] = Kernels.sum(x + i * n, n) }
            } else {
                for i in 0..<outer {
                    let yr = y + i * inner
                    for k in 0..<n {
                        let xr = x + (i * n + k) * inner
                        for j in 0..<inner { yr[j] += xr[j] }
                    }
                }
            }
        }
        if let nodes = Autograd.trackedInputs(self) {
            let s = shape
            out.recordOp(inputs: nodes) { g in [.dense(g.broadcast(to: s))] }
        }
        return out
    }

    /// Maximum over `axis`; the gradient flows to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, n, inner) = axisView(a)
        var outShape = shape
        outShape[a] = 1
        var out = Tensor(uninitializedShape: outShape)
        var argmax = [Int32](repeating: 0, count: outer * inner)
        let x = storage.pointer
        out.withUnsafeMutableBufferPointer { o in
            let y = o.baseAddress!
            for i in 0..<outer {
                for j in 0..<inner {
                    var best = x[i * n * inner + j]
                    var at: Int32 = 0
                    for k in 1..<Swift.max(n, 1) {
                        let v = x[(i * n + k) * inner + j]
                        if v > best { best = v; at = Int32(k) }
                    }
                    y[i * inner + j] = best
                    argmax[i * inner + j] = at
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
                        for j in 0..<inner {
                            d[(i * n + Int(argmax[i * inner + j])) * inner + j] = pg[i * inner + j]
                        }
                    }
                }
                return [.dense(dx)]
            }
        }
        if !keepDims { out = out.reshaped(shape.enumerated().filter { $0.offset != a }.map(\.element)) }
        return out
    }
}
