import Foundation

/// Broadcasting binary and unary element-wise kernels.
enum ElementwiseOps {
    /// `out[i] = op(a[i'], b[i''])` with numpy broadcasting; the same-shape and scalar cases run flat loops.
    @inline(__always)
    static func binary<A, B, R>(
        _ ctx: NodeContext, _ x: ONNXValue, _ y: ONNXValue, _ a: UnsafePointer<A>, _ b: UnsafePointer<B>,
        _ outType: ONNXElementType, _ op: (A, B) -> R
    ) throws -> ONNXValue {
        guard let shape = broadcastShape(x.shape, y.shape) else {
            throw ctx.fail("shapes \(x.shape) and \(y.shape) do not broadcast")
        }
        try ctx.checkShape(shape)
        let out = ONNXValue(uninitialized: outType, shape: shape)
        let o = out.buffer.raw.assumingMemoryBound(to: R.self)
        let n = out.count
        // Flat cases: split across threads for large tensors (disjoint output ranges).
        let settings = ctx.settings, perThread = 1 << 15
        if x.shape == y.shape {
            settings.parallelChunks(n, minimumPerThread: perThread) { range in
                for i in range { o[i] = op(a[i], b[i]) }
            }
            return out
        }
        if y.count == 1 && x.shape == shape {
            let bv = b[0]
            settings.parallelChunks(n, minimumPerThread: perThread) { range in
                for i in range { o[i] = op(a[i], bv) }
            }
            return out
        }
        if x.count == 1 && y.shape == shape {
            let av = a[0]
            settings.parallelChunks(n, minimumPerThread: perThread) { range in
                for i in range { o[i] = op(av, b[i]) }
            }
            return out
        }
        let strides = [
            contiguousStrides(shape), broadcastStrides(x.shape, to: shape), broadcastStrides(y.shape, to: shape),
        ]
        forEachRow(shape, strides) { off, count, st in
            let oo = o + off[0], ap = a + off[1], bp = b + off[2]
            let sa = st[1], sb = st[2]
            if sa == 1 && sb == 1 {
                for i in 0..<count { oo[i] = op(ap[i], bp[i]) }
            } else if sa == 1 && sb == 0 {
                let bv = bp[0]
                for i in 0..<count { oo[i] = op(ap[i], bv) }
            } else if sa == 0 && sb == 1 {
                let av = ap[0]
                for i in 0..<count { oo[i] = op(av, bp[i]) }
            } else {
                for i in 0..<count { oo[i] = op(ap[i * sa], bp[i * sb]) }
            }
        }
        return out
    }

    enum Arithmetic { case add, sub, mul, div, pow, min, max, mod }

    static func arithmetic(_ ctx: NodeContext, _ kind: Arithmetic) throws -> Kernel {
        let fmod = try ctx.int("fmod", 0) != 0
        return { inputs in
            guard inputs.count >= 1 else { throw ctx.fail("needs inputs") }
            var acc = try ctx.input(inputs, 0)
            if inputs.count == 1 {
                guard kind == .min || kind == .max else { throw ctx.fail("needs two inputs") }
                return [acc]
            }
            for i in 1..<inputs.count {
                let y = try ctx.input(inputs, i)
                acc = try apply(ctx, kind, acc, y, fmod: fmod)
            }
            return [acc]
        }
    }

    static func apply(_ ctx: NodeContext, _ kind: Arithmetic, _ x: ONNXValue, _ y: ONNXValue, fmod: Bool) throws
        -> ONNXValue
    {
        switch (x.elementType, y.elementType) {
        case (.float, .float):
            let a = UnsafePointer(x.floatPointer), b = UnsafePointer(y.floatPointer)
            switch kind {
            case .add: return try binary(ctx, x, y, a, b, .float) { $0 + $1 }
            case .sub: return try binary(ctx, x, y, a, b, .float) { $0 - $1 }
            case .mul: return try binary(ctx, x, y, a, b, .float) { $0 * $1 }
            case .div: return try binary(ctx, x, y, a, b, .float) { $0 / $1 }
            case .pow: return try binary(ctx, x, y, a, b, .float) { Foundation.pow($0, $1) }
            case .min: return try binary(ctx, x, y, a, b, .float) { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
            case .max: return try binary(ctx, x, y, a, b, .float) { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
            case .mod:
                guard fmod else { throw ctx.fail("Mod on floats needs fmod=1") }
                return try binary(ctx, x, y, a, b, .float) { Foundation.fmod($0, $1) }
            }
        case (.int64, .int64):
            let a = UnsafePointer(x.int64Pointer), b = UnsafePointer(y.int64Pointer)
            switch kind {
            case .add: return try binary(ctx, x, y, a, b, .int64) { $0 &+ $1 }
            case .sub: return try binary(ctx, x, y, a, b, .int64) { $0 &- $1 }
            case .mul: return try binary(ctx, x, y, a, b, .int64) { $0 &* $1 }
            case .div: return try binary(ctx, x, y, a, b, .int64) { $1 == 0 || ($1 == -1 && $0 == .min) ? 0 : $0 / $1 }
            case .pow:
                return try binary(ctx, x, y, a, b, .int64) { (base: Int64, e: Int64) -> Int64 in
                    var r: Int64 = 1
                    if e < 0 { return base == 1 ? 1 : 0 }
                    for _ in 0..<Swift.min(e, 64) { r = r &* base }
                    return r
                }
            case .min: return try binary(ctx, x, y, a, b, .int64) { Swift.min($0, $1) }
            case .max: return try binary(ctx, x, y, a, b, .int64) { Swift.max($0, $1) }
            case .mod:
                return try binary(ctx, x, y, a, b, .int64) { (p: Int64, q: Int64) -> Int64 in
                    if q == 0 || (q == -1 && p == .min) { return 0 }
                    if fmod { return p % q }
                    let r = p % q
                    return r != 0 && ((r < 0) != (q < 0)) ? r + q : r
                }
            }
        case (.int64, .float) where kind == .pow:
            let a = UnsafePointer(x.int64Pointer), b = UnsafePointer(y.floatPointer)
            return try binary(ctx, x, y, a, b, .int64) { (base: Int64, e: Float) -> Int64 in
                // Saturating: the power may be NaN, infinite or beyond Int64.
                let p = Foundation.pow(Double(base), Double(e))
                return p.isNaN ? 0 : (p >= 0x1p63 ? .max : (p < -0x1p63 ? .min : Int64(p)))
            }
        case (.float, .int64) where kind == .pow:
            let a = UnsafePointer(x.floatPointer), b = UnsafePointer(y.int64Pointer)
            return try binary(ctx, x, y, a, b, .float) { Foundation.pow($0, Float($1)) }
        default:
            throw ctx.fail("unsupported element types \(x.elementType) and \(y.elementType)")
        }
    }

    enum Comparison { case equal, less, lessOrEqual, greater, greaterOrEqual }

    static func compare(_ ctx: NodeContext, _ kind: Comparison) -> Kernel {
        return { inputs in
            let x = try ctx.input(inputs, 0), y = try ctx.input(inputs, 1)
            guard x.elementType == y.elementType else {
                throw ctx.fail("element types differ: \(x.elementType), \(y.elementType)")
            }
            func run<T: Comparable>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>) throws -> ONNXValue {
                switch kind {
                case .equal: return try binary(ctx, x, y, a, b, .bool) { $0 == $1 ? UInt8(1) : 0 }
                case .less: return try binary(ctx, x, y, a, b, .bool) { $0 < $1 ? UInt8(1) : 0 }
                case .lessOrEqual: return try binary(ctx, x, y, a, b, .bool) { $0 <= $1 ? UInt8(1) : 0 }
                case .greater: return try binary(ctx, x, y, a, b, .bool) { $0 > $1 ? UInt8(1) : 0 }
                case .greaterOrEqual: return try binary(ctx, x, y, a, b, .bool) { $0 >= $1 ? UInt8(1) : 0 }
                }
            }
            switch x.elementType {
            case .float: return [try run(UnsafePointer(x.floatPointer), UnsafePointer(y.floatPointer))]
            case .int64: return [try run(UnsafePointer(x.int64Pointer), UnsafePointer(y.int64Pointer))]
            case .bool:
                guard kind == .equal else { throw ctx.fail("cannot order booleans") }
                return [try run(UnsafePointer(x.boolPointer), UnsafePointer(y.boolPointer))]
            }
        }
    }

    enum Logical { case and, or, xor }

    static func logical(_ ctx: NodeContext, _ kind: Logical) -> Kernel {
        return { inputs in
            let x = try ctx.input(inputs, 0), y = try ctx.input(inputs, 1)
            guard x.elementType == .bool, y.elementType == .bool else { throw ctx.fail("inputs must be bool") }
            let a = UnsafePointer(x.boolPointer), b = UnsafePointer(y.boolPointer)
            switch kind {
            case .and: return [try binary(ctx, x, y, a, b, .bool) { $0 & $1 }]
            case .or: return [try binary(ctx, x, y, a, b, .bool) { $0 | $1 }]
            case .xor: return [try binary(ctx, x, y, a, b, .bool) { $0 ^ $1 }]
            }
        }
    }

    enum Unary {
        case abs, neg, sqrt, exp, log, erf, tanh, sigmoid, relu, reciprocal, floor, ceil, sin, cos, gelu, sign
    }

    @inline(__always)
    static func mapFloats(_ settings: ExecutionSettings, _ x: ONNXValue, _ op: (Float) -> Float) -> ONNXValue {
        let out = ONNXValue(uninitialized: .float, shape: x.shape)
        let a = x.floatPointer, o = out.floatPointer
        settings.parallelChunks(x.count, minimumPerThread: 1 << 15) { range in
            for i in range { o[i] = op(a[i]) }
        }
        return out
    }

    /// `f` applied 16 lanes at a time, split across threads for large tensors.
    @inline(__always)
    static func mapVector(_ settings: ExecutionSettings, _ x: ONNXValue, _ f: @escaping (VectorMath.V) -> VectorMath.V)
        -> ONNXValue
    {
        let out = ONNXValue(uninitialized: .float, shape: x.shape)
        let a = x.floatPointer, o = out.floatPointer
        settings.parallelChunks(x.count, minimumPerThread: 1 << 15) { range in
            // Chunks start at multiples of 16 except possibly the tail, which map() handles.
            VectorMath.map(a + range.lowerBound, o + range.lowerBound, range.count, f)
        }
        return out
    }

    static func unary(_ ctx: NodeContext, _ kind: Unary) -> Kernel {
        let settings = ctx.settings
        return { inputs in
            let x = try ctx.input(inputs, 0)
            if x.elementType == .int64 {
                let out = ONNXValue(uninitialized: .int64, shape: x.shape)
                let a = x.int64Pointer, o = out.int64Pointer
                switch kind {
                case .abs: for i in 0..<x.count { o[i] = a[i] == .min ? .min : Swift.abs(a[i]) }
                case .neg: for i in 0..<x.count { o[i] = 0 &- a[i] }
                case .relu: for i in 0..<x.count { o[i] = Swift.max(a[i], 0) }
                case .sign: for i in 0..<x.count { o[i] = a[i] > 0 ? 1 : (a[i] < 0 ? -1 : 0) }
                default: throw ctx.fail("int64 input is not supported")
                }
                return [out]
            }
            guard x.elementType == .float else { throw ctx.fail("input must be float32 or int64") }
            switch kind {
            case .abs: return [mapFloats(settings, x) { Swift.abs($0) }]
            case .neg: return [mapFloats(settings, x) { -$0 }]
            case .sqrt: return [mapFloats(settings, x) { $0.squareRoot() }]
            case .exp: return [mapFloats(settings, x) { Foundation.exp($0) }]
            case .log: return [mapFloats(settings, x) { Foundation.log($0) }]
            case .erf: return [mapVector(settings, x) { VectorMath.erf($0) }]
            case .tanh: return [mapFloats(settings, x) { Foundation.tanh($0) }]
            case .sigmoid: return [mapVector(settings, x) { VectorMath.sigmoid($0) }]
            case .relu: return [mapVector(settings, x) { $0.replacing(with: 0, where: $0 .< 0) }]
            case .reciprocal: return [mapFloats(settings, x) { 1 / $0 }]
            case .floor: return [mapFloats(settings, x) { $0.rounded(.down) }]
            case .ceil: return [mapFloats(settings, x) { $0.rounded(.up) }]
            case .sin: return [mapFloats(settings, x) { Foundation.sin($0) }]
            case .cos: return [mapFloats(settings, x) { Foundation.cos($0) }]
            case .sign: return [mapFloats(settings, x) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }]
            case .gelu: return [mapVector(settings, x) { VectorMath.gelu($0) }]
            }
        }
    }

    static func not(_ ctx: NodeContext) -> Kernel {
        return { inputs in
            let x = try ctx.input(inputs, 0)
            guard x.elementType == .bool else { throw ctx.fail("input must be bool") }
            let out = ONNXValue(uninitialized: .bool, shape: x.shape)
            for i in 0..<x.count { out.boolPointer[i] = x.boolPointer[i] ^ 1 }
            return [out]
        }
    }

    static func isNaN(_ ctx: NodeContext) -> Kernel {
        return { inputs in
            let x = try ctx.floatInput(inputs, 0)
            let out = ONNXValue(uninitialized: .bool, shape: x.shape)
            for i in 0..<x.count { out.boolPointer[i] = x.floatPointer[i].isNaN ? 1 : 0 }
            return [out]
        }
    }

    static func cast(_ ctx: NodeContext) throws -> Kernel {
        let to = try ctx.int("to", 0)
        // Narrow integer targets are computed as int64 holding the narrowed value (wrapped to the width);
        // float64 is computed as float32. Models use these casts internally (e.g. int32 position ids).
        let integerBits: [Int: (bits: Int, signed: Bool)] = [
            2: (8, false), 3: (8, true), 4: (16, false), 5: (16, true),
            6: (32, true), 12: (32, false),
        ]
        let narrow = integerBits[to]
        let target: ONNXElementType
        if narrow != nil {
            target = .int64
        } else if to == 11 {
            target = .float
        } else if let t = ONNXElementType(rawValue: to) {
            target = t
        } else {
            throw ctx.attributeError("to", "unsupported element type \(to)")
        }
        return { inputs in
            var x = try ctx.input(inputs, 0)
            if let narrow {
                if x.elementType != .int64 { x = try cast(x, to: .int64) }
                let out = ONNXValue(uninitialized: .int64, shape: x.shape)
                let shift = Int64(64 - narrow.bits)
                for i in 0..<x.count {
                    let v = x.int64Pointer[i] << shift
                    out.int64Pointer[i] =
                        narrow.signed ? v >> shift : Int64(bitPattern: UInt64(bitPattern: v) >> UInt64(shift))
                }
                return [out]
            }
            return [try cast(x, to: target)]
        }
    }

    static func cast(_ x: ONNXValue, to target: ONNXElementType) throws -> ONNXValue {
        do {
            if x.elementType == target { return x }
            let out = ONNXValue(uninitialized: target, shape: x.shape)
            let n = x.count
            switch (x.elementType, target) {
            case (.float, .int64):
                for i in 0..<n {
                    let v = x.floatPointer[i]
                    out.int64Pointer[i] = v.isFinite && Swift.abs(v) < 9.2e18 ? Int64(v) : .min
                }
            case (.float, .bool): for i in 0..<n { out.boolPointer[i] = x.floatPointer[i] != 0 ? 1 : 0 }
            case (.int64, .float): for i in 0..<n { out.floatPointer[i] = Float(x.int64Pointer[i]) }
            case (.int64, .bool): for i in 0..<n { out.boolPointer[i] = x.int64Pointer[i] != 0 ? 1 : 0 }
            case (.bool, .float): for i in 0..<n { out.floatPointer[i] = Float(x.boolPointer[i]) }
            case (.bool, .int64): for i in 0..<n { out.int64Pointer[i] = Int64(x.boolPointer[i]) }
            default: break
            }
            return out
        }
    }

    static func clip(_ ctx: NodeContext) throws -> Kernel {
        let attrMin = try ctx.float("min", -.greatestFiniteMagnitude)
        let attrMax = try ctx.float("max", .greatestFiniteMagnitude)
        let fromInputs = ctx.version >= 11
        let settings = ctx.settings
        return { inputs in
            let x = try ctx.input(inputs, 0)
            let lo = fromInputs ? ctx.optionalInput(inputs, 1) : nil
            let hi = fromInputs ? ctx.optionalInput(inputs, 2) : nil
            if let lo, lo.count != 1 { throw ctx.fail("min must be a scalar") }
            if let hi, hi.count != 1 { throw ctx.fail("max must be a scalar") }
            switch x.elementType {
            case .float:
                let l = fromInputs ? (lo.map { $0.floats[0] } ?? -.infinity) : attrMin
                let h = fromInputs ? (hi.map { $0.floats[0] } ?? .infinity) : attrMax
                let lv = VectorMath.V(repeating: l), hv = VectorMath.V(repeating: h)
                return [
                    mapVector(settings, x) { v in
                        v.replacing(with: lv, where: v .< lv).replacing(with: hv, where: v .> hv)
                    }
                ]
            case .int64:
                let l = lo.map { $0.int64s[0] } ?? .min, h = hi.map { $0.int64s[0] } ?? .max
                let out = ONNXValue(uninitialized: .int64, shape: x.shape)
                for i in 0..<x.count { out.int64Pointer[i] = Swift.min(Swift.max(x.int64Pointer[i], l), h) }
                return [out]
            case .bool: throw ctx.fail("bool input is not supported")
            }
        }
    }

    /// `Where(cond, x, y)` with three-way broadcasting.
    static func whereOp(_ ctx: NodeContext) -> Kernel {
        return { inputs in
            let c = try ctx.input(inputs, 0), x = try ctx.input(inputs, 1), y = try ctx.input(inputs, 2)
            guard c.elementType == .bool else { throw ctx.fail("condition must be bool") }
            guard x.elementType == y.elementType else { throw ctx.fail("X and Y element types differ") }
            guard let s1 = broadcastShape(c.shape, x.shape), let shape = broadcastShape(s1, y.shape) else {
                throw ctx.fail("shapes \(c.shape), \(x.shape), \(y.shape) do not broadcast")
            }
            try ctx.checkShape(shape)
            let out = ONNXValue(uninitialized: x.elementType, shape: shape)
            let size = x.elementType.byteSize
            let strides = [
                contiguousStrides(shape), broadcastStrides(c.shape, to: shape),
                broadcastStrides(x.shape, to: shape), broadcastStrides(y.shape, to: shape),
            ]
            let cp = c.boolPointer, o = out.buffer.raw, xp = x.buffer.raw, yp = y.buffer.raw
            forEachRow(shape, strides) { off, count, st in
                for i in 0..<count {
                    let src =
                        cp[off[1] + i * st[1]] != 0
                        ? xp + (off[2] + i * st[2]) * size : yp + (off[3] + i * st[3]) * size
                    (o + (off[0] + i) * size).copyMemory(from: src, byteCount: size)
                }
            }
            return [out]
        }
    }
}
