import Foundation

/// Kernels that move or index data without arithmetic.
enum ShapeOps {
    /// Copies `src` read with `srcStrides` (in elements, starting at `srcOffset`) into contiguous `dst` of `shape`.
    static func stridedCopy(
        _ src: UnsafeRawPointer, srcOffset: Int, srcStrides: [Int], into dst: UnsafeMutableRawPointer,
        shape: [Int], elementSize: Int
    ) {
        guard shape.reduce(1, *) > 0 else { return }
        forEachRow(shape, [contiguousStrides(shape), srcStrides]) { off, count, st in
            let d = dst + off[0] * elementSize
            let s = src + (srcOffset + off[1]) * elementSize
            let ss = st[1]
            if ss == 1 {
                d.copyMemory(from: s, byteCount: count * elementSize)
                return
            }
            switch elementSize {
            case 4:
                let dp = d.assumingMemoryBound(to: UInt32.self)
                for i in 0..<count { dp[i] = s.loadUnaligned(fromByteOffset: i * ss * 4, as: UInt32.self) }
            case 8:
                let dp = d.assumingMemoryBound(to: UInt64.self)
                for i in 0..<count { dp[i] = s.loadUnaligned(fromByteOffset: i * ss * 8, as: UInt64.self) }
            default:
                for i in 0..<count {
                    (d + i * elementSize).copyMemory(from: s + i * ss * elementSize, byteCount: elementSize)
                }
            }
        }
    }

    static func identity(_ ctx: NodeContext) -> Kernel {
        return { inputs in [try ctx.input(inputs, 0)] }
    }

    static func shape(_ ctx: NodeContext) throws -> Kernel {
        let start = try ctx.int("start", 0), end = ctx.has("end") ? try ctx.int("end", 0) : nil
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let r = x.shape.count
            func clampAxis(_ a: Int) -> Int { Swift.min(Swift.max(a < 0 ? a + r : a, 0), r) }
            let lo = clampAxis(start), hi = end.map(clampAxis) ?? r
            let dims = lo < hi ? Array(x.shape[lo..<hi]) : []
            return [try ONNXValue(int64s: dims.map { Int64($0) }, shape: [dims.count])]
        }
    }

    static func size(_ ctx: NodeContext) -> Kernel {
        return { inputs in [try ONNXValue(int64s: [Int64(try ctx.input(inputs, 0).count)], shape: [])] }
    }

    /// Resolves a Reshape target (0 copies the input dimension unless `allowzero`, -1 is inferred).
    static func resolveReshape(_ ctx: NodeContext, input: [Int], target: [Int], allowZero: Bool) throws -> [Int] {
        var out = target
        var inferred: Int?
        for (i, d) in target.enumerated() {
            if d == -1 {
                guard inferred == nil else { throw ctx.fail("more than one -1 in shape \(target)") }
                inferred = i
            } else if d == 0 && !allowZero {
                guard i < input.count else { throw ctx.fail("0 at position \(i) but input has rank \(input.count)") }
                out[i] = input[i]
            } else if d < 0 {
                throw ctx.fail("invalid dimension \(d) in shape \(target)")
            }
        }
        // The target's dimensions come from the model: multiply them with overflow checks.
        let total = input.reduce(1, *)
        var known: Int? = 1
        for (i, d) in out.enumerated() where i != inferred { known = known.flatMap { ONNXLimits.product([$0, d]) } }
        if let i = inferred {
            guard let known, known > 0, total % known == 0 else {
                throw ctx.fail("cannot reshape \(input) to \(target)")
            }
            out[i] = total / known
        } else {
            guard known == total else { throw ctx.fail("cannot reshape \(input) to \(target)") }
        }
        try ctx.checkShape(out)
        return out
    }

    static func reshape(_ ctx: NodeContext) throws -> Kernel {
        let allowZero = try ctx.int("allowzero", 0) != 0
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let target = try ctx.intsInput(inputs, 1)
            return [x.reshaped(try resolveReshape(ctx, input: x.shape, target: target, allowZero: allowZero))]
        }
    }

    static func flatten(_ ctx: NodeContext) throws -> Kernel {
        let axisAttr = try ctx.int("axis", 1)
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let r = x.shape.count
            let a = axisAttr < 0 ? axisAttr + r : axisAttr
            guard a >= 0 && a <= r else { throw ctx.fail("axis \(axisAttr) out of range for rank \(r)") }
            let outer = x.shape[0..<a].reduce(1, *), inner = x.shape[a...].reduce(1, *)
            return [x.reshaped([outer, inner])]
        }
    }

    static func squeeze(_ ctx: NodeContext) throws -> Kernel {
        let attrAxes = try ctx.ints("axes")
        let fromInput = ctx.version >= 13
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let axesList: [Int]? =
                fromInput ? (ctx.optionalInput(inputs, 1) != nil ? try ctx.intsInput(inputs, 1) : nil) : attrAxes
            let r = x.shape.count
            var drop = Set<Int>()
            if let axesList {
                for a in axesList {
                    let n = try ctx.axis(a, rank: r)
                    guard x.shape[n] == 1 else { throw ctx.fail("cannot squeeze axis \(a) of size \(x.shape[n])") }
                    drop.insert(n)
                }
            } else {
                for (i, d) in x.shape.enumerated() where d == 1 { drop.insert(i) }
            }
            return [x.reshaped(x.shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element))]
        }
    }

    static func unsqueeze(_ ctx: NodeContext) throws -> Kernel {
        let attrAxes = try ctx.ints("axes")
        let fromInput = ctx.version >= 13
        if !fromInput && attrAxes == nil { throw ctx.attributeError("axes", "is required") }
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let axesList = fromInput ? try ctx.intsInput(inputs, 1) : (attrAxes ?? [])
            let r = x.shape.count + axesList.count
            var insert = Set<Int>()
            for a in axesList {
                let n = try ctx.axis(a, rank: r)
                guard insert.insert(n).inserted else { throw ctx.fail("repeated axis \(a)") }
            }
            var out: [Int] = []
            var k = 0
            for i in 0..<r {
                if insert.contains(i) { out.append(1) } else { out.append(x.shape[k]); k += 1 }
            }
            return [x.reshaped(out)]
        }
    }

    static func transpose(_ ctx: NodeContext) throws -> Kernel {
        let permAttr = try ctx.ints("perm")
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let r = x.shape.count
            let perm = permAttr ?? Array((0..<r).reversed())
            guard perm.count == r, Set(perm) == Set(0..<r) else { throw ctx.fail("invalid perm \(perm) for rank \(r)") }
            return [transposed(x, perm)]
        }
    }

    static func transposed(_ x: ONNXValue, _ perm: [Int]) -> ONNXValue {
        let inStrides = contiguousStrides(x.shape)
        let outShape = perm.map { x.shape[$0] }
        let out = ONNXValue(uninitialized: x.elementType, shape: outShape)
        stridedCopy(
            x.buffer.raw, srcOffset: 0, srcStrides: perm.map { inStrides[$0] }, into: out.buffer.raw,
            shape: outShape, elementSize: x.elementType.byteSize)
        return out
    }

    static func concat(_ ctx: NodeContext) throws -> Kernel {
        guard ctx.has("axis") else { throw ctx.attributeError("axis", "is required") }
        let axisAttr = try ctx.int("axis", 0)
        return { inputs in
            let values = try (0..<inputs.count).map { try ctx.input(inputs, $0) }
            guard let first = values.first else { throw ctx.fail("needs at least one input") }
            let r = first.shape.count
            let axis = try ctx.axis(axisAttr, rank: r)
            var outShape = first.shape
            outShape[axis] = 0
            for v in values {
                guard v.elementType == first.elementType, v.shape.count == r else {
                    throw ctx.fail("inputs differ in type or rank")
                }
                for d in 0..<r where d != axis && v.shape[d] != first.shape[d] {
                    throw ctx.fail("input shapes \(first.shape) and \(v.shape) differ outside axis \(axis)")
                }
                outShape[axis] = try ctx.add(outShape[axis], v.shape[axis], "the concatenated dimension")
            }
            try ctx.checkShape(outShape)
            let out = ONNXValue(uninitialized: first.elementType, shape: outShape)
            let size = first.elementType.byteSize
            let outer = outShape[0..<axis].reduce(1, *)
            let inner = outShape[(axis + 1)...].reduce(1, *)
            let outRow = outShape[axis] * inner * size
            var column = 0
            for v in values {
                let row = v.shape[axis] * inner * size
                if row > 0 {
                    for o in 0..<outer {
                        (out.buffer.raw + o * outRow + column).copyMemory(from: v.buffer.raw + o * row, byteCount: row)
                    }
                }
                column += row
            }
            return [out]
        }
    }

    static func split(_ ctx: NodeContext) throws -> Kernel {
        let axisAttr = try ctx.int("axis", 0)
        let splitAttr = try ctx.ints("split")
        let outputs = ctx.outputCount
        let fromInput = ctx.version >= 13
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let axis = try ctx.axis(axisAttr, rank: x.shape.count)
            let dim = x.shape[axis]
            var sizes: [Int]
            if let s = fromInput
                ? (ctx.optionalInput(inputs, 1) != nil ? try ctx.intsInput(inputs, 1) : nil) : splitAttr
            {
                sizes = s
            } else {
                let per = (dim + outputs - 1) / Swift.max(outputs, 1)
                sizes = (0..<outputs).map { i in Swift.max(0, Swift.min(per, dim - i * per)) }
            }
            // Sizes may come from the model: sum them without overflowing.
            var covered: Int? = 0
            for n in sizes {
                guard n >= 0, let c = covered else { covered = nil; break }
                let (sum, overflow) = c.addingReportingOverflow(n)
                covered = overflow ? nil : sum
            }
            guard sizes.count == outputs, covered == dim else {
                throw ctx.fail("split sizes \(sizes) do not cover dimension \(dim) with \(outputs) outputs")
            }
            var start = 0
            let strides = contiguousStrides(x.shape)
            return sizes.map { n in
                var shape = x.shape
                shape[axis] = n
                let out = ONNXValue(uninitialized: x.elementType, shape: shape)
                stridedCopy(
                    x.buffer.raw, srcOffset: start * strides[axis], srcStrides: strides, into: out.buffer.raw,
                    shape: shape, elementSize: x.elementType.byteSize)
                start += n
                return out
            }
        }
    }

    static func slice(_ ctx: NodeContext) throws -> Kernel {
        let fromInputs = ctx.version >= 10
        let attrStarts = try ctx.ints("starts"), attrEnds = try ctx.ints("ends"), attrAxes = try ctx.ints("axes")
        if !fromInputs && (attrStarts == nil || attrEnds == nil) {
            throw ctx.attributeError("starts", "starts and ends are required")
        }
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let starts = fromInputs ? try ctx.intsInput(inputs, 1) : (attrStarts ?? [])
            let ends = fromInputs ? try ctx.intsInput(inputs, 2) : (attrEnds ?? [])
            let r = x.shape.count
            let axes =
                fromInputs
                ? (ctx.optionalInput(inputs, 3) != nil ? try ctx.intsInput(inputs, 3) : Array(0..<starts.count))
                : (attrAxes ?? Array(0..<starts.count))
            let steps =
                fromInputs && ctx.optionalInput(inputs, 4) != nil
                ? try ctx.intsInput(inputs, 4) : [Int](repeating: 1, count: starts.count)
            guard starts.count == ends.count, axes.count == starts.count, steps.count == starts.count else {
                throw ctx.fail("starts/ends/axes/steps lengths differ")
            }
            var begin = [Int](repeating: 0, count: r), step = [Int](repeating: 1, count: r), outShape = x.shape
            var seen = Set<Int>()
            for k in 0..<starts.count {
                let a = try ctx.axis(axes[k], rank: r)
                guard seen.insert(a).inserted else { throw ctx.fail("repeated axis \(axes[k])") }
                let d = x.shape[a], s = steps[k]
                guard s != 0 else { throw ctx.fail("step 0") }
                // starts, ends and steps may be anything an int64 holds: clamp before any arithmetic, count
                // with the step's magnitude (−Int.min does not exist), and keep a step only where it moves.
                var b = starts[k] < 0 ? starts[k] + d : starts[k]
                var e = ends[k] < 0 ? ends[k] + d : ends[k]
                let span: Int
                if s > 0 {
                    b = Swift.min(Swift.max(b, 0), d); e = Swift.min(Swift.max(e, 0), d)
                    span = e - b
                } else {
                    b = Swift.min(Swift.max(b, -1), d - 1); e = Swift.min(Swift.max(e, -1), d - 1)
                    span = b - e
                }
                outShape[a] = span > 0 ? Int((UInt(span) - 1) / s.magnitude) + 1 : 0
                begin[a] = b
                step[a] = outShape[a] > 1 ? s : 1
            }
            let strides = contiguousStrides(x.shape)
            var offset = 0
            for a in 0..<r where outShape[a] > 0 { offset += begin[a] * strides[a] }
            try ctx.checkShape(outShape)
            let out = ONNXValue(uninitialized: x.elementType, shape: outShape)
            stridedCopy(
                x.buffer.raw, srcOffset: offset, srcStrides: (0..<r).map { strides[$0] * step[$0] },
                into: out.buffer.raw, shape: outShape, elementSize: x.elementType.byteSize)
            return [out]
        }
    }

    static func gather(_ ctx: NodeContext) throws -> Kernel {
        let axisAttr = try ctx.int("axis", 0)
        return { inputs in
            let x = try ctx.input(inputs, 0), idx = try ctx.input(inputs, 1)
            guard idx.elementType == .int64 else { throw ctx.fail("indices must be int64") }
            let axis = try ctx.axis(axisAttr, rank: x.shape.count)
            let d = x.shape[axis]
            let outer = x.shape[0..<axis].reduce(1, *), inner = x.shape[(axis + 1)...].reduce(1, *)
            let outShape = Array(x.shape[0..<axis]) + idx.shape + Array(x.shape[(axis + 1)...])
            try ctx.checkShape(outShape)
            let out = ONNXValue(uninitialized: x.elementType, shape: outShape)
            let size = x.elementType.byteSize, n = idx.count, row = inner * size
            for j in 0..<n {
                let i = idx.int64Pointer[j]
                guard i >= -Int64(d) && i < Int64(d) else {
                    throw ctx.fail("index \(i) out of range for dimension \(d)")
                }
            }
            for o in 0..<outer {
                for j in 0..<n {
                    var i = Int(idx.int64Pointer[j])
                    if i < 0 { i += d }
                    (out.buffer.raw + (o * n + j) * row).copyMemory(
                        from: x.buffer.raw + (o * d + i) * row, byteCount: row)
                }
            }
            return [out]
        }
    }

    static func gatherElements(_ ctx: NodeContext) throws -> Kernel {
        let axisAttr = try ctx.int("axis", 0)
        return { inputs in
            let x = try ctx.input(inputs, 0), idx = try ctx.input(inputs, 1)
            guard idx.elementType == .int64, idx.shape.count == x.shape.count else {
                throw ctx.fail("indices must be int64 with the data's rank")
            }
            let r = x.shape.count
            let axis = try ctx.axis(axisAttr, rank: r)
            let out = ONNXValue(uninitialized: x.elementType, shape: idx.shape)
            let xs = contiguousStrides(x.shape), size = x.elementType.byteSize
            let d = x.shape[axis]
            var index = [Int](repeating: 0, count: r)
            for j in 0..<idx.count {
                var i = Int(idx.int64Pointer[j])
                if i < 0 { i += d }
                guard i >= 0 && i < d else {
                    throw ctx.fail("index \(idx.int64Pointer[j]) out of range for dimension \(d)")
                }
                var off = 0
                for k in 0..<r {
                    let c = k == axis ? i : index[k]
                    guard c < x.shape[k] else { throw ctx.fail("indices shape exceeds data shape") }
                    off += c * xs[k]
                }
                (out.buffer.raw + j * size).copyMemory(from: x.buffer.raw + off * size, byteCount: size)
                var k = r - 1
                while k >= 0 { index[k] += 1; if index[k] < idx.shape[k] { break }; index[k] = 0; k -= 1 }
            }
            return [out]
        }
    }

    static func gatherND(_ ctx: NodeContext) throws -> Kernel {
        let batchDims = try ctx.int("batch_dims", 0)
        return { inputs in
            let x = try ctx.input(inputs, 0), idx = try ctx.input(inputs, 1)
            guard idx.elementType == .int64, let last = idx.shape.last else {
                throw ctx.fail("indices must be int64 of rank >= 1")
            }
            let r = x.shape.count
            guard batchDims >= 0, batchDims < Swift.min(r, idx.shape.count), last >= 1, last <= r - batchDims else {
                throw ctx.fail("invalid indices shape \(idx.shape) for data \(x.shape)")
            }
            for b in 0..<batchDims where x.shape[b] != idx.shape[b] { throw ctx.fail("batch dimensions differ") }
            let batch = x.shape[0..<batchDims].reduce(1, *)
            let outShape = Array(idx.shape.dropLast()) + Array(x.shape[(batchDims + last)...])
            try ctx.checkShape(outShape)
            let out = ONNXValue(uninitialized: x.elementType, shape: outShape)
            let slice = x.shape[(batchDims + last)...].reduce(1, *) * x.elementType.byteSize
            let xs = contiguousStrides(x.shape)
            let perBatch = idx.count / Swift.max(last, 1) / Swift.max(batch, 1)
            let batchStride = batchDims > 0 ? xs[batchDims - 1] : 0
            for b in 0..<batch {
                for j in 0..<perBatch {
                    let t = b * perBatch + j
                    var off = b * batchStride
                    for k in 0..<last {
                        var i = Int(idx.int64Pointer[t * last + k])
                        let d = x.shape[batchDims + k]
                        if i < 0 { i += d }
                        guard i >= 0 && i < d else { throw ctx.fail("index out of range") }
                        off += i * xs[batchDims + k]
                    }
                    (out.buffer.raw + t * slice).copyMemory(
                        from: x.buffer.raw + off * x.elementType.byteSize, byteCount: slice)
                }
            }
            return [out]
        }
    }

    static func expand(_ ctx: NodeContext) -> Kernel {
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let target = try ctx.intsInput(inputs, 1)
            guard target.allSatisfy({ $0 >= 0 }), let shape = broadcastShape(x.shape, target) else {
                throw ctx.fail("cannot expand \(x.shape) to \(target)")
            }
            if shape == x.shape { return [x] }
            try ctx.checkShape(shape)
            let out = ONNXValue(uninitialized: x.elementType, shape: shape)
            stridedCopy(
                x.buffer.raw, srcOffset: 0, srcStrides: broadcastStrides(x.shape, to: shape), into: out.buffer.raw,
                shape: shape, elementSize: x.elementType.byteSize)
            return [out]
        }
    }

    static func tile(_ ctx: NodeContext) -> Kernel {
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let repeats = try ctx.intsInput(inputs, 1)
            guard repeats.count == x.shape.count, repeats.allSatisfy({ $0 >= 0 }) else {
                throw ctx.fail("invalid repeats")
            }
            var result = x
            for (a, rep) in repeats.enumerated() where rep != 1 {
                var shape = result.shape
                shape[a] = try ctx.multiply(shape[a], rep, "dimension \(a) × repeats \(rep)")
                try ctx.checkShape(shape)
                let out = ONNXValue(uninitialized: x.elementType, shape: shape)
                let outer = shape[0..<a].reduce(1, *), block = result.shape[a...].reduce(1, *) * x.elementType.byteSize
                for o in 0..<outer {
                    for k in 0..<rep {
                        (out.buffer.raw + (o * rep + k) * block).copyMemory(
                            from: result.buffer.raw + o * block, byteCount: block)
                    }
                }
                result = out
            }
            return [result]
        }
    }

    static func constant(_ ctx: NodeContext) throws -> Kernel {
        let value: ONNXValue
        if let t = ctx.tensorAttributes["value"] {
            value = t
        } else if ctx.has("value_float") {
            value = try ONNXValue(floats: [try ctx.float("value_float", 0)], shape: [])
        } else if let fs = try ctx.floats("value_floats") {
            value = try ONNXValue(floats: fs, shape: [fs.count])
        } else if ctx.has("value_int") {
            value = try ONNXValue(int64s: [Int64(try ctx.int("value_int", 0))], shape: [])
        } else if let xs = try ctx.ints("value_ints") {
            value = try ONNXValue(int64s: xs.map { Int64($0) }, shape: [xs.count])
        } else {
            throw ctx.attributeError("value", "Constant needs a supported value attribute")
        }
        return { _ in [value] }
    }

    static func constantOfShape(_ ctx: NodeContext) throws -> Kernel {
        let fill = try ctx.tensorAttributes["value"] ?? ONNXValue(floats: [0], shape: [1])
        guard fill.count == 1 else { throw ctx.attributeError("value", "must hold one element") }
        return { inputs in
            let shape = try ctx.intsInput(inputs, 0)
            try ctx.checkShape(shape)
            let out = ONNXValue(uninitialized: fill.elementType, shape: shape)
            let size = fill.elementType.byteSize
            for i in 0..<out.count { (out.buffer.raw + i * size).copyMemory(from: fill.buffer.raw, byteCount: size) }
            return [out]
        }
    }

    static func range(_ ctx: NodeContext) -> Kernel {
        return { inputs in
            let s = try ctx.input(inputs, 0), l = try ctx.input(inputs, 1), d = try ctx.input(inputs, 2)
            guard s.count == 1, l.count == 1, d.count == 1, s.elementType == l.elementType,
                s.elementType == d.elementType
            else {
                throw ctx.fail("start, limit and delta must be scalars of one type")
            }
            /// The element count ⌈(limit − start) / delta⌉, checked before it becomes an `Int` (it may be
            /// infinite, NaN or beyond any tensor).
            func count(_ quotient: Double) throws -> Int {
                guard !quotient.isNaN else { throw ctx.fail("the element count is not a number") }
                let n = Swift.max(0, quotient.rounded(.up))
                guard n <= Double(ONNXLimits.maximumTensorElements) else {
                    throw ctx.fail(
                        "\(n.isInfinite ? "an infinite" : "a") number of elements (\(n)) exceeds the limit of \(ONNXLimits.maximumTensorElements)"
                    )
                }
                return Int(n)
            }
            switch s.elementType {
            case .int64:
                let a = s.int64Pointer[0], b = l.int64Pointer[0], step = d.int64Pointer[0]
                guard step != 0 else { throw ctx.fail("delta is 0") }
                // Exact in 128 bits: the span of two int64s can exceed Int64, and a Double loses the low bits.
                let span = Int128(b) - Int128(a), delta = Int128(step)
                var quotient = span / delta
                if span % delta != 0 && (span > 0) == (delta > 0) { quotient += 1 }
                guard quotient <= Int128(ONNXLimits.maximumTensorElements) else {
                    throw ctx.fail(
                        "a number of elements (\(quotient)) exceeds the limit of \(ONNXLimits.maximumTensorElements)")
                }
                let n = Int(Swift.max(0, quotient))
                return [try ONNXValue(int64s: (0..<n).map { a &+ Int64($0) &* step }, shape: [n])]
            case .float:
                let a = s.floatPointer[0], b = l.floatPointer[0], step = d.floatPointer[0]
                guard step != 0, a.isFinite, b.isFinite, step.isFinite else {
                    throw ctx.fail("start \(a), limit \(b) and delta \(step) must be finite, delta nonzero")
                }
                let n = try count(Double(((b - a) / step).rounded(.up)))
                return [try ONNXValue(floats: (0..<n).map { a + Float($0) * step }, shape: [n])]
            case .bool: throw ctx.fail("bool range")
            }
        }
    }

    static func cumSum(_ ctx: NodeContext) throws -> Kernel {
        let exclusive = try ctx.int("exclusive", 0) != 0, reverse = try ctx.int("reverse", 0) != 0
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let axisValue = try ctx.input(inputs, 1)
            guard axisValue.count == 1, axisValue.elementType == .int64 else {
                throw ctx.fail("axis must be an int64 scalar")
            }
            let axis = try ctx.axis(Int(clamping: axisValue.int64Pointer[0]), rank: x.shape.count)
            let d = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *), outer = x.shape[0..<axis].reduce(1, *)
            let out = ONNXValue(uninitialized: x.elementType, shape: x.shape)
            func run<T: AdditiveArithmetic>(_ a: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>) {
                for p in 0..<outer {
                    for q in 0..<inner {
                        var sum = T.zero
                        for k in 0..<d {
                            let j = reverse ? d - 1 - k : k
                            let at = (p * d + j) * inner + q
                            if exclusive { o[at] = sum; sum += a[at] } else { sum += a[at]; o[at] = sum }
                        }
                    }
                }
            }
            switch x.elementType {
            case .float: run(x.floatPointer, out.floatPointer)
            case .int64:
                // Wrapping addition for integers.
                for p in 0..<outer {
                    for q in 0..<inner {
                        var sum: Int64 = 0
                        for k in 0..<d {
                            let j = reverse ? d - 1 - k : k
                            let at = (p * d + j) * inner + q
                            if exclusive {
                                out.int64Pointer[at] = sum; sum = sum &+ x.int64Pointer[at]
                            } else {
                                sum = sum &+ x.int64Pointer[at]; out.int64Pointer[at] = sum
                            }
                        }
                    }
                }
            case .bool: throw ctx.fail("bool input is not supported")
            }
            return [out]
        }
    }
}
