import Foundation

/// Reductions, arg-reductions and softmax.
enum ReduceOps {
    enum Kind { case sum, mean, max, min, prod, l1, l2, sumSquare, logSum, logSumExp }

    /// Since which version the op takes `axes` as an input instead of an attribute.
    static func axesInputVersion(_ op: String) -> Int { op == "ReduceSum" ? 13 : 18 }

    static func make(_ ctx: NodeContext, _ kind: Kind) throws -> Kernel {
        let keepDims = try ctx.int("keepdims", 1) != 0
        let noopEmpty = try ctx.int("noop_with_empty_axes", 0) != 0
        let attrAxes = try ctx.ints("axes")
        let fromInput = ctx.version >= axesInputVersion(ctx.opType)
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let r = x.shape.count
            var axes: [Int]
            if fromInput {
                axes = ctx.optionalInput(inputs, 1) != nil ? try ctx.intsInput(inputs, 1) : []
            } else {
                axes = attrAxes ?? []
            }
            if axes.isEmpty {
                if noopEmpty && fromInput { return [x] }
                axes = Array(0..<r)
            }
            var reduce = [Bool](repeating: false, count: r)
            for a in axes { reduce[try ctx.axis(a, rank: r)] = true }
            return [try reduceValue(ctx, x, reduce: reduce, keepDims: keepDims, kind)]
        }
    }

    static func reduceValue(_ ctx: NodeContext, _ x: ONNXValue, reduce: [Bool], keepDims: Bool, _ kind: Kind) throws
        -> ONNXValue
    {
        let r = x.shape.count
        var outShape: [Int] = []
        for a in 0..<r {
            if reduce[a] { if keepDims { outShape.append(1) } } else { outShape.append(x.shape[a]) }
        }
        // Float sum over one contiguous run of axes with a kept inner block (mean pooling over tokens):
        // out[o, i] = Σ_k x[o, k, i], rows added in the same order as the general path, vectorized over i.
        if kind == .sum, x.elementType == .float, x.count > 0, let lo = reduce.firstIndex(of: true),
            let hi = reduce.lastIndex(of: true), reduce[lo...hi].allSatisfy({ $0 }), hi + 1 < r
        {
            let outer = x.shape[..<lo].reduce(1, *), d = x.shape[lo...hi].reduce(1, *)
            let inner = x.shape[(hi + 1)...].reduce(1, *)
            if inner > 1 {
                let out = ONNXValue(uninitialized: .float, shape: outShape)
                let src = x.floatPointer, dst = out.floatPointer
                for o in 0..<outer {
                    let row = dst + o * inner
                    row.update(repeating: 0, count: inner)
                    for k in 0..<d { VectorKernels.add(row, src + (o * d + k) * inner, inner) }
                }
                return out
            }
        }
        let keptShape = (0..<r).map { reduce[$0] ? 1 : x.shape[$0] }
        let reducedCount = (0..<r).filter { reduce[$0] }.map { x.shape[$0] }.reduce(1, *)
        // Iterate: outer loop over kept positions; inner over reduced positions, via permuted strides.
        let strides = contiguousStrides(x.shape)
        let keptAxes = (0..<r).filter { !reduce[$0] }, reducedAxes = (0..<r).filter { reduce[$0] }
        let reducedShape = reducedAxes.map { x.shape[$0] }
        let reducedStrides = reducedAxes.map { strides[$0] }
        let keptCount = keptShape.reduce(1, *)
        let keptShapeOnly = keptAxes.map { x.shape[$0] }, keptStridesOnly = keptAxes.map { strides[$0] }
        // Offsets of kept positions (row-major over kept axes).
        var keptOffsets = [Int](repeating: 0, count: keptCount)
        do {
            var i = 0
            forEachRow(keptShapeOnly.isEmpty ? [1] : keptShapeOnly, [keptStridesOnly.isEmpty ? [0] : keptStridesOnly]) {
                off, count, st in
                for k in 0..<count { keptOffsets[i] = off[0] + k * st[0]; i += 1 }
            }
        }
        switch x.elementType {
        case .float:
            let out = ONNXValue(uninitialized: .float, shape: outShape)
            let p = x.floatPointer, o = out.floatPointer
            let (cs, cst) = coalesce(
                reducedShape.isEmpty ? [1] : reducedShape, [reducedStrides.isEmpty ? [0] : reducedStrides])
            let contiguousInner = cs.count == 1 && cst[0][0] == 1
            for (j, base) in keptOffsets.enumerated() {
                var acc: Float
                switch kind {
                case .max: acc = -.infinity
                case .min: acc = .infinity
                case .prod: acc = 1
                default: acc = 0
                }
                if reducedCount == 0 {
                    o[j] = (kind == .logSum || kind == .logSumExp) ? -.infinity : acc
                    continue
                }
                if contiguousInner && (kind == .sum || kind == .mean) {
                    acc = VectorKernels.sum(p + base, reducedCount)
                } else if kind == .logSumExp {
                    var m: Float = -.infinity
                    forEachRow(cs, cst) { off, count, st in
                        for k in 0..<count { m = Swift.max(m, p[base + off[0] + k * st[0]]) }
                    }
                    var s: Float = 0
                    forEachRow(cs, cst) { off, count, st in
                        for k in 0..<count { s += Foundation.exp(p[base + off[0] + k * st[0]] - m) }
                    }
                    acc = m.isInfinite ? m : m + Foundation.log(s)
                } else {
                    forEachRow(cs, cst) { off, count, st in
                        for k in 0..<count {
                            let v = p[base + off[0] + k * st[0]]
                            switch kind {
                            case .sum, .mean, .logSum: acc += v
                            case .max: acc = v.isNaN || acc.isNaN ? .nan : Swift.max(acc, v)
                            case .min: acc = v.isNaN || acc.isNaN ? .nan : Swift.min(acc, v)
                            case .prod: acc *= v
                            case .l1: acc += Swift.abs(v)
                            case .l2, .sumSquare: acc += v * v
                            case .logSumExp: break
                            }
                        }
                    }
                }
                switch kind {
                case .mean: acc /= Float(reducedCount)
                case .l2: acc = acc.squareRoot()
                case .logSum: acc = Foundation.log(acc)
                default: break
                }
                o[j] = acc
            }
            return out
        case .int64:
            let out = ONNXValue(uninitialized: .int64, shape: outShape)
            let p = x.int64Pointer, o = out.int64Pointer
            let (cs, cst) = coalesce(
                reducedShape.isEmpty ? [1] : reducedShape, [reducedStrides.isEmpty ? [0] : reducedStrides])
            for (j, base) in keptOffsets.enumerated() {
                var acc: Int64 = kind == .max ? .min : (kind == .min ? .max : (kind == .prod ? 1 : 0))
                if reducedCount > 0 {
                    forEachRow(cs, cst) { off, count, st in
                        for k in 0..<count {
                            let v = p[base + off[0] + k * st[0]]
                            switch kind {
                            case .sum, .mean: acc = acc &+ v
                            case .max: acc = Swift.max(acc, v)
                            case .min: acc = Swift.min(acc, v)
                            case .prod: acc = acc &* v
                            case .l1: acc = acc &+ (v < 0 ? 0 &- v : v)
                            case .sumSquare, .l2: acc = acc &+ v &* v
                            default: break
                            }
                        }
                    }
                }
                if kind == .mean { acc = reducedCount > 0 ? acc / Int64(reducedCount) : 0 }
                if kind == .l2 { acc = Int64(Double(acc.magnitude).squareRoot()) }  // the sum may have wrapped
                o[j] = acc
            }
            if kind == .logSum || kind == .logSumExp { throw ctx.fail("int64 input is not supported") }
            return out
        case .bool:
            throw ctx.fail("bool input is not supported")
        }
    }

    /// ArgMax / ArgMin with `axis`, `keepdims`, `select_last_index`.
    static func argExtreme(_ ctx: NodeContext, max: Bool) throws -> Kernel {
        let axisAttr = try ctx.int("axis", 0), keepDims = try ctx.int("keepdims", 1) != 0
        let selectLast = try ctx.int("select_last_index", 0) != 0
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let axis = try ctx.axis(axisAttr, rank: x.shape.count)
            let d = x.shape[axis], outer = x.shape[0..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
            guard d > 0 else { throw ctx.fail("cannot take the arg-extreme of an empty axis") }
            var outShape = x.shape
            if keepDims { outShape[axis] = 1 } else { outShape.remove(at: axis) }
            let out = ONNXValue(uninitialized: .int64, shape: outShape)
            func run<T: Comparable>(_ p: UnsafeMutablePointer<T>) {
                for o in 0..<outer {
                    for q in 0..<inner {
                        var best = p[o * d * inner + q], bestIndex = 0
                        for k in 1..<Swift.max(d, 1) {
                            let v = p[(o * d + k) * inner + q]
                            let better = max ? (selectLast ? v >= best : v > best) : (selectLast ? v <= best : v < best)
                            if better { best = v; bestIndex = k }
                        }
                        out.int64Pointer[o * inner + q] = Int64(bestIndex)
                    }
                }
            }
            switch x.elementType {
            case .float: run(x.floatPointer)
            case .int64: run(x.int64Pointer)
            case .bool: run(x.boolPointer)
            }
            return [out]
        }
    }

    /// Softmax / LogSoftmax; before opset 13 the input is coerced to 2-D at `axis` (default 1).
    static func softmax(_ ctx: NodeContext, log: Bool) throws -> Kernel {
        let legacy = ctx.version < 13
        let axisAttr = try ctx.int("axis", legacy ? 1 : -1)
        let settings = ctx.settings
        return { inputs in
            let x = try ctx.floatInput(inputs, 0)
            let r = x.shape.count
            let axis = try ctx.axis(axisAttr, rank: r)
            let out = ONNXValue(uninitialized: .float, shape: x.shape)
            let d = legacy ? x.shape[axis...].reduce(1, *) : x.shape[axis]
            let outer = x.shape[0..<axis].reduce(1, *)
            let inner = legacy ? 1 : x.shape[(axis + 1)...].reduce(1, *)
            let p = x.floatPointer, o = out.floatPointer
            if inner == 1 {
                settings.parallelChunks(outer, minimumPerThread: Swift.max(1, 16384 / Swift.max(d, 1))) { rows in
                    for row in rows { softmaxRow(p + row * d, o + row * d, d, log: log) }
                }
            } else {
                var column = [Float](repeating: 0, count: d), result = [Float](repeating: 0, count: d)
                for a in 0..<outer {
                    for q in 0..<inner {
                        for k in 0..<d { column[k] = p[(a * d + k) * inner + q] }
                        softmaxRow(column, &result, d, log: log)
                        for k in 0..<d { o[(a * d + k) * inner + q] = result[k] }
                    }
                }
            }
            return [out]
        }
    }

    @inline(__always)
    static func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, log: Bool) {
        guard n > 0 else { return }
        var m = -Float.infinity
        for i in 0..<n { m = Swift.max(m, x[i]) }
        if m == -.infinity {
            m = 0
        } else if !log && m.isFinite {
            let mv = VectorMath.V(repeating: m)
            VectorMath.map(x, y, n) { VectorMath.exp($0 - mv) }
            let inv = 1 / VectorKernels.sum(y, n)
            for i in 0..<n { y[i] *= inv }
            return
        }
        var s: Float = 0
        if log {
            for i in 0..<n { s += Foundation.exp(x[i] - m) }
            let ls = Foundation.log(s)
            for i in 0..<n { y[i] = x[i] - m - ls }
        } else {
            for i in 0..<n { let e = Foundation.exp(x[i] - m); y[i] = e; s += e }
            let inv = 1 / s
            for i in 0..<n { y[i] *= inv }
        }
    }
}
