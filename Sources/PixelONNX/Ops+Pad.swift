/// `Pad` in constant, reflect, edge and wrap modes.
enum PadOp {
    static func make(_ ctx: NodeContext) throws -> Kernel {
        let mode = try ctx.choice("mode", "constant", ["constant", "reflect", "edge", "wrap"])
        let attrPads = try ctx.ints("pads")
        let attrValue = try ctx.float("value", 0)
        let fromInputs = ctx.version >= 11
        if !fromInputs && attrPads == nil { throw ctx.attributeError("pads", "is required") }
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let r = x.shape.count
            var pads = fromInputs ? try ctx.intsInput(inputs, 1) : (attrPads ?? [])
            if fromInputs, let axesValue = ctx.optionalInput(inputs, 3) {
                _ = axesValue
                let axes = try ctx.intsInput(inputs, 3)
                guard pads.count == 2 * axes.count else {
                    throw ctx.fail("pads length \(pads.count) does not match axes")
                }
                var full = [Int](repeating: 0, count: 2 * r)
                for (k, a) in axes.enumerated() {
                    let n = try ctx.axis(a, rank: r)
                    full[n] = pads[k]
                    full[n + r] = pads[k + axes.count]
                }
                pads = full
            }
            guard pads.count == 2 * r else { throw ctx.fail("pads has \(pads.count) values for rank \(r)") }
            // Pads come from the model: bounded here, so every coordinate computed below fits in an Int.
            let bound = ONNXLimits.maximumTensorElements
            if let bad = pads.first(where: { $0 < -bound || $0 > bound }) {
                throw ctx.fail("pad \(bad) is out of range (magnitude at most \(bound))")
            }
            var outShape = x.shape
            for a in 0..<r {
                outShape[a] = x.shape[a] + pads[a] + pads[a + r]
                guard outShape[a] >= 0 else { throw ctx.fail("negative output dimension") }
                if mode != "constant" && x.shape[a] == 0 && outShape[a] > 0 {
                    throw ctx.fail("cannot \(mode)-pad an empty axis")
                }
                if mode == "reflect" && x.shape[a] == 1 && (pads[a] > 0 || pads[a + r] > 0) {
                    throw ctx.fail("cannot reflect-pad an axis of size 1")
                }
            }
            try ctx.checkShape(outShape)
            let out = ONNXValue(uninitialized: x.elementType, shape: outShape)
            let size = x.elementType.byteSize
            // Fill value bytes.
            var fill = [UInt8](repeating: 0, count: 8)
            if x.elementType == .float || fromInputs {
                if fromInputs, let v = ctx.optionalInput(inputs, 2), v.count == 1 {
                    guard v.elementType == x.elementType else {
                        throw ctx.fail("constant_value type differs from data")
                    }
                    fill.withUnsafeMutableBytes { $0.baseAddress?.copyMemory(from: v.buffer.raw, byteCount: size) }
                } else if !fromInputs {
                    withUnsafeBytes(of: attrValue) { src in fill.withUnsafeMutableBytes { $0.copyMemory(from: src) } }
                }
            }
            /// Maps an output coordinate to a source coordinate, or nil for constant padding.
            func source(_ o: Int, axis a: Int) -> Int? {
                let d = x.shape[a]
                var i = o - pads[a]
                if i >= 0 && i < d { return i }
                switch mode {
                case "constant": return nil
                case "edge": return Swift.min(Swift.max(i, 0), d - 1)
                case "wrap": i %= d; return i < 0 ? i + d : i
                default:
                    let period = 2 * (d - 1)
                    i = Swift.abs(i) % period
                    return i >= d ? period - i : i
                }
            }
            if out.count == 0 { return [out] }
            let last = r - 1
            let inStrides = contiguousStrides(x.shape)
            let outerCount = outShape.count > 1 ? outShape[0..<last].reduce(1, *) : 1
            let rowLength = r > 0 ? outShape[last] : 1
            var index = [Int](repeating: 0, count: Swift.max(r - 1, 0))
            let src = x.buffer.raw, dst = out.buffer.raw
            for row in 0..<outerCount {
                let rowStart = dst + row * rowLength * size
                var base: Int? = 0
                for a in 0..<Swift.max(r - 1, 0) {
                    guard let s = source(index[a], axis: a), let b = base else { base = nil; break }
                    base = b + s * inStrides[a]
                }
                func fillElement(_ j: Int) {
                    let target = rowStart + j * size
                    fill.withUnsafeBytes { target.copyMemory(from: $0.baseAddress!, byteCount: size) }
                }
                if r == 0 {
                    rowStart.copyMemory(from: src, byteCount: size)
                } else if let b = base {
                    // Interior span [lo, hi) of the row maps to contiguous source elements.
                    let d = x.shape[last]
                    let lo = Swift.min(Swift.max(pads[last], 0), rowLength)
                    let hi = Swift.max(Swift.min(pads[last] + d, rowLength), lo)
                    if hi > lo {
                        rowStart.advanced(by: lo * size).copyMemory(
                            from: src + (b + lo - pads[last]) * size, byteCount: (hi - lo) * size)
                    }
                    for j in Array(0..<lo) + Array(hi..<rowLength) {
                        if let s = source(j, axis: last) {
                            (rowStart + j * size).copyMemory(from: src + (b + s) * size, byteCount: size)
                        } else {
                            fillElement(j)
                        }
                    }
                } else {
                    for j in 0..<rowLength { fillElement(j) }
                }
                var k = r - 2
                while k >= 0 { index[k] += 1; if index[k] < outShape[k] { break }; index[k] = 0; k -= 1 }
            }
            return [out]
        }
    }
}
